// bm_sram: plain synchronous SRAM, one write port with byte enables and one
// read port. Latency 1: rdata_o holds mem[raddr_i] of the previous cycle in
// which re_i was high. A read of a line written in the same cycle returns the
// old data when RDW_OLD = 1; with RDW_OLD = 0 the caller guarantees it never
// uses such a read, so synthesis may leave it unspecified (yosys then maps the
// column straight onto a block RAM without the read-first emulation, which
// costs ~48 LUT4 and ~80 flip-flops per 32-bit column on the iCE40; the
// simulation model still returns the old data). Built from 32-bit columns
// (4 byte enables each) so that it maps onto block RAM (synth_xilinx) and
// stays within Verilator's loop unrolling.
module bm_sram #(
  parameter int unsigned WB     = 4,   // word bytes (multiple of 4)
  parameter int unsigned DEPTH  = 16,  // words
  parameter int unsigned IW     = 4,   // index bits
  parameter bit          RDW_OLD = 1'b1
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
  for (genvar w = 0; w < WB / 4; w++) begin : g_col
    logic [31:0] rdata_q;
    if (RDW_OLD) begin : g_old
      logic [31:0] mem_q [DEPTH];
      always_ff @(posedge clk_i) begin
        if (we_i) begin
          for (int i = 0; i < 4; i++) begin
            if (wbe_i[w*4 + i]) mem_q[waddr_i][i*8 +: 8] <= wdata_i[(w*4 + i)*8 +: 8];
          end
        end
        if (re_i) rdata_q <= mem_q[raddr_i];
      end
    end else begin : g_any
      (* no_rw_check *) logic [31:0] mem_q [DEPTH];
      always_ff @(posedge clk_i) begin
        if (we_i) begin
          for (int i = 0; i < 4; i++) begin
            if (wbe_i[w*4 + i]) mem_q[waddr_i][i*8 +: 8] <= wdata_i[(w*4 + i)*8 +: 8];
          end
        end
        if (re_i) rdata_q <= mem_q[raddr_i];
      end
    end
    assign rdata_o[w*32 +: 32] = rdata_q;
  end
endmodule
