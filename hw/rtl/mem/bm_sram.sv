// bm_sram: plain synchronous single-port-write / single-port-read SRAM with
// byte enables. Latency 1: rdata_o holds mem[raddr_i] of the previous cycle in
// which re_i was high. Read-during-write of the same line returns the old
// data. Infers block RAM (synth_xilinx) and is black-boxed in generic synth.
module bm_sram #(
  parameter int unsigned WB    = 4,   // word bytes
  parameter int unsigned DEPTH = 16,  // words
  parameter int unsigned IW    = 4    // index bits
) (
  input  logic            clk_i,
  input  logic            we_i,
  input  logic [IW-1:0]   waddr_i,
  input  logic [WB*8-1:0] wdata_i,
  input  logic [WB-1:0]   wbe_i,
  input  logic            re_i,
  input  logic [IW-1:0]   raddr_i,
  output logic [WB*8-1:0] rdata_o
);
  logic [WB*8-1:0] mem_q [DEPTH];
  logic [WB*8-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) begin
      for (int i = 0; i < WB; i++) begin
        if (wbe_i[i]) mem_q[waddr_i][i*8 +: 8] <= wdata_i[i*8 +: 8];
      end
    end
    if (re_i) rdata_q <= mem_q[raddr_i];
  end

  assign rdata_o = rdata_q;
endmodule
