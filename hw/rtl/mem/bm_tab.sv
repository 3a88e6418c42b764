// bm_tab: the decode-table scratchpad (4 selectors x 2^TABLE_BITS codes x
// MAX_TERMS term bytes) in flip-flops, because every PE row reads its own
// sub-table every cycle. Written by LOAD: up to DW bytes at any byte address
// (latency 1): the bytes are rotated into two DW-aligned chunks, which are
// written with byte enables. The whole table is visible on tab_o.
module bm_tab #(
  parameter int unsigned BYTES = 256,  // multiple of DW
  parameter int unsigned DW    = 16
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             we_i,
  input  logic [31:0]      waddr_i,
  input  logic [DW*8-1:0]  wdata_i,
  input  logic [DW-1:0]    wmask_i,
  output logic [BYTES*8-1:0] tab_o
);
  localparam int unsigned OB = $clog2(DW);
  localparam int unsigned NCH = BYTES / DW;

  logic [BYTES*8-1:0] tab_q;
  logic [2*DW*8-1:0]  img;
  logic [2*DW-1:0]    imask;
  logic [31:0]        chunk;

  assign img   = {{(DW*8){1'b0}}, wdata_i} << {waddr_i[OB-1:0], 3'b000};
  assign imask = {{DW{1'b0}}, wmask_i} << waddr_i[OB-1:0];
  assign chunk = waddr_i >> OB;

  for (genvar k = 0; k < NCH; k++) begin : g_chunk
    for (genvar b = 0; b < DW; b++) begin : g_byte
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          tab_q[(k*DW + b)*8 +: 8] <= '0;
        end else if (we_i) begin
          if (chunk == k && imask[b]) tab_q[(k*DW + b)*8 +: 8] <= img[b*8 +: 8];
          else if (chunk + 1 == k && imask[DW + b]) tab_q[(k*DW + b)*8 +: 8] <= img[(DW + b)*8 +: 8];
        end
      end
    end
  end

  assign tab_o = tab_q;
endmodule
