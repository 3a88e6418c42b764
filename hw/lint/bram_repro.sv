// Bare 32-bit memories with byte enables, one write and one read port, at
// 256 to 4096 words, with old-data read-during-write and with it left open
// ((* no_rw_check *)): the memory styles of bm_sram's columns, without any of
// our RTL. scripts/sweep_synth.py synthesizes this once per yosys version
// with the same synth_xilinx -family xcup options as bm_top; the "Resizing
// cell port" warnings it gets (RAMB36E2/RAMB18E2 from yosys' own
// brams_xcu_map.v) are the only ones the bm_top run may waive (docs/rtl.md).
module bm_bram_col #(
  parameter int unsigned DEPTH   = 1024,
  parameter int unsigned IW      = 10,
  parameter bit          RDW_OLD = 1'b1
) (
  input  logic          clk_i,
  input  logic          we_i,
  input  logic [IW-1:0] waddr_i,
  input  logic [31:0]   wdata_i,
  input  logic [3:0]    wbe_i,
  input  logic          re_i,
  input  logic [IW-1:0] raddr_i,
  output logic [31:0]   rdata_o
);
  if (RDW_OLD) begin : g_old
    logic [31:0] mem_q [DEPTH];
    always_ff @(posedge clk_i) begin
      if (we_i) begin
        for (int i = 0; i < 4; i++) begin
          if (wbe_i[i]) mem_q[waddr_i][i*8 +: 8] <= wdata_i[i*8 +: 8];
        end
      end
      if (re_i) rdata_o <= mem_q[raddr_i];
    end
  end else begin : g_any
    (* no_rw_check *) logic [31:0] mem_q [DEPTH];
    always_ff @(posedge clk_i) begin
      if (we_i) begin
        for (int i = 0; i < 4; i++) begin
          if (wbe_i[i]) mem_q[waddr_i][i*8 +: 8] <= wdata_i[i*8 +: 8];
        end
      end
      if (re_i) rdata_o <= mem_q[raddr_i];
    end
  end
endmodule

module bm_bram_repro (
  input  logic          clk_i,
  input  logic          we_i,
  input  logic [11:0]   waddr_i,
  input  logic [31:0]   wdata_i,
  input  logic [3:0]    wbe_i,
  input  logic          re_i,
  input  logic [11:0]   raddr_i,
  output logic [319:0]  rdata_o
);
  for (genvar r = 0; r < 2; r++) begin : g_rdw
    for (genvar i = 0; i < 5; i++) begin : g_depth
      bm_bram_col #(.DEPTH(256 << i), .IW(8 + i), .RDW_OLD(r == 0)) u_col (
        .clk_i, .we_i, .waddr_i(waddr_i[7+i:0]), .wdata_i, .wbe_i, .re_i, .raddr_i(raddr_i[7+i:0]),
        .rdata_o(rdata_o[(r*5 + i)*32 +: 32]));
    end
  end
endmodule
