// bm_tab: the decode-table scratchpad (4 selectors x 2^TB codes x MT terms).
// TAB byte i = ((s << TB) | q) * MT + t holds term t of code q of selector s;
// only its 5 meaningful bits are stored (bit 7 nonzero, bit 6 negative,
// bits 2:0 shift -> entry bits 4, 3, 2:0), grouped by term: tab_o holds
// term t's sub-tables of the 4 selectors at [t*4*2^TB*5 +: 4*2^TB*5].
// Write (LOAD): up to DW bytes at any byte address, byte k of wdata_i lands at
// waddr_i + k (committed at the clock edge). The DW bytes are rotated once by
// the address offset; stored byte i then takes rotated byte i % DW, enabled
// when its address lies in the written window and its mask bit is set.
// Read: tab_o is the stored table itself (no read port). bm_array selects
// term t, the row's selector and each lane's code in stage 1, with the term
// index COMPUTE registers for stage 1 anyway: a registered read of term t's
// 4*2^TB*5 bits at stage 0 cost as many flip-flops (on the iCE40 as many
// logic cells) for nothing, since the table only changes under LOAD. A write
// in the cycle a term is issued is therefore visible to that term (a LOAD
// racing a COMPUTE is undefined by the ISA; docs/isa.md).
module bm_tab #(
  parameter int unsigned TB = 4,    // table index bits
  parameter int unsigned MT = 4,    // max terms
  parameter int unsigned DW = 16    // write bytes per cycle (power of two)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        we_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [31:0]                 waddr_i,   // bits log2(BYTES) and up: 0 (see chunk)
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [DW*8-1:0]             wdata_i,
  input  logic [DW-1:0]               wmask_i,
  output logic [MT*4*(1<<TB)*5-1:0]   tab_o
);
  localparam int unsigned NE    = 4 * (1 << TB);  // entries per term
  localparam int unsigned SW    = NE * 5;         // bits per term
  localparam int unsigned BYTES = NE * MT;
  localparam int unsigned OB    = $clog2(DW);
  localparam int unsigned NCH   = BYTES / DW;     // DW-byte chunks

  logic [MT*SW-1:0]  tab_q;   // term t at [t*SW +: SW], entry e at [e*5 +: 5]
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2*DW*8-1:0] img2;    // lower half: shifted-out copy
  logic [DW*8-1:0]   rot;     // rot byte b = wdata byte (b - offset) mod DW; bits 5:3 unused
  /* verilator lint_on UNUSEDSIGNAL */
  logic [2*DW-1:0]   imask2;
  logic [DW-1:0]     rmask, rhi;  // rotated mask; byte b belongs to chunk+1
  localparam int unsigned AB = $clog2(BYTES);
  // LOAD's start check (SP_RANGE, bm_dma_check) keeps every written byte
  // below BYTES, so the address bits above AB are zero whenever a mask bit is
  // set: the chunk decode compares AB - OB bits, not 32.
  logic [AB-OB-1:0]  chunk;
  logic [NCH-1:0]    csel;        // csel[k]: chunk == k

  // {wdata, wdata} << offset: the upper DW bytes are wdata rotated by the
  // offset; byte b >= offset lands in `chunk`, b < offset in `chunk + 1`.
  always_comb begin
    img2   = {wdata_i, wdata_i} << {waddr_i[OB-1:0], 3'b000};
    rot    = img2[2*DW*8-1:DW*8];
    imask2 = {{DW{1'b0}}, wmask_i} << waddr_i[OB-1:0];
    rmask  = imask2[2*DW-1:DW] | imask2[DW-1:0];
    rhi    = imask2[2*DW-1:DW];
    chunk  = waddr_i[AB-1:OB];
    for (int k = 0; k < NCH; k++) csel[k] = chunk == (AB-OB)'(k);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tab_q <= '0;
    end else if (we_i) begin
      for (int i = 0; i < BYTES; i++) begin
        // byte b of the window at or above the offset lands in `chunk`, the
        // wrapped bytes below it in `chunk + 1` (never past the last chunk)
        if (rmask[i % DW] && (rhi[i % DW] ? (i >= DW && csel[(i / DW + NCH - 1) % NCH])
                                          : csel[i / DW])) begin
          tab_q[((i % MT) * NE + i / MT) * 5 +: 5] <=
            {rot[(i % DW)*8 + 7], rot[(i % DW)*8 + 6], rot[(i % DW)*8 +: 3]};
        end
      end
    end
  end

  assign tab_o = tab_q;
endmodule
