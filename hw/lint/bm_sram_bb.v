// Black-box view of bm_sram for generic (technology-independent) synthesis:
// scratchpad SRAMs are macros there, counted but not mapped to gates.
(* blackbox *)
module bm_sram #(parameter WB = 4, parameter DEPTH = 16, parameter IW = 4) (
  input clk_i, input we_i, input [IW-1:0] waddr_i, input [WB*8-1:0] wdata_i,
  input [WB-1:0] wbe_i, input re_i, input [IW-1:0] raddr_i, output [WB*8-1:0] rdata_o);
endmodule
