// bm_ice40_mem: the board memory. One 32-bit single-port RAM (bm_ice40_spram,
// latency 1) shared by three requesters, granted round robin one access per
// cycle: the AXI4 read channel, the AXI4 write channel (both serving bm_top's
// m_axi_gmem, data width 4 bytes, INCR bursts) and a word port for the UART
// bridge. Device address A (64 bits) is RAM byte A - BASE; AXI bursts that
// start outside [BASE, BASE + HOST_BYTES) get SLVERR on every beat and touch
// nothing (the range is a multiple of 4 KiB, so no legal burst crosses it).
// The bridge port reaches all WORDS words (the words above HOST_BYTES are its
// staging buffer). Read bursts: one beat per cycle when granted, through a
// two-entry buffer that honours rready. Write bursts: AW first, then a beat
// per granted cycle (wready), B after wlast; awlen is not needed.
module bm_ice40_mem #(
  parameter logic [63:0] BASE       = 64'h8000_0000,
  parameter int unsigned WORDS      = 32768,          // RAM words (power of two)
  parameter int unsigned HOST_BYTES = 4 * 32768 - 4096, // AXI-visible bytes from BASE
  parameter int unsigned AW         = $clog2(WORDS)
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // AXI4 slave (from bm_top m_axi_gmem), 32-bit data
  input  logic [63:0]   awaddr_i,
  input  logic          awvalid_i,
  output logic          awready_o,
  input  logic [31:0]   wdata_i,
  input  logic [3:0]    wstrb_i,
  input  logic          wlast_i,
  input  logic          wvalid_i,
  output logic          wready_o,
  output logic [1:0]    bresp_o,
  output logic          bvalid_o,
  input  logic          bready_i,
  input  logic [63:0]   araddr_i,
  input  logic [7:0]    arlen_i,
  input  logic          arvalid_i,
  output logic          arready_o,
  output logic [31:0]   rdata_o,
  output logic [1:0]    rresp_o,
  output logic          rlast_o,
  output logic          rvalid_o,
  input  logic          rready_i,
  // bridge word port: held until gnt_o; read data on rdata_o the next cycle
  input  logic          req_i,
  input  logic          we_i,
  input  logic [AW-1:0] addr_i,
  input  logic [31:0]   wdata_b_i,
  input  logic [3:0]    be_i,
  output logic          gnt_o,
  output logic [31:0]   rdata_b_o
);
  localparam int unsigned BW = AW + 2;   // byte-address bits of the RAM

  // ---- address decode (start of a burst)
  function automatic logic in_range(input logic [63:0] a);
    in_range = a[63:BW] == BASE[63:BW] && 32'(a[BW-1:0]) < HOST_BYTES;
  endfunction

  // ---- read channel state
  logic          rd_act_q, rd_err_q, infl_q, infl_last_q, infl_err_q;
  logic [AW-1:0] rd_addr_q;
  logic [7:0]    rd_left_q;     // beats still to issue - 1
  logic [1:0]    rb_cnt_q;      // beats in the R buffer
  logic [33:0]   rb_q [2];      // {last, err, data}
  logic          rb_rd_q, rb_wr_q;
  logic          r_want, r_issue, r_pop, r_push;
  logic [33:0]   r_entry;

  // ---- write channel state
  logic          wr_act_q, wr_err_q, bv_q, bresp_err_q;
  logic [AW-1:0] wr_addr_q;
  logic          w_want, w_beat;

  // ---- arbitration
  logic [2:0]    want, gnt;
  logic [1:0]    last_q;        // index of the last grant: 0 read, 1 write, 2 bridge

  assign r_pop  = rvalid_o && rready_i;
  assign r_want = rd_act_q && !rd_err_q && ({1'b0, rb_cnt_q} + {2'b0, infl_q} - {2'b0, r_pop}) < 3'd2;
  assign w_want = wr_act_q && !wr_err_q && wvalid_i;
  assign want   = {req_i, w_want, r_want};

  // round robin: the requester after the last granted one goes first
  always_comb begin
    gnt = '0;
    case (last_q)
      2'd0:    if (want[1]) gnt[1] = 1'b1; else if (want[2]) gnt[2] = 1'b1; else gnt[0] = want[0];
      2'd1:    if (want[2]) gnt[2] = 1'b1; else if (want[0]) gnt[0] = 1'b1; else gnt[1] = want[1];
      default: if (want[0]) gnt[0] = 1'b1; else if (want[1]) gnt[1] = 1'b1; else gnt[2] = want[2];
    endcase
  end

  // error bursts need no RAM cycle
  assign r_issue = rd_act_q && (rd_err_q ? ({1'b0, rb_cnt_q} + {2'b0, infl_q} - {2'b0, r_pop}) < 3'd2
                                         : gnt[0]);
  assign w_beat  = wr_act_q && wvalid_i && (wr_err_q || gnt[1]);
  assign gnt_o   = gnt[2];

  // ---- the RAM
  logic          m_req, m_we;
  logic [AW-1:0] m_addr;
  logic [31:0]   m_wdata, m_rdata;
  logic [3:0]    m_be;
  always_comb begin
    m_req = |gnt;
    m_we = 1'b0; m_addr = rd_addr_q; m_wdata = wdata_i; m_be = wstrb_i;
    if (gnt[1]) begin m_we = 1'b1; m_addr = wr_addr_q; end
    if (gnt[2]) begin m_we = we_i; m_addr = addr_i; m_wdata = wdata_b_i; m_be = be_i; end
  end
  bm_ice40_spram #(.WORDS(WORDS), .AW(AW)) u_ram (
    .clk_i, .req_i(m_req), .we_i(m_we), .addr_i(m_addr), .wdata_i(m_wdata), .be_i(m_be),
    .rdata_o(m_rdata));
  assign rdata_b_o = m_rdata;

  // ---- R buffer: the beat issued last cycle enters it now
  assign r_push  = infl_q;
  assign r_entry = {infl_last_q, infl_err_q, infl_err_q ? 32'h0 : m_rdata};
  assign rvalid_o = rb_cnt_q != 2'd0;
  assign rdata_o  = rb_q[rb_rd_q][31:0];
  assign rresp_o  = rb_q[rb_rd_q][32] ? 2'b10 : 2'b00;
  assign rlast_o  = rb_q[rb_rd_q][33];
  assign arready_o = !rd_act_q;

  assign awready_o = !wr_act_q && !bv_q;
  assign wready_o  = wr_act_q && (wr_err_q || gnt[1]);
  assign bvalid_o  = bv_q;
  assign bresp_o   = bresp_err_q ? 2'b10 : 2'b00;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_act_q <= 1'b0; rd_err_q <= 1'b0; infl_q <= 1'b0; infl_last_q <= 1'b0; infl_err_q <= 1'b0;
      rd_addr_q <= '0; rd_left_q <= '0; rb_cnt_q <= '0; rb_rd_q <= 1'b0; rb_wr_q <= 1'b0;
      rb_q[0] <= '0; rb_q[1] <= '0;
      wr_act_q <= 1'b0; wr_err_q <= 1'b0; bv_q <= 1'b0; bresp_err_q <= 1'b0; wr_addr_q <= '0;
      last_q <= 2'd2;
    end else begin
      if (gnt[0]) last_q <= 2'd0;
      if (gnt[1]) last_q <= 2'd1;
      if (gnt[2]) last_q <= 2'd2;
      // read channel: accept a burst, issue its beats, buffer the data
      if (arvalid_i && arready_o) begin
        rd_act_q  <= 1'b1;
        rd_err_q  <= !in_range(araddr_i);
        rd_addr_q <= araddr_i[BW-1:2];
        rd_left_q <= arlen_i;
      end
      infl_q <= r_issue;
      if (r_issue) begin
        infl_last_q <= rd_left_q == 8'd0;
        infl_err_q  <= rd_err_q;
        rd_addr_q   <= rd_addr_q + 1'b1;
        rd_left_q   <= rd_left_q - 8'd1;
        if (rd_left_q == 8'd0) rd_act_q <= 1'b0;
      end
      if (r_push) begin
        rb_q[rb_wr_q] <= r_entry;
        rb_wr_q <= !rb_wr_q;
      end
      if (r_pop) rb_rd_q <= !rb_rd_q;
      rb_cnt_q <= rb_cnt_q + 2'(r_push) - 2'(r_pop);
      // write channel
      if (awvalid_i && awready_o) begin
        wr_act_q  <= 1'b1;
        wr_err_q  <= !in_range(awaddr_i);
        wr_addr_q <= awaddr_i[BW-1:2];
      end
      if (w_beat) begin
        wr_addr_q <= wr_addr_q + 1'b1;
        if (wlast_i) begin
          wr_act_q <= 1'b0; bv_q <= 1'b1; bresp_err_q <= wr_err_q;
        end
      end
      if (bv_q && bready_i) bv_q <= 1'b0;
    end
  end
endmodule
