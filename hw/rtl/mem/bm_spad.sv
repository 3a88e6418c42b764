// bm_spad: byte-addressed scratchpad with window access. Lines of LB bytes
// alternate between two banks (even lines in bank 0, odd lines in bank 1), so
// the LB-byte window starting at ANY byte address is one line of each bank.
// Write: up to LB bytes (wmask_i, byte k lands at waddr_i + k), committed at
// the clock edge. Read: NRD independent ports, each returns the LB-byte
// window at raddr one cycle later (latency 1, throughput 1/cycle). No
// bounds checks: callers check ranges (the ISA legality rules) first.
module bm_spad #(
  parameter int unsigned LB    = 16,   // line bytes (power of two, >= 2)
  parameter int unsigned BYTES = 1024, // capacity in bytes
  parameter int unsigned AW    = 24,   // byte-address bits
  parameter int unsigned NRD   = 1,    // read ports
  parameter bit          RDW_OLD = 1'b1 // bm_sram: old data on a same-line read+write
) (
  input  logic              clk_i,
  input  logic              we_i,
  input  logic [AW-1:0]     waddr_i,
  input  logic [LB*8-1:0]   wdata_i,
  input  logic [LB-1:0]     wmask_i,
  input  logic [NRD-1:0]    re_i,
  input  logic [NRD*AW-1:0] raddr_i,
  output logic [NRD*LB*8-1:0] rdata_o
);
  localparam int unsigned OB    = $clog2(LB);
  localparam int unsigned LINES = (BYTES + LB - 1) / LB;
  // bank 0 holds lines 0, 2, 4, ...; bank 1 lines 1, 3, ... A window that
  // starts in the last line reaches past the end only with bytes no legal
  // access uses (ISA range rules), so no extra line is kept for it.
  localparam int unsigned DEPTH = (LINES + 1) / 2;
  localparam int unsigned IW    = DEPTH > 1 ? $clog2(DEPTH) : 1;
  localparam int unsigned LW    = AW - OB;  // line-number bits

  // ---- write: byte k of the window goes to lane (waddr + k) % LB of line n
  // or n+1, so both banks take the same lane-rotated data (one rotation by
  // the address offset) and differ only in their byte enables
  logic [LW-1:0]     wline;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2*LB*8-1:0] wimg;    // lower half: rotated-out copy
  /* verilator lint_on UNUSEDSIGNAL */
  logic [2*LB-1:0]   wimask;
  logic [IW-1:0]     widx0, widx1;
  logic [LB*8-1:0]   wrot;
  logic [LB-1:0]     wm0, wm1;

  always_comb begin
    wline  = waddr_i[AW-1:OB];
    wimg   = {wdata_i, wdata_i} << {waddr_i[OB-1:0], 3'b000};
    wrot   = wimg[2*LB*8-1:LB*8];
    wimask = {{LB{1'b0}}, wmask_i} << waddr_i[OB-1:0];
    if (!wline[0]) begin
      widx0 = IW'(wline >> 1);
      widx1 = IW'(wline >> 1);
      wm0 = wimask[LB-1:0];
      wm1 = wimask[2*LB-1:LB];
    end else begin
      widx1 = IW'(wline >> 1);
      widx0 = IW'((wline >> 1) + 1'b1);
      wm1 = wimask[LB-1:0];
      wm0 = wimask[2*LB-1:LB];
    end
  end

  // ---- read ports: each port has its own copy of both banks
  for (genvar p = 0; p < NRD; p++) begin : g_port
    logic [LW-1:0]   rline;
    logic [IW-1:0]   ridx0, ridx1;
    logic [LB*8-1:0] rd0, rd1;
    logic [OB-1:0]   roff_q;
    logic            rodd_q;
    /* verilator lint_off UNUSEDSIGNAL */
    logic [2*LB*8-1:0] rimg;  // upper half: bytes beyond the window
    /* verilator lint_on UNUSEDSIGNAL */

    assign rline = raddr_i[p*AW + OB +: LW];
    assign ridx1 = IW'(rline >> 1);
    assign ridx0 = rline[0] ? IW'((rline >> 1) + 1'b1) : IW'(rline >> 1);

    bm_sram #(.WB(LB), .DEPTH(DEPTH), .IW(IW), .RDW_OLD(RDW_OLD)) u_bank0 (
      .clk_i, .we_i(we_i && (|wm0)), .waddr_i(widx0), .wdata_i(wrot), .wbe_i(wm0),
      .re_i(re_i[p]), .raddr_i(ridx0), .rdata_o(rd0));
    bm_sram #(.WB(LB), .DEPTH(DEPTH), .IW(IW), .RDW_OLD(RDW_OLD)) u_bank1 (
      .clk_i, .we_i(we_i && (|wm1)), .waddr_i(widx1), .wdata_i(wrot), .wbe_i(wm1),
      .re_i(re_i[p]), .raddr_i(ridx1), .rdata_o(rd1));

    always_ff @(posedge clk_i) begin
      if (re_i[p]) begin
        roff_q <= raddr_i[p*AW +: OB];
        rodd_q <= rline[0];
      end
    end

    assign rimg = (rodd_q ? {rd0, rd1} : {rd1, rd0}) >> {roff_q, 3'b000};
    assign rdata_o[p*LB*8 +: LB*8] = rimg[LB*8-1:0];
  end
endmodule
