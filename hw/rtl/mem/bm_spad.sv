// bm_spad: byte-addressed scratchpad with window access. Lines of LB bytes
// alternate between two banks (even lines in bank 0, odd lines in bank 1), so
// the LB-byte window starting at ANY byte address is one line of each bank.
// (When no access can leave its line, WB <= WG and RB <= RG, the
// scratchpad is a single bank of all lines instead.)
// Write: up to WB bytes (wmask_i, byte k lands at waddr_i + k), committed at
// the clock edge. Read: NRD independent ports, each returns the first RB
// bytes of the window at raddr one cycle later (latency 1, throughput
// 1/cycle). No bounds checks: callers check ranges (the ISA legality rules)
// first.
//
// Granularity parameters: every caller of a scratchpad accesses it at
// addresses that are multiples of a fixed power of two (COMPUTE reads ACT in
// whole C*L-byte words, META in 2-byte entries, ACC in int32 words; STORE
// reads and COMPUTE writes ACC in int32 words; only LOAD writes and WGT reads
// are byte-granular). WG / RG declare that granularity for the write port and
// the read ports: the low log2(WG) / log2(RG) address bits must be zero and
// are not looked at, so the lane rotations only get the shift stages that
// can be non-zero (e.g. ACT on the default preset: 1 stage of 256 bits
// instead of 6 stages of 8 bits). WB and RB are the bytes the callers
// actually write and read (LOAD writes AXI_BYTES, COMPUTE reads 2*C*L of
// ACT), so the rotations only produce lanes that someone uses. This is
// explicit rather than left to constant propagation because the ice40 flow
// synthesizes every module on its own (-noflatten) and the address ports
// are driven by registers.
module bm_spad #(
  parameter int unsigned LB    = 16,   // line bytes (power of two, >= 2)
  parameter int unsigned BYTES = 1024, // capacity in bytes
  parameter int unsigned AW    = 24,   // byte-address bits (>= log2(BYTES))
  parameter int unsigned NRD   = 1,    // read ports
  parameter int unsigned WB    = LB,   // write data bytes (<= LB)
  parameter int unsigned WG    = 1,    // write address granularity (power of two, <= LB)
  parameter int unsigned RB    = LB,   // read data bytes per port (<= LB)
  parameter int unsigned RG    = 1,    // read address granularity (power of two, <= LB)
  parameter bit          RDW_OLD = 1'b1 // bm_sram: old data on a same-line read+write
) (
  input  logic              clk_i,
  input  logic              we_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [AW-1:0]     waddr_i,     // low log2(WG) bits are zero
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [WB*8-1:0]   wdata_i,
  input  logic [WB-1:0]     wmask_i,
  input  logic [NRD-1:0]    re_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [NRD*AW-1:0] raddr_i,     // low log2(RG) bits are zero
  /* verilator lint_on UNUSEDSIGNAL */
  output logic [NRD*RB*8-1:0] rdata_o
);
  localparam int unsigned OB    = $clog2(LB);
  localparam int unsigned WGB   = $clog2(WG);  // write offset bits that are always 0
  localparam int unsigned RGB   = $clog2(RG);  // read offset bits that are always 0
  localparam int unsigned LINES = (BYTES + LB - 1) / LB;
  // bank 0 holds lines 0, 2, 4, ...; bank 1 lines 1, 3, ... A window that
  // starts in the last line reaches past the end only with bytes no legal
  // access uses (ISA range rules), so no extra line is kept for it.
  localparam int unsigned DEPTH = (LINES + 1) / 2;
  localparam int unsigned IW    = DEPTH > 1 ? $clog2(DEPTH) : 1;
  localparam int unsigned LW    = AW - OB;  // line-number bits
  // Can an access reach into the next line? Not when it is at most one
  // granule wide (WB <= WG, RB <= RG): a granule never straddles lines.
  // Then line n + 1 is never touched: no "+ 1" index and no bank mix.
  localparam bit         WX    = WB > WG;
  localparam bit         RX    = RB > RG;

  // ---- write: byte k of the window goes to lane (waddr + k) % LB of line n
  // or n+1, so both banks take the same lane-rotated data (one rotation by
  // the address offset, in steps of WG bytes) and differ only in their byte
  // enables. Lanes beyond WB are zero before the rotation.
  logic [LW-1:0]     wline;
  logic [OB-1:0]     woff;    // byte offset in the line (a multiple of WG)
  logic [LB*8-1:0]   wpad;
  logic [LB-1:0]     wmpad;
  logic [2*LB-1:0]   wimask;
  logic [LB*8-1:0]   wrot;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [IW-1:0]     widx0, widx1;  // not used by a one-bank scratchpad (g_flat)
  logic [LB-1:0]     wm0, wm1;
  /* verilator lint_on UNUSEDSIGNAL */

  // Lane rotations as log2(LB) stages of one 2:1 multiplexer per bit (the
  // rotation by a constant is wiring). Offset bits that are constant 0 (the
  // granularity) remove their stage; lanes that are constant 0 or not used
  // remove their multiplexers. A plain >> of the 2*LB-byte image would cost
  // up to twice as many multiplexers per stage.
  function automatic logic [LB*8-1:0] rotl(input logic [LB*8-1:0] x, input logic [OB-1:0] sh);
    logic [LB*8-1:0] y;
    y = x;
    for (int s = 0; s < OB; s++) begin
      if (sh[s]) y = (LB*8)'({y, y} >> (LB*8 - (8 << s)));
    end
    rotl = y;
  endfunction
  function automatic logic [LB*8-1:0] rotr(input logic [LB*8-1:0] x, input logic [OB-1:0] sh);
    logic [LB*8-1:0] y;
    y = x;
    for (int s = 0; s < OB; s++) begin
      if (sh[s]) y = (LB*8)'({y, y} >> (8 << s));
    end
    rotr = y;
  endfunction

  assign wpad   = (LB*8)'(wdata_i);
  assign wmpad  = LB'(wmask_i);
  assign woff   = OB > WGB ? OB'(waddr_i[OB-1:0] >> WGB) << WGB : '0;
  assign wrot   = rotl(wpad, woff);
  assign wimask = WX ? {{LB{1'b0}}, wmpad} << woff : {{LB{1'b0}}, wmpad << woff};

  always_comb begin
    wline  = waddr_i[AW-1:OB];
    if (!wline[0]) begin
      widx0 = IW'(wline >> 1);
      widx1 = IW'(wline >> 1);
      wm0 = wimask[LB-1:0];
      wm1 = wimask[2*LB-1:LB];
    end else begin
      widx1 = IW'(wline >> 1);
      widx0 = WX ? IW'((wline >> 1) + 1'b1) : IW'(wline >> 1);
      wm1 = wimask[LB-1:0];
      wm0 = wimask[2*LB-1:LB];
    end
  end

  // ---- read ports: each port has its own copy of the memory
  if (!RX && !WX) begin : g_flat
    // No access leaves its line: one bank of all lines, no bank selection
    // (e.g. ACC on the ice40 preset: one int32 word per line).
    localparam int unsigned FW = LINES > 1 ? $clog2(LINES) : 1;
    for (genvar p = 0; p < NRD; p++) begin : g_port
      logic [LB*8-1:0] rd;
      logic [OB-1:0]   roff_q;   // byte offset in the line (a multiple of RG)
      /* verilator lint_off UNUSEDSIGNAL */
      logic [LB*8-1:0] rimg;     // bytes beyond the first RB: not read
      /* verilator lint_on UNUSEDSIGNAL */

      bm_sram #(.WB(LB), .DEPTH(LINES), .IW(FW), .RDW_OLD(RDW_OLD)) u_line (
        .clk_i, .we_i(we_i && (|wimask[LB-1:0])), .waddr_i(FW'(wline)), .wdata_i(wrot),
        .wbe_i(wimask[LB-1:0]), .re_i(re_i[p]), .raddr_i(FW'(raddr_i[p*AW + OB +: LW])),
        .rdata_o(rd));

      always_ff @(posedge clk_i) begin
        if (re_i[p]) roff_q <= OB > RGB ? OB'(raddr_i[p*AW +: OB] >> RGB) << RGB : '0;
      end
      assign rimg = rotr(rd, roff_q);
      assign rdata_o[p*RB*8 +: RB*8] = rimg[RB*8-1:0];
    end
  end else begin : g_banked
    for (genvar p = 0; p < NRD; p++) begin : g_port
      logic [LW-1:0]   rline;
      logic [IW-1:0]   ridx0, ridx1;
      logic [LB*8-1:0] rd0, rd1;
      logic            rodd_q;
      logic [OB-1:0]   roff_q;   // byte offset in the line (a multiple of RG)
      logic [LB-1:0]   bsel;     // lane l comes from bank 1
      logic [LB*8-1:0] rmrg;     // the window's bytes, in their lanes
      /* verilator lint_off UNUSEDSIGNAL */
      logic [LB*8-1:0] rimg;     // bytes beyond the first RB: not read
      /* verilator lint_on UNUSEDSIGNAL */

      assign rline = raddr_i[p*AW + OB +: LW];
      assign ridx1 = IW'(rline >> 1);
      assign ridx0 = (RX && rline[0]) ? IW'((rline >> 1) + 1'b1) : IW'(rline >> 1);

      bm_sram #(.WB(LB), .DEPTH(DEPTH), .IW(IW), .RDW_OLD(RDW_OLD)) u_bank0 (
        .clk_i, .we_i(we_i && (|wm0)), .waddr_i(widx0), .wdata_i(wrot), .wbe_i(wm0),
        .re_i(re_i[p]), .raddr_i(ridx0), .rdata_o(rd0));
      bm_sram #(.WB(LB), .DEPTH(DEPTH), .IW(IW), .RDW_OLD(RDW_OLD)) u_bank1 (
        .clk_i, .we_i(we_i && (|wm1)), .waddr_i(widx1), .wdata_i(wrot), .wbe_i(wm1),
        .re_i(re_i[p]), .raddr_i(ridx1), .rdata_o(rd1));

      always_ff @(posedge clk_i) begin
        if (re_i[p]) begin
          rodd_q <= rline[0];
          roff_q <= OB > RGB ? OB'(raddr_i[p*AW +: OB] >> RGB) << RGB : '0;
        end
      end

      // window byte j is lane (off + j) % LB: of line n (bank rodd) for lanes
      // >= off, of line n + 1 (the other bank) below
      always_comb begin
        for (int l = 0; l < LB; l++) begin
          bsel[l] = (!RX || OB'(l) >= roff_q) ? rodd_q : !rodd_q;
          rmrg[l*8 +: 8] = bsel[l] ? rd1[l*8 +: 8] : rd0[l*8 +: 8];
        end
      end
      assign rimg = rotr(rmrg, roff_q);
      assign rdata_o[p*RB*8 +: RB*8] = rimg[RB*8-1:0];
    end
  end
endmodule
