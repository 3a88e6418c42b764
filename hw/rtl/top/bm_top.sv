// bm_top: the bitmill accelerator as a Vitis RTL kernel (ap_ctrl_hs).
// s_axi_control (AXI4-Lite) -> bm_ctrl_regs; m_axi_gmem (AXI4 master, one
// read and one write burst in flight) shared by instruction fetch and LOAD
// (read arbiter: fetch wins) and STORE (write channel). Fetch -> dispatch ->
// three in-order queues -> LOAD / COMPUTE / STORE units synchronised by four
// token counters (L2C, C2L, C2S, S2C). Errors stop the machine cleanly: no
// new starts, in-flight bursts drain, then ap_done. Cycle behaviour follows
// docs/timing.md exactly.
module bm_top (
  input  logic        ap_clk,
  input  logic        ap_rst_n,
  /* verilator lint_off SYMRSVDWORD */
  output logic        interrupt,      // Vitis kernel port name
  /* verilator lint_on SYMRSVDWORD */
  // AXI4-Lite control
  input  logic [11:0] s_axi_control_awaddr,
  input  logic        s_axi_control_awvalid,
  output logic        s_axi_control_awready,
  input  logic [31:0] s_axi_control_wdata,
  input  logic [3:0]  s_axi_control_wstrb,
  input  logic        s_axi_control_wvalid,
  output logic        s_axi_control_wready,
  output logic [1:0]  s_axi_control_bresp,
  output logic        s_axi_control_bvalid,
  input  logic        s_axi_control_bready,
  input  logic [11:0] s_axi_control_araddr,
  input  logic        s_axi_control_arvalid,
  output logic        s_axi_control_arready,
  output logic [31:0] s_axi_control_rdata,
  output logic [1:0]  s_axi_control_rresp,
  output logic        s_axi_control_rvalid,
  input  logic        s_axi_control_rready,
  // AXI4 master
  output logic [63:0] m_axi_gmem_awaddr,
  output logic [7:0]  m_axi_gmem_awlen,
  output logic [2:0]  m_axi_gmem_awsize,
  output logic [1:0]  m_axi_gmem_awburst,
  output logic        m_axi_gmem_awvalid,
  input  logic        m_axi_gmem_awready,
  output logic [bm_cfg_pkg::AXI_BYTES*8-1:0] m_axi_gmem_wdata,
  output logic [bm_cfg_pkg::AXI_BYTES-1:0]   m_axi_gmem_wstrb,
  output logic        m_axi_gmem_wlast,
  output logic        m_axi_gmem_wvalid,
  input  logic        m_axi_gmem_wready,
  input  logic [1:0]  m_axi_gmem_bresp,
  input  logic        m_axi_gmem_bvalid,
  output logic        m_axi_gmem_bready,
  output logic [63:0] m_axi_gmem_araddr,
  output logic [7:0]  m_axi_gmem_arlen,
  output logic [2:0]  m_axi_gmem_arsize,
  output logic [1:0]  m_axi_gmem_arburst,
  output logic        m_axi_gmem_arvalid,
  input  logic        m_axi_gmem_arready,
  input  logic [bm_cfg_pkg::AXI_BYTES*8-1:0] m_axi_gmem_rdata,
  input  logic [1:0]  m_axi_gmem_rresp,
  input  logic        m_axi_gmem_rlast,
  input  logic        m_axi_gmem_rvalid,
  output logic        m_axi_gmem_rready
);
  // ---- parameters (all from bm_cfg_pkg; derived sizes computed here)
  localparam int unsigned R    = bm_cfg_pkg::ROWS;
  localparam int unsigned C    = bm_cfg_pkg::COLS;
  localparam int unsigned L    = bm_cfg_pkg::LANES;
  localparam int unsigned MAXB = bm_cfg_pkg::MAX_BITS;
  localparam int unsigned MT   = bm_cfg_pkg::MAX_TERMS;
  localparam int unsigned TB   = bm_cfg_pkg::TABLE_BITS;
  localparam int unsigned DW   = bm_cfg_pkg::AXI_BYTES;
  localparam int unsigned TABB = 4 * (1 << TB) * MT;
  localparam int unsigned WNEED = (R * L * (MAXB + 2) + 7 + 7) / 8;
  localparam int unsigned WLB  = 1 << $clog2(WNEED > DW ? WNEED : DW);
  localparam int unsigned ALB  = 1 << $clog2(2 * C * L > DW ? 2 * C * L : DW);
  localparam int unsigned MLB  = 1 << $clog2(2 * R > DW ? 2 * R : DW);
  localparam int unsigned CLB  = 1 << $clog2(4 * R > DW ? 4 * R : DW);
  localparam int unsigned NC   = bm_regs_pkg::N_COUNTERS;
  localparam int unsigned SATW = $clog2(R * C + 1);
  // device address bits (preset addr_bits): INSN/BASEn registers, fetch
  // addresses, DMA legality and burst state; m_axi_* addresses stay 64-bit
  localparam int unsigned AB   = bm_cfg_pkg::ADDR_BITS;
  // LOAD scratchpad write addresses stay below the largest scratchpad
  localparam int unsigned SPMAX = bm_cfg_pkg::WGT_BYTES > bm_cfg_pkg::ACT_BYTES ?
                                  bm_cfg_pkg::WGT_BYTES : bm_cfg_pkg::ACT_BYTES;
  localparam int unsigned SPMX2 = bm_cfg_pkg::META_BYTES > TABB ? bm_cfg_pkg::META_BYTES : TABB;
  localparam int unsigned SPB  = $clog2((SPMAX > SPMX2 ? SPMAX : SPMX2) + 1);

  logic clk, rst_n;
  assign clk   = ap_clk;
  assign rst_n = ap_rst_n;

  // ---- control registers
  logic        start, done, run_q;
  logic [7:0]  err_q;
  logic [31:0] errpc_q;
  logic [AB-1:0] insn_addr;
  logic [31:0] insn_count;
  logic [4*AB-1:0] base;
  logic [NC*32+31:0] cnt_flat;

  bm_ctrl_regs #(.NC(NC), .AB(AB)) u_regs (
    .clk_i(clk), .rst_ni(rst_n),
    .awaddr_i(s_axi_control_awaddr), .awvalid_i(s_axi_control_awvalid),
    .awready_o(s_axi_control_awready), .wdata_i(s_axi_control_wdata),
    .wstrb_i(s_axi_control_wstrb), .wvalid_i(s_axi_control_wvalid),
    .wready_o(s_axi_control_wready), .bresp_o(s_axi_control_bresp),
    .bvalid_o(s_axi_control_bvalid), .bready_i(s_axi_control_bready),
    .araddr_i(s_axi_control_araddr), .arvalid_i(s_axi_control_arvalid),
    .arready_o(s_axi_control_arready), .rdata_o(s_axi_control_rdata),
    .rresp_o(s_axi_control_rresp), .rvalid_o(s_axi_control_rvalid),
    .rready_i(s_axi_control_rready), .interrupt_o(interrupt),
    .start_o(start), .done_i(done), .running_i(run_q), .err_i(err_q), .err_pc_i(errpc_q),
    .cnt_i(cnt_flat), .insn_addr_o(insn_addr), .insn_count_o(insn_count), .base_o(base));

  logic clr, en, stop;
  assign clr  = start;
  assign stop = err_q != 8'd0;
  assign en   = run_q && !stop;

  // ---- read channel arbitration (fetch wins) and routing
  logic        rd_busy_q, rd_own_q;   // owner: 0 fetch, 1 load
  logic        f_req, l_req, f_gnt, l_gnt;
  logic [63:0] f_addr, l_addr;
  logic [7:0]  f_len, l_len;
  logic        r_beat, r_err;

  assign m_axi_gmem_arvalid = !rd_busy_q && (f_req || l_req);
  assign m_axi_gmem_araddr  = f_req ? f_addr : l_addr;
  assign m_axi_gmem_arlen   = f_req ? f_len : l_len;
  assign m_axi_gmem_arsize  = 3'($clog2(DW));
  assign m_axi_gmem_arburst = 2'b01;
  assign m_axi_gmem_rready  = 1'b1;
  assign f_gnt  = m_axi_gmem_arvalid && m_axi_gmem_arready && f_req;
  assign l_gnt  = m_axi_gmem_arvalid && m_axi_gmem_arready && !f_req;
  assign r_beat = m_axi_gmem_rvalid && rd_busy_q;
  assign r_err  = m_axi_gmem_rresp != 2'b00;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      rd_busy_q <= 1'b0; rd_own_q <= 1'b0;
    end else begin
      if (f_gnt || l_gnt) begin rd_busy_q <= 1'b1; rd_own_q <= l_gnt; end
      if (r_beat && m_axi_gmem_rlast) rd_busy_q <= 1'b0;
    end
  end

  // ---- fetch and dispatch
  logic         f_avail, f_take, f_busy, f_exh, f_err, fin_q, fin_now, d_blocked, d_err;
  logic [127:0] f_insn;
  logic [31:0]  f_pc, f_errpc;
  logic [2:0]   q_full, q_push, q_empty;
  logic [7:0]   d_code;

  bm_fetch #(.DW(DW), .FD(bm_cfg_pkg::FETCH_DEPTH), .AB(AB)) u_fetch (
    .clk_i(clk), .rst_ni(rst_n), .clr_i(clr), .en_i(en && !fin_q),
    .insn_addr_i(insn_addr), .insn_count_i(insn_count),
    .ar_req_o(f_req), .ar_addr_o(f_addr), .ar_len_o(f_len), .ar_gnt_i(f_gnt),
    .r_valid_i(r_beat && !rd_own_q), .r_data_i(m_axi_gmem_rdata), .r_last_i(m_axi_gmem_rlast),
    .r_err_i(r_err), .avail_o(f_avail), .insn_o(f_insn), .pc_o(f_pc), .take_i(f_take),
    .busy_o(f_busy), .exhausted_o(f_exh), .err_o(f_err), .err_pc_o(f_errpc));

  bm_dispatch u_disp (
    .clk_i(clk), .rst_ni(rst_n), .clr_i(clr), .en_i(en), .avail_i(f_avail), .insn_i(f_insn),
    .take_o(f_take), .full_i(q_full), .push_o(q_push), .finish_o(fin_q), .fin_now_o(fin_now),
    .blocked_o(d_blocked), .err_o(d_err), .err_code_o(d_code));

  // ---- queues: {pc, insn}
  logic [3*160-1:0] q_head;    // {pc, insn} at the head of each queue
  logic [2:0]   u_start;
  for (genvar u = 0; u < 3; u++) begin : g_q
    bm_fifo #(.W(160), .DEPTH(bm_cfg_pkg::QUEUE_DEPTH)) u_fifo (
      .clk_i(clk), .rst_ni(rst_n), .clr_i(clr), .push_i(q_push[u]), .data_i({f_pc, f_insn}),
      .pop_i(u_start[u]), .head_o(q_head[u*160 +: 160]), .empty_o(q_empty[u]), .full_o(q_full[u]));
  end

  // LOAD/STORE legality, decided at dispatch by one shared checker and queued
  // beside the instruction (same push/pop as the LOAD and STORE queues)
  logic [7:0]  f_chk;
  logic [15:0] q_chk;          // codes at the heads of the LOAD (0) and STORE (1) queues
  /* verilator lint_off UNUSEDSIGNAL */
  logic [3:0]  chk_flags;      // the main queues' empty/full say the same
  /* verilator lint_on UNUSEDSIGNAL */
  bm_dma_check #(.WGT_BYTES(bm_cfg_pkg::WGT_BYTES), .META_BYTES(bm_cfg_pkg::META_BYTES),
                 .ACT_BYTES(bm_cfg_pkg::ACT_BYTES), .TAB_BYTES(TABB),
                 .ACC_BYTES(bm_cfg_pkg::ACC_BYTES), .AB(AB)) u_chk (
    .insn_i(f_insn), .base_i(base), .code_o(f_chk));
  for (genvar k = 0; k < 2; k++) begin : g_chk
    bm_fifo #(.W(8), .DEPTH(bm_cfg_pkg::QUEUE_DEPTH)) u_fifo (
      .clk_i(clk), .rst_ni(rst_n), .clr_i(clr), .push_i(q_push[2*k]), .data_i(f_chk),
      .pop_i(u_start[2*k]), .head_o(q_chk[k*8 +: 8]), .empty_o(chk_flags[2*k]),
      .full_o(chk_flags[2*k+1]));
  end

  // ---- unit scheduling and tokens
  // tokens: 0 L2C (load -> compute), 1 C2L, 2 C2S, 3 S2C
  logic [31:0] tok_q;          // 4 x 8-bit token counters
  logic [3:0]  tok_inc, tok_dec, tok_ovf;
  logic [2:0]  u_busy, u_last, u_nop, u_tokok, u_shp, u_shn;
  // LOAD has no previous stage and STORE no next one: those flag bits are
  // decoded uniformly but never used (bm_dispatch / bm_load / bm_store reject them).
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2:0]  u_pp, u_pn, u_pushp, u_pushn;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [2:0]  cur_pp_q, cur_pn_q;
  logic [95:0] cur_pc_q;

  always_comb begin
    for (int u = 0; u < 3; u++) begin
      u_nop[u] = q_head[u*160 +: 4] == bm_isa_pkg::OP_NOP;
      u_pp[u]  = q_head[u*160 + 4];   // pop_prev
      u_pn[u]  = q_head[u*160 + 5];   // pop_next
      u_shp[u] = q_head[u*160 + 6];   // push_prev
      u_shn[u] = q_head[u*160 + 7];   // push_next
    end
    u_tokok[0] = !(u_pn[0] && tok_q[1*8 +: 8] == 8'd0);
    u_tokok[1] = !(u_pp[1] && tok_q[0*8 +: 8] == 8'd0) && !(u_pn[1] && tok_q[3*8 +: 8] == 8'd0);
    u_tokok[2] = !(u_pp[2] && tok_q[2*8 +: 8] == 8'd0);
  end
  always_comb begin
    for (int u = 0; u < 3; u++) u_start[u] = en && !q_empty[u] && !u_busy[u] && u_tokok[u];
  end
  always_comb begin
    for (int u = 0; u < 3; u++) begin
      u_pushp[u] = u_last[u] && (u_start[u] ? u_shp[u] : cur_pp_q[u]);
      u_pushn[u] = u_last[u] && (u_start[u] ? u_shn[u] : cur_pn_q[u]);
    end
    tok_inc = {u_pushp[2], u_pushn[1], u_pushp[1], u_pushn[0]};
    tok_dec = {u_start[1] && u_pn[1], u_start[2] && u_pp[2], u_start[0] && u_pn[0],
               u_start[1] && u_pp[1]};
    for (int i = 0; i < 4; i++) tok_ovf[i] = tok_inc[i] && !tok_dec[i] && tok_q[i*8 +: 8] == 8'hff;
  end

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      for (int i = 0; i < 4; i++) tok_q[i*8 +: 8] <= '0;
      for (int u = 0; u < 3; u++) cur_pc_q[u*32 +: 32] <= '0;
      cur_pp_q <= '0; cur_pn_q <= '0;
    end else if (clr) begin
      for (int i = 0; i < 4; i++) tok_q[i*8 +: 8] <= '0;
    end else begin
      for (int i = 0; i < 4; i++) tok_q[i*8 +: 8] <= tok_q[i*8 +: 8] + 8'(tok_inc[i]) - 8'(tok_dec[i]);
      for (int u = 0; u < 3; u++) begin
        if (u_start[u]) begin
          cur_pc_q[u*32 +: 32] <= q_head[u*160 + 128 +: 32];
          cur_pp_q[u] <= u_shp[u];
          cur_pn_q[u] <= u_shn[u];
        end
      end
    end
  end

  // ---- units
  logic [2:0]  u_err;
  logic [23:0] u_code;
  logic        l_busy, c_busy, s_busy, l_last, c_last, s_last;
  logic        l_we;
  logic [1:0]  l_sel;
  logic [31:0] l_waddr;
  logic [DW*8-1:0] l_wdata;
  logic [DW-1:0]   l_wmask;
  logic        c_step;
  logic [SATW-1:0] c_nsat;
  logic        s_wbeat;

  bm_load #(.DW(DW), .AB(AB), .SPB(SPB)) u_load (
    .clk_i(clk), .rst_ni(rst_n), .clr_i(clr), .abort_i(stop),
    .start_i(u_start[0] && !u_nop[0]), .insn_i(q_head[0*160 +: 128]), .chk_i(q_chk[7:0]), .base_i(base),
    .busy_o(l_busy), .last_o(l_last), .err_o(u_err[0]), .err_code_o(u_code[0*8 +: 8]),
    .ar_req_o(l_req), .ar_addr_o(l_addr), .ar_len_o(l_len), .ar_gnt_i(l_gnt),
    .r_valid_i(r_beat && rd_own_q), .r_data_i(m_axi_gmem_rdata), .r_last_i(m_axi_gmem_rlast),
    .r_err_i(r_err), .sp_we_o(l_we), .sp_sel_o(l_sel), .sp_addr_o(l_waddr),
    .sp_data_o(l_wdata), .sp_mask_o(l_wmask));

  // scratchpads
  // Scratchpad address ports are as wide as the scratchpad; each spad only
  // produces the window bytes its readers use (RB) and only has the
  // rotation stages its callers' address granularity needs (bm_spad).
  localparam int unsigned WAW = $clog2(bm_cfg_pkg::WGT_BYTES);
  localparam int unsigned MAW = $clog2(bm_cfg_pkg::META_BYTES);
  localparam int unsigned AAW = $clog2(bm_cfg_pkg::ACT_BYTES);
  localparam int unsigned CAW = $clog2(bm_cfg_pkg::ACC_BYTES);
  localparam int unsigned ARG = (C * L) & ~(C * L - 1);  // ACT read step: 2^k dividing C*L
  localparam int unsigned CRB = 4 * R > DW ? 4 * R : DW; // ACC bytes read: COMPUTE, STORE
  logic              w_re, m_re, a_re, cp_re, cp_we, st_re;
  logic [WAW-1:0]    w_ra;
  logic [MAW-1:0]    m_ra;
  logic [AAW-1:0]    a_ra;
  logic [CAW-1:0]    cp_ra, cp_wa;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0]       st_ra;  // STORE's ACC address: legal ones are below ACC_BYTES
  /* verilator lint_on UNUSEDSIGNAL */
  logic [WLB*8-1:0]  w_rd;
  logic [2*R*8-1:0]  m_rd;
  logic [2*C*L*8-1:0] a_rd;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2*CRB*8-1:0] c_rd;  // COMPUTE uses the first 4*R bytes, STORE the first DW
  /* verilator lint_on UNUSEDSIGNAL */
  logic [R*32-1:0]   cp_wd;
  logic [4*R-1:0]    cp_wm;
  // decode table: written by LOAD, read by COMPUTE (term t at stage 1)
  localparam int unsigned TW  = $clog2(MT) > 0 ? $clog2(MT) : 1;
  localparam int unsigned GPW = $clog2(bm_isa_pkg::GROUP_MAX) + $clog2(MT) + 16;  // |gp| <= GROUP_MAX*128*MT*128
  localparam int unsigned ASW = $clog2(bm_isa_pkg::GROUP_MAX) + 8;                // |asum| <= GROUP_MAX*128
  logic [MT*4*(1<<TB)*5-1:0] t_tab;

  bm_spad #(.LB(WLB), .BYTES(bm_cfg_pkg::WGT_BYTES), .AW(WAW), .NRD(1), .WB(DW)) u_wgt (
    .clk_i(clk), .we_i(l_we && l_sel == bm_isa_pkg::SP_WGT), .waddr_i(l_waddr[WAW-1:0]),
    .wdata_i(l_wdata), .wmask_i(l_wmask), .re_i(w_re), .raddr_i(w_ra),
    .rdata_o(w_rd));
  bm_spad #(.LB(MLB), .BYTES(bm_cfg_pkg::META_BYTES), .AW(MAW), .NRD(1), .WB(DW),
            .RB(2 * R), .RG(2)) u_meta (
    .clk_i(clk), .we_i(l_we && l_sel == bm_isa_pkg::SP_META), .waddr_i(l_waddr[MAW-1:0]),
    .wdata_i(l_wdata), .wmask_i(l_wmask), .re_i(m_re), .raddr_i(m_ra),
    .rdata_o(m_rd));
  bm_spad #(.LB(ALB), .BYTES(bm_cfg_pkg::ACT_BYTES), .AW(AAW), .NRD(1), .WB(DW),
            .RB(2 * C * L), .RG(ARG)) u_act (
    .clk_i(clk), .we_i(l_we && l_sel == bm_isa_pkg::SP_ACT), .waddr_i(l_waddr[AAW-1:0]),
    .wdata_i(l_wdata), .wmask_i(l_wmask), .re_i(a_re), .raddr_i(a_ra),
    .rdata_o(a_rd));
  // ACC is only accessed in aligned int32 words. With one word per line
  // (CLB = 4) a same-cycle read and write of one line is either the same word
  // (a race between COMPUTE and STORE, undefined by the ISA; COMPUTE never
  // reads and writes ACC in the same cycle) or the other bank's half of a
  // window, which the reader discards: old data is never needed.
  bm_spad #(.LB(CLB), .BYTES(bm_cfg_pkg::ACC_BYTES), .AW(CAW), .NRD(2), .WB(4 * R), .WG(4),
            .RB(CRB), .RG(4), .RDW_OLD(CLB > 4)) u_acc (
    .clk_i(clk), .we_i(cp_we), .waddr_i(cp_wa), .wdata_i(cp_wd), .wmask_i(cp_wm),
    .re_i({st_re, cp_re}), .raddr_i({st_ra[CAW-1:0], cp_ra}), .rdata_o(c_rd));
  bm_tab #(.TB(TB), .MT(MT), .DW(DW)) u_tab (
    .clk_i(clk), .rst_ni(rst_n), .we_i(l_we && l_sel == bm_isa_pkg::SP_TAB),
    .waddr_i(l_waddr), .wdata_i(l_wdata), .wmask_i(l_wmask), .tab_o(t_tab));

  bm_compute #(.R(R), .C(C), .L(L), .MAXB(MAXB), .MT(MT), .TB(TB),
               .WGT_BYTES(bm_cfg_pkg::WGT_BYTES), .META_BYTES(bm_cfg_pkg::META_BYTES),
               .ACT_BYTES(bm_cfg_pkg::ACT_BYTES), .ACC_BYTES(bm_cfg_pkg::ACC_BYTES),
               .WLB(WLB), .TW(TW), .GPW(GPW), .ASW(ASW)) u_compute (
    .clk_i(clk), .rst_ni(rst_n), .clr_i(clr || stop), .start_i(u_start[1] && !u_nop[1]),
    .insn_i(q_head[1*160 +: 128]), .busy_o(c_busy), .last_o(c_last), .err_o(u_err[1]),
    .err_code_o(u_code[1*8 +: 8]), .step_o(c_step), .nsat_o(c_nsat),
    .wre_o(w_re), .wraddr_o(w_ra), .wrdata_i(w_rd), .mre_o(m_re), .mraddr_o(m_ra),
    .mrdata_i(m_rd), .are_o(a_re), .araddr_o(a_ra), .ardata_i(a_rd),
    .cre_o(cp_re), .craddr_o(cp_ra), .crdata_i(c_rd[R*32-1:0]), .cwe_o(cp_we),
    .cwaddr_o(cp_wa), .cwdata_o(cp_wd), .cwmask_o(cp_wm), .tab_i(t_tab));

  bm_store #(.DW(DW), .AB(AB), .ACC_WORDS(bm_cfg_pkg::ACC_BYTES / 4)) u_store (
    .clk_i(clk), .rst_ni(rst_n), .clr_i(clr), .abort_i(stop),
    .start_i(u_start[2] && !u_nop[2]), .insn_i(q_head[2*160 +: 128]), .chk_i(q_chk[15:8]), .base_i(base),
    .busy_o(s_busy), .last_o(s_last), .err_o(u_err[2]), .err_code_o(u_code[2*8 +: 8]),
    .aw_valid_o(m_axi_gmem_awvalid), .aw_addr_o(m_axi_gmem_awaddr), .aw_len_o(m_axi_gmem_awlen),
    .aw_ready_i(m_axi_gmem_awready), .w_valid_o(m_axi_gmem_wvalid), .w_data_o(m_axi_gmem_wdata),
    .w_strb_o(m_axi_gmem_wstrb), .w_last_o(m_axi_gmem_wlast), .w_ready_i(m_axi_gmem_wready),
    .b_valid_i(m_axi_gmem_bvalid), .b_err_i(m_axi_gmem_bresp != 2'b00),
    .cre_o(st_re), .craddr_o(st_ra), .crdata_i(c_rd[CRB*8 +: DW*8]));

  assign m_axi_gmem_awsize  = 3'($clog2(DW));
  assign m_axi_gmem_awburst = 2'b01;
  assign m_axi_gmem_bready  = 1'b1;
  assign s_wbeat = m_axi_gmem_wvalid && m_axi_gmem_wready;

  assign u_busy = {s_busy, c_busy, l_busy};
  assign u_last = {(u_start[2] && u_nop[2]) || s_last,
                   (u_start[1] && u_nop[1]) || c_last,
                   (u_start[0] && u_nop[0]) || l_last};

  // ---- finish, deadlock, errors
  logic       all_idle, finished, deadlock, err_now, done_err;
  logic [2:0] stuck;
  logic [7:0] e_code;
  logic [31:0] e_pc;

  always_comb begin
    all_idle = u_busy == 3'b000;
    finished = run_q && !stop && fin_q && q_empty == 3'b111 && all_idle;
    for (int u = 0; u < 3; u++) stuck[u] = q_empty[u] || !u_tokok[u];
    deadlock = en && all_idle && stuck == 3'b111 && (fin_q || d_blocked) &&
               !(fin_q && q_empty == 3'b111);

    err_now = 1'b1; e_code = '0; e_pc = '0;
    if (d_err) begin e_code = d_code; e_pc = f_pc; end
    else if (u_err[0]) begin e_code = u_code[0*8 +: 8]; e_pc = u_start[0] ? q_head[0*160 + 128 +: 32] : cur_pc_q[0*32 +: 32]; end
    else if (u_err[1]) begin e_code = u_code[1*8 +: 8]; e_pc = u_start[1] ? q_head[1*160 + 128 +: 32] : cur_pc_q[1*32 +: 32]; end
    else if (u_err[2]) begin e_code = u_code[2*8 +: 8]; e_pc = u_start[2] ? q_head[2*160 + 128 +: 32] : cur_pc_q[2*32 +: 32]; end
    else if (tok_ovf[0]) begin e_code = bm_isa_pkg::ERR_TOKEN; e_pc = u_start[0] ? q_head[0*160 + 128 +: 32] : cur_pc_q[0*32 +: 32]; end
    else if (tok_ovf[1] || tok_ovf[2]) begin e_code = bm_isa_pkg::ERR_TOKEN; e_pc = u_start[1] ? q_head[1*160 + 128 +: 32] : cur_pc_q[1*32 +: 32]; end
    else if (tok_ovf[3]) begin e_code = bm_isa_pkg::ERR_TOKEN; e_pc = u_start[2] ? q_head[2*160 + 128 +: 32] : cur_pc_q[2*32 +: 32]; end
    else if (f_err) begin e_code = bm_isa_pkg::ERR_DRAM; e_pc = f_errpc; end
    else if (deadlock) begin
      e_code = bm_isa_pkg::ERR_DEADLOCK;
      e_pc = 32'hffffffff;
      for (int u = 0; u < 3; u++) begin
        if (!q_empty[u] && q_head[u*160 + 128 +: 32] < e_pc) e_pc = q_head[u*160 + 128 +: 32];
      end
    end
    else if (en && f_exh && !fin_q) begin e_code = bm_isa_pkg::ERR_NO_FINISH;
      e_pc = insn_count == 32'd0 ? 32'd0 : insn_count - 32'd1;
    end
    else err_now = 1'b0;
    err_now = err_now && run_q && !stop;
    done_err = run_q && stop && !l_busy && !s_busy && !rd_busy_q && !f_busy && !f_gnt && !l_gnt;
  end

  assign done = finished || done_err;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      run_q <= 1'b0; err_q <= '0; errpc_q <= '0;
    end else begin
      if (start) begin
        run_q <= 1'b1; err_q <= '0; errpc_q <= '0;
      end else begin
        if (done) run_q <= 1'b0;
        if (err_now) begin err_q <= e_code; errpc_q <= e_pc; end
      end
    end
  end

  // ---- counters (cycles 0 .. t-1 of the run)
  logic [63:0] cyc_q;
  logic [(NC-1)*32-1:0] cnt_q;
  logic        cnt_en;
  logic [(NC-1)*32-1:0] inc;
  assign cnt_en = run_q && !done;
  always_comb begin
    inc[0*32 +: 32] = 32'(u_start[0] || l_busy);                         // LD_BUSY
    inc[1*32 +: 32] = 32'(!u_busy[0] && !q_empty[0] && !u_tokok[0]);    // LD_WAIT_TOK
    inc[2*32 +: 32] = 32'((u_start[0] || l_busy) && !(r_beat && rd_own_q)); // LD_WAIT_MEM
    inc[3*32 +: 32] = 32'(u_start[1] || c_busy);                         // CP_BUSY
    inc[4*32 +: 32] = 32'(!u_busy[1] && !q_empty[1] && !u_tokok[1]);    // CP_WAIT_TOK
    inc[5*32 +: 32] = 32'(c_step);                                       // CP_STEP
    inc[6*32 +: 32] = 32'(u_start[2] || s_busy);                         // ST_BUSY
    inc[7*32 +: 32] = 32'(!u_busy[2] && !q_empty[2] && !u_tokok[2]);    // ST_WAIT_TOK
    inc[8*32 +: 32] = 32'((u_start[2] || s_busy) && !s_wbeat);          // ST_WAIT_MEM
    inc[9*32 +: 32] = 32'(r_beat && !rd_own_q);                          // FETCH_BEATS
    inc[10*32 +: 32] = 32'(r_beat && rd_own_q);                           // RD_BEATS
    inc[11*32 +: 32] = 32'(s_wbeat);                                      // WR_BEATS
    inc[12*32 +: 32] = 32'(u_last[0]) + 32'(u_last[1]) + 32'(u_last[2]) + 32'(fin_now); // INSNS
    inc[13*32 +: 32] = 32'(c_nsat);                                       // SAT_EVENTS
  end
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      cyc_q <= '0;
      for (int i = 0; i < NC - 1; i++) cnt_q[i*32 +: 32] <= '0;
    end else if (clr) begin
      cyc_q <= '0;
      for (int i = 0; i < NC - 1; i++) cnt_q[i*32 +: 32] <= '0;
    end else if (cnt_en) begin
      cyc_q <= cyc_q + 64'd1;
      for (int i = 0; i < NC - 1; i++) cnt_q[i*32 +: 32] <= cnt_q[i*32 +: 32] + inc[i*32 +: 32];
    end
  end
  always_comb begin
    cnt_flat[63:0] = cyc_q;
    for (int i = 0; i < NC - 1; i++) cnt_flat[64 + i*32 +: 32] = cnt_q[i*32 +: 32];
  end
endmodule
