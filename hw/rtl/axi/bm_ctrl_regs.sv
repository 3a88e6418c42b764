// bm_ctrl_regs: AXI4-Lite slave s_axi_control with the Vitis ap_ctrl_hs map
// (docs/registers.md): CTRL (ap_start, ap_done clear-on-read, ap_idle,
// ap_ready clear-on-read, auto_restart), GIE, IER, ISR (toggle-on-write),
// kernel arguments, ID/VERSION/hash/SHAPE, STATUS, ERR_PC and the counters
// (CYCLES_HI is latched when CYCLES_LO is read). One transaction at a time:
// AW and W in any order -> B one cycle later; AR -> R one cycle later.
// INSN and BASEn store AB bits (the preset's addr_bits): the bits of the
// 64-bit address at and above AB read as 0 and ignore writes (with AB = 32
// the HI registers are constant 0), docs/registers.md.
module bm_ctrl_regs #(
  parameter int unsigned NC = 15,  // counters, CYCLES (64-bit) first
  parameter int unsigned AB = 64   // device address bits, 32..64
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [11:0]      awaddr_i,
  input  logic             awvalid_i,
  output logic             awready_o,
  input  logic [31:0]      wdata_i,
  input  logic [3:0]       wstrb_i,
  input  logic             wvalid_i,
  output logic             wready_o,
  output logic [1:0]       bresp_o,
  output logic             bvalid_o,
  input  logic             bready_i,
  input  logic [11:0]      araddr_i,
  input  logic             arvalid_i,
  output logic             arready_o,
  output logic [31:0]      rdata_o,
  output logic [1:0]       rresp_o,
  output logic             rvalid_o,
  input  logic             rready_i,
  output logic             interrupt_o,
  // engine
  output logic             start_o,       // ap_start sampled this cycle
  input  logic             done_i,        // run finished this cycle
  input  logic             running_i,
  input  logic [7:0]       err_i,
  input  logic [31:0]      err_pc_i,
  input  logic [NC*32+31:0] cnt_i,        // CYCLES (64) then NC-1 x 32
  output logic [AB-1:0]    insn_addr_o,
  output logic [31:0]      insn_count_o,
  output logic [4*AB-1:0]  base_o
);
  logic        start_q, done_q, ready_q, auto_q, gie_q;
  logic [1:0]  ier_q, isr_q;
  logic [AB-1:0] insn_q;
  logic [31:0] count_q, cyc_hi_q;
  logic [4*AB-1:0] base_q;
  // the stored addresses as 64-bit register values (upper bits 0)
  logic [63:0] insn64;
  logic [4*64-1:0] base64;
  always_comb begin
    insn64 = 64'(insn_q);
    for (int i = 0; i < 4; i++) base64[i*64 +: 64] = 64'(base_q[i*AB +: AB]);
  end
  // a write of the LO (h = 0) or HI (h = 1) half of a stored address; the
  // caller cuts the result to AB bits, so bits at and above AB are never stored
  function automatic logic [63:0] wr_half(logic [63:0] v, logic h, logic [31:0] d,
                                          logic [31:0] m);
    wr_half = v;
    if (h) wr_half[63:32] = (v[63:32] & ~m) | (d & m);
    else   wr_half[31:0]  = (v[31:0] & ~m) | (d & m);
  endfunction
  logic [11:0] awa_q;
  logic        aw_q, w_q, bv_q, rv_q;
  logic [31:0] wd_q, rd_q;
  logic [3:0]  ws_q;

  assign awready_o = !aw_q && !bv_q;
  assign wready_o  = !w_q && !bv_q;
  assign bvalid_o  = bv_q;
  assign bresp_o   = 2'b00;
  assign arready_o = !rv_q;
  assign rvalid_o  = rv_q;
  assign rdata_o   = rd_q;
  assign rresp_o   = 2'b00;

  assign start_o   = start_q && !running_i;
  assign interrupt_o = gie_q && (|isr_q);
  assign insn_addr_o  = insn_q;
  assign insn_count_o = count_q;
  assign base_o       = base_q;

  logic        wr_go, rd_go;
  logic [31:0] rval, wmask;
  assign wr_go = aw_q && w_q && !bv_q;
  assign rd_go = arvalid_i && !rv_q;
  always_comb begin
    for (int i = 0; i < 4; i++) wmask[i*8 +: 8] = {8{ws_q[i]}};
  end

  always_comb begin
    rval = '0;
    case (araddr_i)
      bm_regs_pkg::REG_CTRL:  rval = {24'h0, auto_q, 3'b000, ready_q, !running_i, done_q, start_q};
      bm_regs_pkg::REG_GIE:   rval = {31'h0, gie_q};
      bm_regs_pkg::REG_IER:   rval = {30'h0, ier_q};
      bm_regs_pkg::REG_ISR:   rval = {30'h0, isr_q};
      bm_regs_pkg::REG_INSN_LO: rval = insn64[31:0];
      bm_regs_pkg::REG_INSN_HI: rval = insn64[63:32];
      bm_regs_pkg::REG_INSN_COUNT: rval = count_q;
      bm_regs_pkg::REG_ID:          rval = bm_regs_pkg::ID_MAGIC;
      bm_regs_pkg::REG_VERSION:     rval = bm_isa_pkg::ISA_VERSION;
      bm_regs_pkg::REG_ISA_HASH:    rval = bm_isa_pkg::ISA_HASH;
      bm_regs_pkg::REG_PRESET_HASH: rval = bm_cfg_pkg::PRESET_HASH;
      bm_regs_pkg::REG_SHAPE: rval = {4'(bm_cfg_pkg::MAX_TERMS), 4'(bm_cfg_pkg::MAX_BITS),
                                      8'(bm_cfg_pkg::LANES), 8'(bm_cfg_pkg::COLS), 8'(bm_cfg_pkg::ROWS)};
      bm_regs_pkg::REG_STATUS: rval = {23'h0, running_i, err_i};
      bm_regs_pkg::REG_ERR_PC: rval = err_pc_i;
      bm_regs_pkg::REG_CYCLES_LO: rval = cnt_i[31:0];
      bm_regs_pkg::REG_CYCLES_HI: rval = cyc_hi_q;
      default: begin
        for (int i = 0; i < 4; i++) begin
          if (araddr_i == bm_regs_pkg::REG_BASE0_LO + 12'(8*i)) rval = base64[i*64 +: 32];
          if (araddr_i == bm_regs_pkg::REG_BASE0_HI + 12'(8*i)) rval = base64[i*64 + 32 +: 32];
        end
        for (int i = 1; i < NC; i++) begin
          if (araddr_i == bm_regs_pkg::REG_LD_BUSY + 12'(4*(i-1))) rval = cnt_i[(i+1)*32 +: 32];
        end
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      start_q <= 1'b0; done_q <= 1'b0; ready_q <= 1'b0; auto_q <= 1'b0; gie_q <= 1'b0;
      ier_q <= '0; isr_q <= '0; insn_q <= '0; count_q <= '0; cyc_hi_q <= '0; base_q <= '0;
      awa_q <= '0; aw_q <= 1'b0; w_q <= 1'b0; bv_q <= 1'b0; rv_q <= 1'b0; wd_q <= '0;
      rd_q <= '0; ws_q <= '0;
    end else begin
      // engine handshake
      if (start_o) start_q <= 1'b0;
      if (done_i) begin
        done_q  <= 1'b1;
        ready_q <= 1'b1;
        if (auto_q) start_q <= 1'b1;
        if (ier_q[0]) isr_q[0] <= 1'b1;
        if (ier_q[1]) isr_q[1] <= 1'b1;
      end
      // write channel
      if (awvalid_i && awready_o) begin aw_q <= 1'b1; awa_q <= awaddr_i; end
      if (wvalid_i && wready_o) begin w_q <= 1'b1; wd_q <= wdata_i; ws_q <= wstrb_i; end
      if (wr_go) begin
        aw_q <= 1'b0; w_q <= 1'b0; bv_q <= 1'b1;
        case (awa_q)
          bm_regs_pkg::REG_CTRL: begin
            if (ws_q[0] && wd_q[0]) start_q <= 1'b1;
            if (ws_q[0]) auto_q <= wd_q[7];
          end
          bm_regs_pkg::REG_GIE: if (ws_q[0]) gie_q <= wd_q[0];
          bm_regs_pkg::REG_IER: if (ws_q[0]) ier_q <= wd_q[1:0];
          bm_regs_pkg::REG_ISR: if (ws_q[0]) isr_q <= isr_q ^ wd_q[1:0];
          bm_regs_pkg::REG_INSN_LO: insn_q <= AB'(wr_half(insn64, 1'b0, wd_q, wmask));
          bm_regs_pkg::REG_INSN_HI: insn_q <= AB'(wr_half(insn64, 1'b1, wd_q, wmask));
          bm_regs_pkg::REG_INSN_COUNT: count_q <= (count_q & ~wmask) | (wd_q & wmask);
          default: begin
            for (int i = 0; i < 4; i++) begin
              if (awa_q == bm_regs_pkg::REG_BASE0_LO + 12'(8*i))
                base_q[i*AB +: AB] <= AB'(wr_half(base64[i*64 +: 64], 1'b0, wd_q, wmask));
              if (awa_q == bm_regs_pkg::REG_BASE0_HI + 12'(8*i))
                base_q[i*AB +: AB] <= AB'(wr_half(base64[i*64 +: 64], 1'b1, wd_q, wmask));
            end
          end
        endcase
      end
      if (bv_q && bready_i) bv_q <= 1'b0;
      // read channel
      if (rd_go) begin
        rv_q <= 1'b1;
        rd_q <= rval;
        if (araddr_i == bm_regs_pkg::REG_CTRL) begin
          if (!done_i) done_q <= 1'b0;
          if (!done_i) ready_q <= 1'b0;
        end
        if (araddr_i == bm_regs_pkg::REG_CYCLES_LO) cyc_hi_q <= cnt_i[63:32];
      end
      if (rv_q && rready_i) rv_q <= 1'b0;
    end
  end
endmodule
