// Black-box view of bm_sram for generic (technology-independent) synthesis:
// scratchpad SRAMs are macros there, counted but not mapped to gates. The
// parameters must match hw/rtl/mem/bm_sram.sv (make synth-generic fails on a
// parameter the black box lacks).
(* blackbox *)
module bm_sram #(parameter WB = 4, parameter DEPTH = 16, parameter IW = 4, parameter RDW_OLD = 1) (
  input clk_i, input we_i, input [IW-1:0] waddr_i, input [WB*8-1:0] wdata_i,
  input [WB-1:0] wbe_i, input re_i, input [IW-1:0] raddr_i, output [WB*8-1:0] rdata_o);
endmodule
