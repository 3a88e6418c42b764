// bm_load: the LOAD unit. 2D strided DMA from device memory (AXI read
// channel, through the read arbiter) into a scratchpad. Every row is split
// into bursts that end at the row end, at a 4 KiB boundary or after
// BURST_MAX beats. Burst j is requested from the cycle after burst j-1's last
// beat (burst 0 from the start cycle, so its address comes straight from the
// instruction). Each beat's valid bytes are written (one cycle later) to the
// next scratchpad bytes; the unit finishes DMA_TAIL cycles after the last
// beat. Legality (FIELD, SP_RANGE, DRAM overflow) is decided at start from chk_i
// (bm_dma_check, computed at dispatch and queued with the instruction); an
// error response sets DRAM. abort_i stops new bursts; the burst in flight is
// drained (no writes) before the unit goes idle.
// Addresses: device addresses have AB bits (the preset's addr_bits); a
// transfer that started has passed bm_dma_check, so every byte it moves lies
// below 2^AB. The burst generator keeps the next burst's first address
// (cur) and row start (rs) in AB bits (both are bytes of the transfer) and
// the bytes left in the row (rl) instead of the row end: a burst covers
// n = min(rl, bytes to the 4 KiB boundary, bytes to the 256-beat cap) bytes,
// its end is cur + n and it ends the row when n = rl, so no address-wide
// comparison is needed. m_axi addresses above bit AB are 0.
// Burst and scratchpad state in exact bounds (the LOAD passed its checks):
// a burst lies in one 4 KiB page, so its first byte, end and beat address
// are kept as 13-bit offsets in the page (the end may be the page end,
// 4096); the scratchpad write address never exceeds the scratchpad size
// (SPB bits).
module bm_load #(
  parameter int unsigned DW  = 16,  // AXI data bytes
  parameter int unsigned AB  = 64,  // device address bits
  parameter int unsigned SPB = 32   // scratchpad address bits: largest size + 1 fits
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            clr_i,
  input  logic            abort_i,
  input  logic            start_i,
  // opcode, token flags and reserved bits: bm_dispatch and bm_dma_check
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [127:0]    insn_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [7:0]      chk_i,     // bm_dma_check code of insn_i
  input  logic [4*AB-1:0] base_i,
  output logic            busy_o,
  output logic            last_o,
  output logic            err_o,
  output logic [7:0]      err_code_o,
  output logic            ar_req_o,
  output logic [63:0]     ar_addr_o,
  output logic [7:0]      ar_len_o,
  input  logic            ar_gnt_i,
  input  logic            r_valid_i,
  input  logic [DW*8-1:0] r_data_i,
  input  logic            r_last_i,
  input  logic            r_err_i,
  output logic            sp_we_o,
  output logic [1:0]      sp_sel_o,
  output logic [31:0]     sp_addr_o,
  output logic [DW*8-1:0] sp_data_o,
  output logic [DW-1:0]   sp_mask_o
);
  localparam int unsigned OB = $clog2(DW);
  localparam int unsigned CAPB = bm_isa_pkg::BURST_MAX * DW;   // bytes of a full burst
  localparam int unsigned NB   = $clog2(CAPB + 1);             // bytes to the cap

  logic [1:0]  i_sp, i_base;
  logic [11:0] i_rows;
  logic [15:0] i_rowb;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [21:0] i_spa;   // a legal sp_addr fits SPB bits (bm_dma_check)
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] i_off;
  logic [23:0] i_stride;
  assign i_sp     = insn_i[bm_isa_pkg::LOAD_SP_LSB +: 2];
  assign i_base   = insn_i[bm_isa_pkg::LOAD_BASE_LSB +: 2];
  assign i_rows   = insn_i[bm_isa_pkg::LOAD_ROWS_LSB +: 12];
  assign i_rowb   = insn_i[bm_isa_pkg::LOAD_ROW_BYTES_LSB +: 16];
  assign i_spa    = insn_i[bm_isa_pkg::LOAD_SP_ADDR_LSB +: 22];
  assign i_off    = insn_i[bm_isa_pkg::LOAD_DRAM_OFF_LSB +: 32];
  assign i_stride = insn_i[bm_isa_pkg::LOAD_DRAM_STRIDE_LSB +: 24];

  // ---- start: legality from the queue, first address
  logic [AB-1:0] i_b;
  logic        bad;
  always_comb begin
    i_b     = base_i[i_base*AB +: AB];
    bad     = start_i && chk_i != bm_isa_pkg::ERR_NONE;
  end

  // ---- burst generator state (current = initial at start)
  logic        act_q, act_c, issued_q, issued_c, infl_q, infl_c;
  logic [AB-1:0] cur_q, cur_c, rs_q, rs_c;
  logic [15:0] rl_q, rl_c;   // bytes left in the row (>= 1 while the row has bursts)
  logic [11:0] rows_q, rows_c;
  logic [23:0] stride_q, stride_c;
  logic [15:0] rowb_q, rowb_c;
  logic [1:0]  sp_q, sp_c;
  logic [SPB-1:0] spc_q;
  logic [12:0] bx_q, by_q, ba_q;   // offsets in the burst's 4 KiB page
  logic [1:0]  tail_q;
  logic        rerr_q;
  logic [AB-1:0] a0;        // first address (exact when the LOAD is legal)

  always_comb begin
    a0 = i_b + AB'(i_off);
    if (start_i) begin
      act_c = !bad; issued_c = 1'b0; infl_c = 1'b0;
      cur_c = a0; rs_c = a0; rl_c = i_rowb;
      rows_c = i_rows; stride_c = i_stride; rowb_c = i_rowb; sp_c = i_sp;
    end else begin
      act_c = act_q; issued_c = issued_q; infl_c = infl_q;
      cur_c = cur_q; rs_c = rs_q; rl_c = rl_q;
      rows_c = rows_q; stride_c = stride_q; rowb_c = rowb_q; sp_c = sp_q;
    end
  end

  // next burst: n bytes from cur_c (docs/timing.md: ends at the row end, the
  // 4 KiB boundary or after BURST_MAX beats, whichever comes first)
  logic [12:0]   d4k;       // 1..4096
  logic [NB-1:0] dcap;      // bytes to the end of BURST_MAX beats from cur_c's beat
  logic [15:0]   n;
  logic          rend;      // the burst ends the row
  logic [15:0]   lenb;      // offset in the first beat + n + DW - 1
  always_comb begin
    d4k  = 13'h1000 - {1'b0, cur_c[11:0]};
    dcap = NB'(CAPB) - NB'(cur_c[OB-1:0]);
    n    = rl_c;
    if (16'(d4k) < n) n = 16'(d4k);
    if (16'(dcap) < n) n = 16'(dcap);
    rend = n == rl_c;
    lenb = 16'(cur_c[OB-1:0]) + n + 16'(DW - 1);
    ar_req_o  = act_c && !issued_c && !infl_c && !abort_i;
    ar_len_o  = 8'((lenb >> OB) - 16'd1);
  end
  assign ar_addr_o = 64'({cur_c[AB-1:OB], {OB{1'b0}}});

  // ---- beat handling
  logic [12:0] lo, hi, ba_end;
  logic [OB:0] nb;
  logic        beat;
  always_comb begin
    beat   = r_valid_i && infl_q;
    ba_end = ba_q + 13'(DW);
    lo     = (bx_q > ba_q) ? bx_q : ba_q;
    hi     = (by_q < ba_end) ? by_q : ba_end;
    nb     = (OB+1)'(hi - lo);
  end

  logic        we_q;
  logic [SPB-1:0] wa_q;
  logic [DW*8-1:0] wd_q;
  logic [DW-1:0]   wm_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      act_q <= 1'b0; issued_q <= 1'b0; infl_q <= 1'b0; cur_q <= '0; rs_q <= '0; rl_q <= '0;
      rows_q <= '0; stride_q <= '0; rowb_q <= '0; sp_q <= '0; spc_q <= '0;
      bx_q <= '0; by_q <= '0; ba_q <= '0; tail_q <= '0; rerr_q <= 1'b0;
      we_q <= 1'b0; wa_q <= '0; wd_q <= '0; wm_q <= '0;
    end else if (clr_i) begin
      act_q <= 1'b0; infl_q <= 1'b0; tail_q <= '0; we_q <= 1'b0; rerr_q <= 1'b0;
    end else begin
      act_q <= act_c; issued_q <= issued_c; infl_q <= infl_c; cur_q <= cur_c; rs_q <= rs_c;
      rl_q <= rl_c; rows_q <= rows_c; stride_q <= stride_c; rowb_q <= rowb_c; sp_q <= sp_c;
      we_q <= 1'b0;
      if (start_i) begin spc_q <= SPB'(i_spa); rerr_q <= 1'b0; end
      if (ar_req_o && ar_gnt_i) begin
        infl_q <= 1'b1;
        bx_q <= {1'b0, cur_c[11:0]}; by_q <= {1'b0, cur_c[11:0]} + 13'(n);   // n <= d4k
        ba_q <= {1'b0, cur_c[11:OB], {OB{1'b0}}};
        if (rend) begin
          rows_q <= rows_c - 12'd1;
          if (rows_c == 12'd1) begin
            issued_q <= 1'b1;
          end else begin
            rs_q  <= rs_c + AB'(stride_c);
            cur_q <= rs_c + AB'(stride_c);
            rl_q  <= rowb_c;
          end
        end else begin
          cur_q <= cur_c + AB'(n);
          rl_q  <= rl_c - n;
        end
      end
      if (beat) begin
        ba_q <= ba_end;
        we_q <= !abort_i && !r_err_i;
        wa_q <= spc_q;
        wd_q <= r_data_i >> {lo[OB-1:0] - ba_q[OB-1:0], 3'b000};
        wm_q <= DW'((65'(1) << nb) - 65'(1));
        spc_q <= spc_q + SPB'(nb);
        if (r_err_i) rerr_q <= 1'b1;
        if (r_last_i) begin
          infl_q <= 1'b0;
          if (issued_c || abort_i || r_err_i || rerr_q) tail_q <= 2'd2;
          if (abort_i && !issued_c) act_q <= 1'b0;
        end
      end
      if (tail_q != 2'd0) begin
        tail_q <= tail_q - 2'd1;
        if (tail_q == 2'd1) act_q <= 1'b0;
      end
      if (abort_i && !infl_q && !(ar_req_o && ar_gnt_i) && tail_q == 2'd0) act_q <= 1'b0;
    end
  end

  assign busy_o     = act_q;
  assign last_o     = tail_q == 2'd1 && !rerr_q && !abort_i;
  assign err_o      = bad || (beat && r_last_i && (r_err_i || rerr_q));
  assign err_code_o = bad ? chk_i : bm_isa_pkg::ERR_DRAM;
  assign sp_we_o    = we_q;
  assign sp_sel_o   = sp_q;
  assign sp_addr_o  = 32'(wa_q);
  assign sp_data_o  = wd_q;
  assign sp_mask_o  = wm_q;
endmodule
