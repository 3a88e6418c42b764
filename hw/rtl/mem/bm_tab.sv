// bm_tab: the decode-table scratchpad (4 selectors x 2^TABLE_BITS codes x
// MAX_TERMS term bytes) in flip-flops, because every PE row reads its own
// sub-table every cycle. Written by LOAD: up to DW bytes at any byte address
// (latency 1). The whole table is visible on tab_o.
module bm_tab #(
  parameter int unsigned BYTES = 256,
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
  logic [BYTES*8-1:0] tab_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tab_q <= '0;
    end else if (we_i) begin
      for (int j = 0; j < DW; j++) begin
        if (wmask_i[j] && waddr_i + 32'(j) < BYTES) tab_q[(waddr_i + 32'(j)) * 8 +: 8] <= wdata_i[j*8 +: 8];
      end
    end
  end
  assign tab_o = tab_q;
endmodule
