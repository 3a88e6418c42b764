// bm_ice40_spram: WORDS x 32-bit single-port RAM with byte enables built
// from iCE40 UP5K SPRAM (SB_SPRAM256KA, 16K x 16 each; two side by side per
// 16K-word bank, so WORDS = 16384 * banks, at most 32768 = all four SPRAMs).
// Latency 1: rdata_o holds the word read by the previous cycle's req_i && !we_i.
// Synthesis (SYNTHESIS defined by yosys) instantiates the primitives; other
// tools (Verilator) see a behavioural array with the same timing.
module bm_ice40_spram #(
  parameter int unsigned WORDS = 32768,
  parameter int unsigned AW    = $clog2(WORDS)
) (
  input  logic          clk_i,
  input  logic          req_i,
  input  logic          we_i,
  input  logic [AW-1:0] addr_i,
  input  logic [31:0]   wdata_i,
  input  logic [3:0]    be_i,
  output logic [31:0]   rdata_o
);
`ifdef SYNTHESIS
  localparam int unsigned NB = WORDS / 16384;   // banks of 16K words
  logic [NB*32-1:0] bank_rd;
  logic [AW-1:0]    addr_q;
  always_ff @(posedge clk_i) begin
    if (req_i && !we_i) addr_q <= addr_i;
  end
  for (genvar b = 0; b < NB; b++) begin : g_bank
    logic sel;
    assign sel = NB == 1 ? 1'b1 : 32'(addr_i >> 14) == b;
    for (genvar h = 0; h < 2; h++) begin : g_half
      SB_SPRAM256KA u_spram (
        .ADDRESS(addr_i[13:0]), .DATAIN(wdata_i[h*16 +: 16]),
        .MASKWREN({be_i[2*h+1], be_i[2*h+1], be_i[2*h], be_i[2*h]}),
        .WREN(we_i), .CHIPSELECT(req_i && sel), .CLOCK(clk_i),
        .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1),
        .DATAOUT(bank_rd[b*32 + h*16 +: 16]));
    end
  end
  assign rdata_o = NB == 1 ? bank_rd[31:0] : bank_rd[32'(addr_q >> 14) * 32 +: 32];
`else
  logic [31:0] mem_q [WORDS];
  logic [31:0] rdata_q;
  always_ff @(posedge clk_i) begin
    if (req_i && we_i) begin
      for (int i = 0; i < 4; i++) begin
        if (be_i[i]) mem_q[addr_i][i*8 +: 8] <= wdata_i[i*8 +: 8];
      end
    end
    if (req_i && !we_i) rdata_q <= mem_q[addr_i];
  end
  assign rdata_o = rdata_q;
`endif
endmodule
