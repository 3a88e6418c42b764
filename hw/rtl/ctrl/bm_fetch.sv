// bm_fetch: instruction fetch into a FETCH_DEPTH-entry buffer. When the
// buffer is empty (all dispatched), FINISH has not been dispatched and
// instructions remain, it requests the read channel for
// n = min(FETCH_DEPTH, INSN_COUNT - pc, instructions before the next 4 KiB
// boundary) instructions. The buffer becomes valid in the cycle after the
// burst's last beat; the dispatcher takes one instruction per cycle.
// Addresses have AB bits (the preset's addr_bits): instruction pc is at
// (INSN + 16*pc) mod 2^AB, as in the engine; a burst never crosses a 4 KiB
// boundary, so never 2^AB.
module bm_fetch #(
  parameter int unsigned DW = 16,
  parameter int unsigned FD = 16,
  parameter int unsigned AB = 64
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            clr_i,
  input  logic            en_i,        // running, no error, FINISH not dispatched
  input  logic [AB-1:0]  insn_addr_i,
  input  logic [31:0]     insn_count_i,
  output logic            ar_req_o,
  output logic [63:0]     ar_addr_o,
  output logic [7:0]      ar_len_o,
  input  logic            ar_gnt_i,
  input  logic            r_valid_i,   // a beat of the fetch burst
  input  logic [DW*8-1:0] r_data_i,
  input  logic            r_last_i,
  input  logic            r_err_i,
  output logic            avail_o,
  output logic [127:0]    insn_o,
  output logic [31:0]     pc_o,
  input  logic            take_i,
  output logic            busy_o,      // a fetch burst is in flight
  output logic            exhausted_o, // buffer empty and pc == INSN_COUNT
  output logic            err_o,       // error response (after the last beat)
  output logic [31:0]     err_pc_o     // first instruction of the failed burst
);
  localparam int unsigned OB  = $clog2(DW);
  localparam logic [AB-1:0] DWM = AB'(DW) - AB'(1);
  localparam int unsigned CH  = DW >= 16 ? DW / 16 : 1;  // slots per beat (DW >= 16)
  // 16-byte slots: a burst starts at a 16-byte-aligned instruction, so with
  // DW <= 16 its first instruction lands in slot 0 (phase 0) and FD slots
  // hold it; wider beats start at slot phase 0..CH-1 and need CH more
  localparam int unsigned NSL = DW > 16 ? FD + CH : FD;
  localparam int unsigned BB  = NSL * 16;                 // buffer bytes
  localparam int unsigned SW  = $clog2(NSL + 1);

  logic [BB*8-1:0] buf_q;
  logic [SW-1:0]   n_q, rd_q, ph_q;     // valid insns, next to dispatch, slot phase
  logic [31:0]     pc_q, hpc_q;         // next to fetch, pc of the head
  logic            infl_q, rerr_q;
  // beat index: a burst has at most BB/DW beats (it fits the buffer)
  localparam int unsigned BIW = $clog2(BB / DW + 1);
  logic [BIW-1:0]  bi_q;
  logic [SW-1:0]   fn_q;

  // burst length from the offset in the beat and the bytes fetched: a burst
  // holds at most FD instructions, so LB bits of bytes never wrap
  localparam int unsigned LB = $clog2(2 * DW + 16 * FD);
  logic [AB-1:0] addr;
  logic [31:0] left, n4k, nfetch;
  logic [LB-1:0] lbytes;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [LB-1:0] lbeats;   // beats - 1 <= 255: bits above 7 are always 0
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    addr   = insn_addr_i + AB'({pc_q, 4'h0});  // wraps at 2^AB; 16-byte aligned by contract
    left   = insn_count_i - pc_q;
    n4k    = (32'h1000 - {20'h0, addr[11:0]}) >> 4;
    nfetch = FD;
    if (left < nfetch) nfetch = left;
    if (n4k < nfetch) nfetch = n4k;
    lbytes = LB'(addr[OB-1:0]) + LB'({nfetch, 4'h0}) + LB'(DW - 1);
    ar_req_o  = en_i && rd_q == n_q && !infl_q && pc_q < insn_count_i;
    ar_addr_o = 64'({addr[AB-1:OB], {OB{1'b0}}});
    lbeats    = (lbytes >> OB) - LB'(1);
    ar_len_o  = 8'(lbeats);
  end

  // beat bi of the burst lands in DW-byte chunk bi of the buffer
  for (genvar k = 0; k < BB / DW; k++) begin : g_chunk
    always_ff @(posedge clk_i) begin
      if (r_valid_i && infl_q && bi_q == BIW'(k)) buf_q[k*DW*8 +: DW*8] <= r_data_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      n_q <= '0; rd_q <= '0; ph_q <= '0; pc_q <= '0; hpc_q <= '0;
      infl_q <= 1'b0; rerr_q <= 1'b0; bi_q <= '0; fn_q <= '0;
    end else if (clr_i) begin
      n_q <= '0; rd_q <= '0; pc_q <= '0; hpc_q <= '0; infl_q <= 1'b0; rerr_q <= 1'b0;
    end else begin
      if (ar_req_o && ar_gnt_i) begin
        infl_q <= 1'b1;
        bi_q   <= '0;
        fn_q   <= SW'(nfetch);
        ph_q   <= SW'((addr & DWM) >> 4);
        hpc_q  <= pc_q;
        pc_q   <= pc_q + nfetch;
      end
      if (take_i) rd_q <= rd_q + 1'b1;
      if (r_valid_i && infl_q) begin
        bi_q <= bi_q + BIW'(1);
        if (r_err_i) rerr_q <= 1'b1;
        if (r_last_i) begin
          infl_q <= 1'b0;
          n_q <= fn_q;
          rd_q <= '0;
        end
      end
    end
  end

  assign avail_o     = rd_q != n_q && !rerr_q;
  assign insn_o      = buf_q[(32'(ph_q) + 32'(rd_q)) * 128 +: 128];
  assign pc_o        = hpc_q + 32'(rd_q);
  assign busy_o      = infl_q;
  assign exhausted_o = rd_q == n_q && !infl_q && pc_q >= insn_count_i;
  assign err_pc_o    = hpc_q;
  assign err_o       = r_valid_i && infl_q && r_last_i && (r_err_i || rerr_q);
endmodule
