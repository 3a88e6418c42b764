// bm_ice40_top: iCEBreaker-class board top (iCE40 UP5K, 12 MHz oscillator,
// FT2232H channel B wired as a UART to the FPGA). The host protocol
// (driver/usb/bm_proto.h) arrives as 8N1 bytes at BAUD; bm_bridge turns
// frames into AXI4-Lite accesses on bm_top's s_axi_control and into word
// accesses on the board memory (bm_ice40_mem: the four SPRAMs, 128 KiB, of
// which the top 4 KiB stage MEM_WR payloads), which also serves bm_top's
// m_axi_gmem. Reset: a power-on counter, and the user button (BTN_N).
// LEDs (active low): green blinks while the clock runs, red shows frames
// with a bad CRC or a timeout, stretched to be visible.
// ACCEL = 0 builds the bring-up image: bm_top is replaced by its register
// block alone (bm_ctrl_regs, engine inputs tied idle), so the UART, bridge,
// SPRAM and ID registers can be checked on a board without the array.
module bm_ice40_top #(
  parameter int unsigned ACCEL       = 1,
  parameter int unsigned CLK_HZ      = 12_000_000,
  parameter int unsigned BAUD        = 1_000_000,
  parameter int unsigned IDLE_CYCLES = CLK_HZ / 50,      // 20 ms: abandon a stalled frame
  parameter logic [63:0] MEM_BASE    = 64'h8000_0000,
  parameter int unsigned MEM_WORDS   = 32768             // 4 SPRAMs x 16K x 16 bit
) (
  input  logic clk_i,      // 12 MHz
  input  logic btn_ni,     // user button, low = pressed -> reset
  input  logic rx_i,       // UART from the FT2232H (its TXD)
  output logic tx_o,       // UART to the FT2232H (its RXD)
  output logic ledr_no,
  output logic ledg_no
);
  localparam int unsigned CPB = CLK_HZ / BAUD;
  localparam int unsigned MW  = $clog2(MEM_WORDS);

  // ---- reset: held for 15 cycles after configuration (iCE40 flops start at
  // their init value) and while the button is pressed; released synchronously.
  logic [3:0] por_q = 4'd0;
  logic [1:0] btn_q = 2'b00;
  logic       rst_n;
  always_ff @(posedge clk_i) begin
    btn_q <= {btn_q[0], btn_ni};
    if (!btn_q[1]) por_q <= 4'd0;
    else if (por_q != 4'hF) por_q <= por_q + 4'd1;
  end
  assign rst_n = por_q == 4'hF;

  // ---- UART
  logic       rx_valid, rx_ferr, tx_valid, tx_ready;
  logic [7:0] rx_data, tx_data;
  bm_uart_rx #(.CPB(CPB)) u_rx (
    .clk_i, .rst_ni(rst_n), .rx_i, .valid_o(rx_valid), .data_o(rx_data), .frame_err_o(rx_ferr));
  bm_uart_tx #(.CPB(CPB)) u_tx (
    .clk_i, .rst_ni(rst_n), .valid_i(tx_valid), .data_i(tx_data), .ready_o(tx_ready), .tx_o);

  // ---- bridge <-> s_axi_control
  logic [11:0] c_awaddr, c_araddr;
  logic        c_awvalid, c_awready, c_wvalid, c_wready, c_bvalid, c_bready;
  logic        c_arvalid, c_arready, c_rvalid, c_rready;
  logic [31:0] c_wdata, c_rdata;
  logic [3:0]  c_wstrb;
  logic [1:0]  c_bresp, c_rresp;
  // bridge <-> memory
  logic          b_req, b_we, b_gnt;
  logic [MW-1:0] b_addr;
  logic [31:0]   b_wdata, b_rdata;
  logic [3:0]    b_be;
  logic          f_ok, f_bad;

  bm_bridge #(.MEM_BASE(MEM_BASE), .MEM_WORDS(MEM_WORDS), .IDLE_CYCLES(IDLE_CYCLES)) u_bridge (
    .clk_i, .rst_ni(rst_n),
    .rx_valid_i(rx_valid), .rx_data_i(rx_data),
    .tx_valid_o(tx_valid), .tx_data_o(tx_data), .tx_ready_i(tx_ready),
    .awaddr_o(c_awaddr), .awvalid_o(c_awvalid), .awready_i(c_awready),
    .wdata_o(c_wdata), .wstrb_o(c_wstrb), .wvalid_o(c_wvalid), .wready_i(c_wready),
    .bvalid_i(c_bvalid), .bready_o(c_bready),
    .araddr_o(c_araddr), .arvalid_o(c_arvalid), .arready_i(c_arready),
    .rdata_i(c_rdata), .rvalid_i(c_rvalid), .rready_o(c_rready),
    .mreq_o(b_req), .mwe_o(b_we), .maddr_o(b_addr), .mwdata_o(b_wdata), .mbe_o(b_be),
    .mgnt_i(b_gnt), .mrdata_i(b_rdata), .frame_ok_o(f_ok), .frame_bad_o(f_bad));

  // ---- accelerator <-> memory
  logic [63:0] g_awaddr, g_araddr;
  logic [7:0]  g_awlen, g_arlen;
  logic [2:0]  g_awsize, g_arsize;
  logic [1:0]  g_awburst, g_arburst, g_bresp, g_rresp;
  logic        g_awvalid, g_awready, g_wlast, g_wvalid, g_wready, g_bvalid, g_bready;
  logic        g_arvalid, g_arready, g_rlast, g_rvalid, g_rready, irq;
  logic [31:0] g_wdata, g_rdata;
  logic [3:0]  g_wstrb;

  if (ACCEL != 0) begin : g_acc
  bm_top u_acc (
    .ap_clk(clk_i), .ap_rst_n(rst_n), .interrupt(irq),
    .s_axi_control_awaddr(c_awaddr), .s_axi_control_awvalid(c_awvalid),
    .s_axi_control_awready(c_awready), .s_axi_control_wdata(c_wdata),
    .s_axi_control_wstrb(c_wstrb), .s_axi_control_wvalid(c_wvalid),
    .s_axi_control_wready(c_wready), .s_axi_control_bresp(c_bresp),
    .s_axi_control_bvalid(c_bvalid), .s_axi_control_bready(c_bready),
    .s_axi_control_araddr(c_araddr), .s_axi_control_arvalid(c_arvalid),
    .s_axi_control_arready(c_arready), .s_axi_control_rdata(c_rdata),
    .s_axi_control_rresp(c_rresp), .s_axi_control_rvalid(c_rvalid),
    .s_axi_control_rready(c_rready),
    .m_axi_gmem_awaddr(g_awaddr), .m_axi_gmem_awlen(g_awlen), .m_axi_gmem_awsize(g_awsize),
    .m_axi_gmem_awburst(g_awburst), .m_axi_gmem_awvalid(g_awvalid),
    .m_axi_gmem_awready(g_awready), .m_axi_gmem_wdata(g_wdata), .m_axi_gmem_wstrb(g_wstrb),
    .m_axi_gmem_wlast(g_wlast), .m_axi_gmem_wvalid(g_wvalid), .m_axi_gmem_wready(g_wready),
    .m_axi_gmem_bresp(g_bresp), .m_axi_gmem_bvalid(g_bvalid), .m_axi_gmem_bready(g_bready),
    .m_axi_gmem_araddr(g_araddr), .m_axi_gmem_arlen(g_arlen), .m_axi_gmem_arsize(g_arsize),
    .m_axi_gmem_arburst(g_arburst), .m_axi_gmem_arvalid(g_arvalid),
    .m_axi_gmem_arready(g_arready), .m_axi_gmem_rdata(g_rdata), .m_axi_gmem_rresp(g_rresp),
    .m_axi_gmem_rlast(g_rlast), .m_axi_gmem_rvalid(g_rvalid), .m_axi_gmem_rready(g_rready));
  end else begin : g_regs
    logic              unused_start;
    logic [63:0]       unused_insn;
    logic [31:0]       unused_count;
    logic [4*64-1:0]   unused_base;
    bm_ctrl_regs #(.NC(bm_regs_pkg::N_COUNTERS)) u_regs (
      .clk_i, .rst_ni(rst_n),
      .awaddr_i(c_awaddr), .awvalid_i(c_awvalid), .awready_o(c_awready), .wdata_i(c_wdata),
      .wstrb_i(c_wstrb), .wvalid_i(c_wvalid), .wready_o(c_wready), .bresp_o(c_bresp),
      .bvalid_o(c_bvalid), .bready_i(c_bready), .araddr_i(c_araddr), .arvalid_i(c_arvalid),
      .arready_o(c_arready), .rdata_o(c_rdata), .rresp_o(c_rresp), .rvalid_o(c_rvalid),
      .rready_i(c_rready), .interrupt_o(irq),
      .start_o(unused_start), .done_i(1'b0), .running_i(1'b0), .err_i(8'd0), .err_pc_i(32'd0),
      .cnt_i('0), .insn_addr_o(unused_insn), .insn_count_o(unused_count), .base_o(unused_base));
    assign g_awaddr = '0; assign g_awlen = '0; assign g_awsize = '0; assign g_awburst = '0;
    assign g_awvalid = 1'b0; assign g_wdata = '0; assign g_wstrb = '0; assign g_wlast = 1'b0;
    assign g_wvalid = 1'b0; assign g_bready = 1'b1; assign g_araddr = '0; assign g_arlen = '0;
    assign g_arsize = '0; assign g_arburst = '0; assign g_arvalid = 1'b0; assign g_rready = 1'b1;
    logic unused_mem;
    assign unused_mem = ^{g_bresp, g_rresp, g_awready, g_wready, g_bvalid, g_arready, g_rdata,
                          g_rlast, g_rvalid};
  end

  bm_ice40_mem #(.BASE(MEM_BASE), .WORDS(MEM_WORDS), .HOST_BYTES(4 * MEM_WORDS - 4096)) u_mem (
    .clk_i, .rst_ni(rst_n),
    .awaddr_i(g_awaddr), .awvalid_i(g_awvalid), .awready_o(g_awready),
    .wdata_i(g_wdata), .wstrb_i(g_wstrb), .wlast_i(g_wlast), .wvalid_i(g_wvalid),
    .wready_o(g_wready), .bresp_o(g_bresp), .bvalid_o(g_bvalid), .bready_i(g_bready),
    .araddr_i(g_araddr), .arlen_i(g_arlen), .arvalid_i(g_arvalid), .arready_o(g_arready),
    .rdata_o(g_rdata), .rresp_o(g_rresp), .rlast_o(g_rlast), .rvalid_o(g_rvalid),
    .rready_i(g_rready),
    .req_i(b_req), .we_i(b_we), .addr_i(b_addr), .wdata_b_i(b_wdata), .be_i(b_be),
    .gnt_o(b_gnt), .rdata_b_o(b_rdata));

  // AXI fields the memory does not need (4-byte INCR bursts only, ended by
  // wlast), register responses (always OKAY) and the interrupt (polled).
  logic unused_sig;
  assign unused_sig = ^{g_awlen, g_awsize, g_awburst, g_arsize, g_arburst, c_bresp, c_rresp,
                        irq, f_ok};

  // ---- LEDs
  logic [23:0] beat_q;
  logic [21:0] bad_q;
  always_ff @(posedge clk_i or negedge rst_n) begin
    if (!rst_n) begin
      beat_q <= '0; bad_q <= '0;
    end else begin
      beat_q <= beat_q + 24'd1;
      if (f_bad || rx_ferr) bad_q <= '1;
      else if (bad_q != '0) bad_q <= bad_q - 22'd1;
    end
  end
  assign ledg_no = !beat_q[23];
  assign ledr_no = bad_q == '0;
endmodule
