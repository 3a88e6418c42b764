// bm_store: the STORE unit. 2D strided DMA of int32 accumulators from ACC to
// device memory over the AXI write channel. Rows are split into bursts like
// LOAD; AW of burst 0 is issued in the cycle after the start, burst j+1 in
// the cycle after burst j's write response. An ACC reader streams the rows'
// bytes (up to AXI_BYTES per cycle, from the start cycle on) into a byte
// FIFO that feeds the W beats (WSTRB covers unaligned starts and odd ends).
// The unit finishes in the cycle of the last B response. abort_i: no new
// bursts; the burst in flight is completed with zero strobes.
// Addresses: as in bm_load (a started STORE passed bm_dma_check, so all its
// bytes lie below 2^AB; cur/rs in AB bits, bytes left in the row instead of
// the row end, burst = min of row rest, 4 KiB rest, 256-beat cap).
// Exact bounds (the STORE passed its checks): burst offsets in the 4 KiB
// page as in bm_load; the ACC reader's row start and word index stay below
// ACC_WORDS while it reads (CWB bits; the row start after the last row is
// never used), the words per row at most ACC_WORDS.
module bm_store #(
  parameter int unsigned DW  = 16,
  parameter int unsigned AB  = 64,   // device address bits
  parameter int unsigned ACC_WORDS = 4096
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
  output logic            aw_valid_o,
  output logic [63:0]     aw_addr_o,
  output logic [7:0]      aw_len_o,
  input  logic            aw_ready_i,
  output logic            w_valid_o,
  output logic [DW*8-1:0] w_data_o,
  output logic [DW-1:0]   w_strb_o,
  output logic            w_last_o,
  input  logic            w_ready_i,
  input  logic            b_valid_i,
  input  logic            b_err_i,
  output logic            cre_o,
  output logic [31:0]     craddr_o,
  input  logic [DW*8-1:0] crdata_i   // first DW bytes of the ACC window
);
  localparam int unsigned OB  = $clog2(DW);
  localparam int unsigned NW  = DW >= 4 ? DW / 4 : 1;  // ACC words read per cycle
  localparam int unsigned CAP = 4 * DW;                 // FIFO bytes
  localparam int unsigned CW  = $clog2(CAP + 1);
  localparam int unsigned DB  = DW * 8;
  localparam int unsigned CAPB = bm_isa_pkg::BURST_MAX * DW;   // bytes of a full burst
  localparam int unsigned NB   = $clog2(CAPB + 1);             // bytes to the cap
  localparam int unsigned NWB = NW * 32;
  localparam int unsigned CB  = CAP * 8;
  localparam logic [1:0] S_AW = 2'd0, S_W = 2'd1, S_B = 2'd2;
  localparam int unsigned CWB = ACC_WORDS > 1 ? $clog2(ACC_WORDS) : 1;   // ACC word index
  localparam int unsigned RWB = $clog2(ACC_WORDS + 1);                  // words per row

  logic [1:0]  i_base;
  logic [11:0] i_rows;
  logic [15:0] i_rowb;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [15:0] i_spa;   // a legal sp_addr is an ACC word index (CWB bits, bm_dma_check)
  /* verilator lint_on UNUSEDSIGNAL */
  logic [11:0] i_sps;
  logic [31:0] i_off;
  logic [23:0] i_stride;
  assign i_base   = insn_i[bm_isa_pkg::STORE_BASE_LSB +: 2];
  assign i_rows   = insn_i[bm_isa_pkg::STORE_ROWS_LSB +: 12];
  assign i_rowb   = insn_i[bm_isa_pkg::STORE_ROW_BYTES_LSB +: 16];
  assign i_spa    = insn_i[bm_isa_pkg::STORE_SP_ADDR_LSB +: 16];
  assign i_sps    = insn_i[bm_isa_pkg::STORE_SP_STRIDE_LSB +: 12];
  assign i_off    = insn_i[bm_isa_pkg::STORE_DRAM_OFF_LSB +: 32];
  assign i_stride = insn_i[bm_isa_pkg::STORE_DRAM_STRIDE_LSB +: 24];

  // ---- start: legality from the queue (bm_dma_check), first address
  logic [AB-1:0] i_b;
  logic        bad;
  always_comb begin
    i_b     = base_i[i_base*AB +: AB];
    bad     = start_i && chk_i != bm_isa_pkg::ERR_NONE;
  end

  // ---- burst side
  logic        act_q, issued_q;
  logic [1:0]  st_q;
  logic [AB-1:0] cur_q, rs_q;
  logic [15:0]  rl_q;   // bytes left in the row
  logic [12:0]  bx_q, by_q, ba_q;   // offsets in the burst's 4 KiB page
  logic [AB-1:0] a0;   // first address (exact when the STORE is legal)
  assign a0 = i_b + AB'(i_off);
  logic [11:0] rows_q;
  logic [23:0] stride_q;
  logic [15:0] rowb_q;
  logic [8:0]  left_q;   // beats left in the burst

  logic [12:0]   d4k;    // 1..4096
  logic [NB-1:0] dcap;   // bytes to the end of BURST_MAX beats from cur_q's beat
  logic [15:0]   n, lenb;
  logic          rend;   // the burst ends the row
  logic [12:0]  lo, hi, ba_end;
  logic [OB:0] nb;
  logic        whs, fifo_ok;
  logic [CW-1:0] cnt_q;
  always_comb begin
    d4k  = 13'h1000 - {1'b0, cur_q[11:0]};
    dcap = NB'(CAPB) - NB'(cur_q[OB-1:0]);
    n    = rl_q;
    if (16'(d4k) < n) n = 16'(d4k);
    if (16'(dcap) < n) n = 16'(dcap);
    rend = n == rl_q;
    lenb = 16'(cur_q[OB-1:0]) + n + 16'(DW - 1);
    ba_end = ba_q + 13'(DW);
    lo = (bx_q > ba_q) ? bx_q : ba_q;
    hi = (by_q < ba_end) ? by_q : ba_end;
    nb = (OB+1)'(hi - lo);
    fifo_ok = 32'(cnt_q) >= 32'(nb);
  end

  assign aw_valid_o = act_q && st_q == S_AW && !abort_i;
  assign aw_addr_o  = 64'({cur_q[AB-1:OB], {OB{1'b0}}});
  assign aw_len_o   = 8'((lenb >> OB) - 16'd1);
  assign w_valid_o  = act_q && st_q == S_W && (fifo_ok || abort_i);
  assign w_data_o   = wdat;
  assign w_strb_o   = abort_i ? '0 :
                      DW'(((65'(1) << nb) - 65'(1)) << (lo[OB-1:0] - ba_q[OB-1:0]));
  assign w_last_o   = left_q == 9'd1;
  assign whs        = w_valid_o && w_ready_i;

  // ---- ACC reader and byte FIFO: a ring of CAP bytes; byte (rp_q + i) % CAP
  // is the i-th oldest of the cnt_q valid bytes. Pushed bytes land from
  // rp_q + cnt_q on: one rotation by that position's lane offset, then ring
  // byte j takes lane j % DW of it. A W beat takes the DW bytes from rp_q on,
  // placed from its first strobed lane; lanes without valid bytes are 0.
  localparam int unsigned PW = $clog2(CAP);
  logic [CB-1:0]    fifo_q;
  logic [PW-1:0]    rp_q, wp, hb;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2*DB-1:0]  prot2;    // lower half: shifted-out copy
  /* verilator lint_on UNUSEDSIGNAL */
  logic [DB-1:0]    prot, wdat;
  // W beat read in two steps instead of one CAP:1 byte mux per lane: ring
  // byte q sits in column q % DW, row q / DW (CAP / DW = 4 rows); the lanes
  // read positions hb .. hb+DW-1, one per column, column c at row hr
  // (c >= hc) or hr + 1 (c < hc), hr/hc = hb / DW, hb % DW. Pick each
  // column's row (4:1), then rotate the columns by hc to the lanes.
  logic [OB-1:0]    hc;
  logic [PW-OB-1:0] hr, cr;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2*DB-1:0]  col2;     // upper half: the rotated-out copy
  /* verilator lint_on UNUSEDSIGNAL */
  logic [DB-1:0]    col;
  logic [CAP-1:0]   pwe, pm;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2*CAP-1:0] pm2;      // lower half: rotated-out copy
  /* verilator lint_on UNUSEDSIGNAL */
  logic [DW-1:0]    vm;
  logic [OB-1:0]    sh;
  logic [CW-1:0]    cnt_d;
  logic             rd_act_q, rd_act_c, rv1_q;
  logic [11:0]      rrows_q, rrows_c;
  logic [CWB-1:0]   rrow_q, rrow_c;   // ACC word of the row start
  logic [CWB-1:0]   rj_q, rj_c;       // word within the row
  logic [RWB-1:0]   rwords_q, rwords_c;
  logic [11:0]      rsps_q, rsps_c;
  logic [CW-1:0]    rn1_q;
  logic [15:0]      nwr;
  logic             rd_go;
  logic [CW-1:0]    pend;
  logic [OB:0]      popn;     // bytes popped: at most DW (narrow shift amount)
  logic [NWB-1:0]   pushw;

  always_comb begin
    if (start_i) begin
      rd_act_c = !bad; rrows_c = i_rows; rrow_c = CWB'(i_spa); rj_c = '0;
      rwords_c = RWB'(i_rowb >> 2); rsps_c = i_sps;
    end else begin
      rd_act_c = rd_act_q; rrows_c = rrows_q; rrow_c = rrow_q; rj_c = rj_q;
      rwords_c = rwords_q; rsps_c = rsps_q;
    end
    nwr   = (16'(rwords_c) - 16'(rj_c) < 16'(NW)) ? 16'(rwords_c) - 16'(rj_c) : 16'(NW);
    pend  = rv1_q ? rn1_q : '0;
    rd_go = rd_act_c && !abort_i && (32'(cnt_q) + 32'(pend) + 4 * NW <= CAP);
    popn  = (whs && !abort_i) ? nb : '0;
    pushw = crdata_i[NWB-1:0];
    cnt_d = cnt_q - CW'(popn) + (rv1_q ? rn1_q : '0);
    // push: rn1_q bytes at wp
    wp    = rp_q + PW'(cnt_q);
    prot2 = {DB'(pushw), DB'(pushw)} << {wp[OB-1:0], 3'b000};
    prot  = prot2[2*DB-1:DB];
    pm    = rv1_q ? CAP'((2*CAP)'(1) << rn1_q) - CAP'(1) : '0;   // rn1_q <= DW < CAP
    pm2   = {pm, pm} << wp;
    pwe   = pm2[2*CAP-1:CAP];
    // W beat: ring bytes rp_q.. at lanes sh..
    sh    = lo[OB-1:0] - ba_q[OB-1:0];
    hb    = rp_q - PW'(sh);
    vm    = 32'(cnt_q) >= DW ? '1 : DW'((2*DW)'(1) << cnt_q) - DW'(1);  // valid bytes
    vm    = vm << sh;
    hc    = hb[OB-1:0];
    hr    = hb[PW-1:OB];
    for (int c = 0; c < DW; c++) begin
      cr = hr + ((OB'(c) < hc) ? (PW-OB)'(1) : (PW-OB)'(0));
      col[c*8 +: 8] = fifo_q[(32'(cr) * DW + c) * 8 +: 8];
    end
    col2  = {col, col} >> {hc, 3'b000};
    for (int k = 0; k < DW; k++) begin
      wdat[k*8 +: 8] = vm[k] ? col2[k*8 +: 8] : '0;
    end
  end

  assign cre_o    = rd_go;
  assign craddr_o = 32'({rrow_c + rj_c, 2'b00});

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      act_q <= 1'b0; issued_q <= 1'b0; st_q <= S_AW; cur_q <= '0; rs_q <= '0;
      rl_q <= '0; bx_q <= '0; by_q <= '0; ba_q <= '0; rows_q <= '0; stride_q <= '0;
      rowb_q <= '0; left_q <= '0; fifo_q <= '0; cnt_q <= '0; rd_act_q <= 1'b0; rv1_q <= 1'b0;
      rrows_q <= '0; rrow_q <= '0; rj_q <= '0; rwords_q <= '0; rsps_q <= '0; rn1_q <= '0;
      rp_q <= '0;
    end else if (clr_i) begin
      act_q <= 1'b0; rd_act_q <= 1'b0; rv1_q <= 1'b0; cnt_q <= '0; rp_q <= '0;
    end else begin
      // reader
      rd_act_q <= rd_act_c; rrows_q <= rrows_c; rrow_q <= rrow_c; rj_q <= rj_c;
      rwords_q <= rwords_c; rsps_q <= rsps_c;
      rv1_q <= rd_go;
      rn1_q <= CW'(nwr << 2);
      if (rd_go) begin
        if (16'(rj_c) + nwr == 16'(rwords_c)) begin
          rj_q <= '0;
          rrow_q <= rrow_c + CWB'(rsps_c);
          rrows_q <= rrows_c - 12'd1;
          if (rrows_c == 12'd1) rd_act_q <= 1'b0;
        end else begin
          rj_q <= rj_c + CWB'(nwr);
        end
      end
      if (abort_i) rd_act_q <= 1'b0;
      for (int j = 0; j < CAP; j++) if (pwe[j]) fifo_q[j*8 +: 8] <= prot[(j % DW)*8 +: 8];
      rp_q   <= rp_q + PW'(popn);
      cnt_q  <= cnt_d;
      // bursts
      if (start_i) begin
        act_q <= !bad; issued_q <= 1'b0; st_q <= S_AW;
        cur_q <= a0; rs_q <= a0; rl_q <= i_rowb;
        rows_q <= i_rows; stride_q <= i_stride; rowb_q <= i_rowb;
        cnt_q <= '0; rp_q <= '0;
      end else if (act_q) begin
        case (st_q)
          S_AW: begin
            if (abort_i) begin
              act_q <= 1'b0;
            end else if (aw_ready_i) begin
              st_q <= S_W;
              bx_q <= {1'b0, cur_q[11:0]}; by_q <= {1'b0, cur_q[11:0]} + 13'(n);   // n <= d4k
              ba_q <= {1'b0, cur_q[11:OB], {OB{1'b0}}};
              left_q <= 9'(aw_len_o) + 9'd1;
              if (rend) begin
                rows_q <= rows_q - 12'd1;
                if (rows_q == 12'd1) begin
                  issued_q <= 1'b1;
                end else begin
                  rs_q  <= rs_q + AB'(stride_q);
                  cur_q <= rs_q + AB'(stride_q);
                  rl_q  <= rowb_q;
                end
              end else begin
                cur_q <= cur_q + AB'(n);
                rl_q  <= rl_q - n;
              end
            end
          end
          S_W: begin
            if (whs) begin
              ba_q <= ba_end;
              left_q <= left_q - 9'd1;
              if (left_q == 9'd1) st_q <= S_B;
            end
          end
          default: begin
            if (b_valid_i) begin
              if (issued_q || abort_i || b_err_i) act_q <= 1'b0;
              else st_q <= S_AW;
            end
          end
        endcase
      end
    end
  end

  assign busy_o     = act_q;
  assign last_o     = act_q && st_q == S_B && b_valid_i && issued_q && !b_err_i && !abort_i;
  assign err_o      = bad || (act_q && st_q == S_B && b_valid_i && b_err_i);
  assign err_code_o = bad ? chk_i : bm_isa_pkg::ERR_DRAM;
endmodule
