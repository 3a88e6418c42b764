// bm_compute: the COMPUTE unit (also executes CONFIG). A COMPUTE of duration
// reps * ((acc_load ? C : 0) + ksteps*T + CMP_PIPE + C) runs per rep:
//   LD    C cycles: read ACC column c (R words at O + c*R) into the PEs;
//   TERM  ksteps*T cycles: issue one term per cycle (WGT, ACT, META reads),
//         the PE array sees it one cycle later (stage 1), dequantizes a
//         finished group at stage 2/3;
//   DRAIN CMP_PIPE + C cycles: pipeline drain, then write column c back.
// Addresses for the start cycle come from the instruction itself (the
// "current state" is the initial state when start_i, the registers else).
// Scratchpad ranges are checked on every access (error SP_RANGE).
// CONFIG takes 1 cycle; legality errors are reported in the start cycle.
module bm_compute #(
  parameter int unsigned R = 8, C = 8, L = 4, MAXB = 8, MT = 4, TB = 4,
  parameter int unsigned WGT_BYTES = 65536, META_BYTES = 8192,
  parameter int unsigned ACT_BYTES = 131072, ACC_BYTES = 16384,
  parameter int unsigned WLB = 64,
  parameter int unsigned TW = 2,                // term index bits
  parameter int unsigned GPW = 30, ASW = 20,    // PE group / activation sum bits
  // scratchpad byte-address bits (derived; not meant to be overridden)
  parameter int unsigned WAW = $clog2(WGT_BYTES), MAW = $clog2(META_BYTES),
  parameter int unsigned AAW = $clog2(ACT_BYTES), CAW = $clog2(ACC_BYTES)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              clr_i,     // new run: forget CONFIG, abort
  input  logic              start_i,
  input  logic [127:0]      insn_i,
  output logic              busy_o,    // occupied after the start cycle
  output logic              last_o,    // last cycle of the instruction
  output logic              err_o,
  output logic [7:0]        err_code_o,
  output logic              step_o,    // a term is issued (CP_STEP)
  output logic [$clog2(R*C+1)-1:0] nsat_o,
  // scratchpad read ports
  // scratchpad ports: byte addresses as wide as each scratchpad (legal
  // accesses are below its size; on a range error the read is discarded and
  // the write suppressed), data as wide as used (bm_spad RB / WB)
  output logic              wre_o,
  output logic [WAW-1:0] wraddr_o,
  input  logic [WLB*8-1:0]  wrdata_i,
  output logic              mre_o,
  output logic [MAW-1:0] mraddr_o,
  input  logic [R*16-1:0]   mrdata_i,  // first R entries of the META window
  output logic              are_o,
  output logic [AAW-1:0] araddr_o,
  input  logic [2*C*L*8-1:0] ardata_i,  // first two ACT words of the window
  output logic              cre_o,
  output logic [CAW-1:0] craddr_o,
  input  logic [R*32-1:0]   crdata_i,  // first R words of the ACC window
  output logic              cwe_o,
  output logic [CAW-1:0] cwaddr_o,
  output logic [R*32-1:0]   cwdata_o,
  output logic [4*R-1:0]    cwmask_o,
  // decode table (bm_tab's stored table; the array selects term t at stage 1)
  input  logic [MT*4*(1<<TB)*5-1:0] tab_i
);
  localparam int unsigned CL  = C * L;                 // ACT word bytes
  localparam int unsigned ACT_WORDS = ACT_BYTES / CL;
  localparam int unsigned ACC_WORDS = ACC_BYTES / 4;
  localparam int unsigned META_ENTS = META_BYTES / 2;
  localparam logic [1:0] PH_LD = 2'd0, PH_TERM = 2'd1, PH_DRAIN = 2'd2;
  localparam int unsigned CP = bm_isa_pkg::CMP_PIPE;
  // Address state widths. Every term range-checks its WGT, META and ACT
  // accesses and every LD/DRAIN column its ACC access, and an error stops the
  // unit before its state advances, so a register holds either its
  // instruction field or a value reached after passing checks: at most the
  // scratchpad size (wb bytes, mc entries, ob words), ab below ACT_WORDS plus
  // one act_inc, and the rep's weight bit offset bp at most 8*WGT_BYTES.
  // Widths are these exact bounds (no state wraps), not 32 bits.
  localparam int unsigned WBW = $clog2(WGT_BYTES + 1) > 21 ? $clog2(WGT_BYTES + 1) : 21;
  localparam int unsigned BPW = $clog2(8 * WGT_BYTES + 1);
  localparam int unsigned BSW = $clog2(8 * WGT_BYTES + 65536);       // bp + sb - 1
  localparam int unsigned WLW = (WBW > BSW - 3 ? WBW : BSW - 3) + 1;  // wb + bytes
  localparam int unsigned MCW = $clog2(META_ENTS + 1) > 17 ? $clog2(META_ENTS + 1) : 17;
  localparam int unsigned ABW = $clog2(ACT_WORDS + 65536) > 20 ? $clog2(ACT_WORDS + 65536) : 20;
  localparam int unsigned AYW = ABW + $clog2(CL);
  localparam int unsigned OBW = $clog2(ACC_WORDS + 1) > 16 ? $clog2(ACC_WORDS + 1) : 16;
  localparam int unsigned CWW = (OBW > $clog2(R * C) ? OBW : $clog2(R * C)) + 1;
  // LD / DRAIN cycle counter: counts to CP + C - 1 at most (it stays 0 in
  // TERM); column index within the array (constant 0 when C = 1)
  localparam int unsigned CNW = $clog2(CP + C);
  // range limits as constants to compare the base against (x + n > SIZE is
  // x > SIZE - n: no adder per access); every preset has room for one access
  localparam int unsigned MLIM  = META_ENTS - R;           // mc
  localparam int unsigned ALIM1 = ACT_WORDS * CL - CL;     // ay, dense
  localparam int unsigned ALIM2 = ACT_WORDS * CL - 2 * CL; // ay, 2:4 (two words)
  localparam int unsigned CLIM  = ACC_WORDS - R;           // colw
  localparam int unsigned CIW = C > 1 ? $clog2(C) : 1;

  // ---- instruction fields
  logic [3:0]  f_op;
  assign f_op = insn_i[3:0];
  logic [3:0]  i_bits;   logic [2:0] i_terms; logic i_dmode, i_offset, i_sparse, i_zp, i_sel;
  logic [3:0]  i_abits;  logic [15:0] i_gsteps;
  logic        i_accld, i_wrst;
  logic [20:0] i_wgt;    logic [16:0] i_meta; logic [19:0] i_act; logic [15:0] i_acc;
  logic [15:0] i_ksteps; logic [11:0] i_reps; logic [15:0] i_actinc;
  assign i_bits   = insn_i[bm_isa_pkg::CONFIG_BITS_LSB +: 4];
  assign i_terms  = insn_i[bm_isa_pkg::CONFIG_TERMS_LSB +: 3];
  assign i_dmode  = insn_i[bm_isa_pkg::CONFIG_DMODE_LSB];
  assign i_offset = insn_i[bm_isa_pkg::CONFIG_OFFSET_LSB];
  assign i_sparse = insn_i[bm_isa_pkg::CONFIG_SPARSE_LSB];
  assign i_zp     = insn_i[bm_isa_pkg::CONFIG_ZP_LSB];
  assign i_sel    = insn_i[bm_isa_pkg::CONFIG_SEL_LSB];
  assign i_abits  = insn_i[bm_isa_pkg::CONFIG_ACT_BITS_LSB +: 4];
  assign i_gsteps = insn_i[bm_isa_pkg::CONFIG_GSTEPS_LSB +: 16];
  assign i_accld  = insn_i[bm_isa_pkg::COMPUTE_ACC_LOAD_LSB];
  assign i_wrst   = insn_i[bm_isa_pkg::COMPUTE_WRESTART_LSB];
  assign i_wgt    = insn_i[bm_isa_pkg::COMPUTE_WGT_ADDR_LSB +: 21];
  assign i_meta   = insn_i[bm_isa_pkg::COMPUTE_META_ADDR_LSB +: 17];
  assign i_act    = insn_i[bm_isa_pkg::COMPUTE_ACT_ADDR_LSB +: 20];
  assign i_acc    = insn_i[bm_isa_pkg::COMPUTE_ACC_ADDR_LSB +: 16];
  assign i_ksteps = insn_i[bm_isa_pkg::COMPUTE_KSTEPS_LSB +: 16];
  assign i_reps   = insn_i[bm_isa_pkg::COMPUTE_REPS_LSB +: 12];
  assign i_actinc = insn_i[bm_isa_pkg::COMPUTE_ACT_INC_LSB +: 16];

  // ---- format registers (CONFIG)
  logic        cfg_v_q;
  logic [3:0]  bits_q;  logic [2:0] terms_q; logic dmode_q, offset_q, sparse_q, zp_q, sel_q;
  logic [3:0]  abits_q; logic [15:0] gsteps_q; logic [15:0] sb_q;  // step bits R*L*W

  logic cfg_bad;
  logic [3:0] i_w;  // lane slot width b + 2*sparse
  assign i_w = i_bits + (i_sparse ? 4'd2 : 4'd0);
  always_comb begin
    cfg_bad = 1'b0;
    if (i_bits == 4'd0 || 32'(i_bits) > MAXB) cfg_bad = 1'b1;
    if (i_terms == 3'd0 || 32'(i_terms) > MT) cfg_bad = 1'b1;
    if (!i_dmode && (32'(i_bits) > TB || i_offset)) cfg_bad = 1'b1;
    if (i_dmode && (4'(i_terms) != ((i_bits + 4'd1) >> 1))) cfg_bad = 1'b1;
    if (i_abits < 4'd2 || i_abits > 4'd8) cfg_bad = 1'b1;
    if (i_gsteps == 16'd0 || 32'(i_gsteps) > bm_isa_pkg::GROUP_MAX / L) cfg_bad = 1'b1;
    if (i_sparse && (L % 2 != 0)) cfg_bad = 1'b1;
    if (i_zp && i_sel) cfg_bad = 1'b1;
  end

  // ---- sequencer state: registered (_q) and current (_c: initial on start)
  logic        act_q, act_c;
  logic [1:0]  ph_q, ph_c;
  logic [CNW-1:0] cnt_q, cnt_c;
  // k and gs count the term step of the rep and of the group from 1, so the
  // last step is k == ksteps / gs == gsteps (no subtractor per cycle)
  logic [15:0] k_q, k_c, gs_q, gs_c;
  logic [2:0]  t_q, t_c;
  logic [11:0] rep_q, rep_c;
  logic [WBW-1:0] wb_q, wb_c;
  logic [BPW-1:0] bp_q, bp_c;
  logic [MCW-1:0] mb_q, mb_c, mc_q, mc_c;
  logic [ABW-1:0] ab_q, ab_c;
  logic [AYW-1:0] ay_q, ay_c;
  logic [OBW-1:0] ob_q, ob_c;
  logic        accld_q, accld_c, wrst_q, wrst_c;
  logic [15:0] ks_q, ks_c, ainc_q, ainc_c;
  logic        is_cmp;

  assign is_cmp = start_i && f_op == bm_isa_pkg::OP_COMPUTE;

  always_comb begin
    if (is_cmp) begin
      act_c = 1'b1; ph_c = i_accld ? PH_LD : PH_TERM; cnt_c = '0; k_c = 16'd1; gs_c = 16'd1;
      t_c = '0; rep_c = i_reps; wb_c = WBW'(i_wgt); bp_c = '0; mb_c = MCW'(i_meta);
      mc_c = MCW'(i_meta); ab_c = ABW'(i_act); ay_c = AYW'(AYW'(i_act) * CL); ob_c = OBW'(i_acc);
      accld_c = i_accld; wrst_c = i_wrst; ks_c = i_ksteps; ainc_c = i_actinc;
    end else begin
      act_c = act_q; ph_c = ph_q; cnt_c = cnt_q; k_c = k_q; gs_c = gs_q; t_c = t_q;
      rep_c = rep_q; wb_c = wb_q; bp_c = bp_q; mb_c = mb_q; mc_c = mc_q; ab_c = ab_q;
      ay_c = ay_q; ob_c = ob_q; accld_c = accld_q; wrst_c = wrst_q; ks_c = ks_q;
      ainc_c = ainc_q;
    end
  end

  // ---- per-cycle actions and next state
  logic        term, lastrep_end, step_end, grp_end, glast;
  logic [WLW-1:0] wbyte_last;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [BSW-1:0] bits_last, bits_end;  // bp + sb - 1, bp + 7 (bytes: bits 3 and up)
  /* verilator lint_on UNUSEDSIGNAL */
  logic [ABW-1:0] ab_next;
  logic        rng_err;
  logic [CWW-1:0] colw;         // ACC word of the column being moved
  logic [CIW-1:0] cidx;         // column moved in an LD / DRAIN write-back cycle
  logic        act_d; logic [1:0] ph_d; logic [CNW-1:0] cnt_d; logic [15:0] k_d, gs_d;
  logic [2:0]  t_d;
  logic [11:0] rep_d;
  logic [WBW-1:0] wb_d; logic [BPW-1:0] bp_d; logic [MCW-1:0] mb_d, mc_d;
  logic [ABW-1:0] ab_d; logic [AYW-1:0] ay_d; logic [OBW-1:0] ob_d;
  logic        bad_start; logic [7:0] bad_code;

  always_comb begin
    term     = act_c && ph_c == PH_TERM;
    step_end = term && t_c == terms_q - 3'd1;
    grp_end  = step_end && (gs_c == gsteps_q || k_c == ks_c);
    glast    = grp_end;
    // only looked at in LD cycles (cnt < C) and write-back cycles
    // (CP <= cnt < CP + C), where the low CIW bits are exact
    cidx     = C > 1 ? CIW'(cnt_c - ((ph_c == PH_DRAIN) ? CNW'(CP) : CNW'(0))) : '0;
    colw     = CWW'(ob_c) + CWW'(CWW'(cidx) * R);
    lastrep_end = act_c && ph_c == PH_DRAIN && cnt_c == CNW'(CP + C - 1) && rep_c == 12'd1;

    // range checks of this cycle's accesses
    bits_last  = BSW'(bp_c) + BSW'(sb_q) - BSW'(1);
    bits_end   = BSW'(bp_c) + BSW'(7);
    ab_next    = ab_c + ABW'(ainc_c);
    wbyte_last = WLW'(wb_c) + WLW'(bits_last[BSW-1:3]);
    rng_err = 1'b0;
    if (term) begin
      if (32'(wbyte_last) >= WGT_BYTES) rng_err = 1'b1;
      if (32'(mc_c) > MLIM) rng_err = 1'b1;
      if (sparse_q ? 32'(ay_c) > ALIM2 : 32'(ay_c) > ALIM1) rng_err = 1'b1;
    end
    if (act_c && (ph_c == PH_LD || (ph_c == PH_DRAIN && cnt_c >= CNW'(CP)))) begin
      if (32'(colw) > CLIM) rng_err = 1'b1;
    end

    act_d = act_c; ph_d = ph_c; cnt_d = cnt_c; k_d = k_c; gs_d = gs_c; t_d = t_c;
    rep_d = rep_c; wb_d = wb_c; bp_d = bp_c; mb_d = mb_c; mc_d = mc_c; ab_d = ab_c;
    ay_d = ay_c; ob_d = ob_c;
    if (act_c) begin
      case (ph_c)
        PH_LD: begin
          cnt_d = cnt_c + CNW'(1);
          if (cnt_c == CNW'(C - 1)) begin ph_d = PH_TERM; cnt_d = '0; end
        end
        PH_TERM: begin
          t_d = t_c + 3'd1;
          if (step_end) begin
            t_d  = '0;
            k_d  = k_c + 16'd1;
            bp_d = bp_c + BPW'(sb_q);
            ay_d = ay_c + (sparse_q ? AYW'(2 * CL) : AYW'(CL));
            gs_d = gs_c + 16'd1;
            if (grp_end) begin gs_d = 16'd1; mc_d = mc_c + MCW'(R); end
            if (k_c == ks_c) begin ph_d = PH_DRAIN; cnt_d = '0; end
          end
        end
        default: begin  // PH_DRAIN
          cnt_d = cnt_c + CNW'(1);
          if (cnt_c == CNW'(CP + C - 1)) begin
            if (rep_c == 12'd1) begin
              act_d = 1'b0;
            end else begin
              rep_d = rep_c - 12'd1;
              ph_d  = accld_c ? PH_LD : PH_TERM;
              cnt_d = '0; k_d = 16'd1; gs_d = 16'd1; t_d = '0; bp_d = '0;
              ob_d  = ob_c + OBW'(R * C);
              wb_d  = wrst_c ? wb_c : wb_c + WBW'(bits_end[BSW-1:3]);
              mb_d  = wrst_c ? mb_c : mc_c;
              mc_d  = wrst_c ? mb_c : mc_c;
              ab_d  = ab_next;
              ay_d  = AYW'(AYW'(ab_next) * CL);
            end
          end
        end
      endcase
    end

    // start-cycle legality
    bad_start = 1'b0; bad_code = bm_isa_pkg::ERR_NONE;
    if (start_i && f_op == bm_isa_pkg::OP_CONFIG && cfg_bad) begin
      bad_start = 1'b1; bad_code = bm_isa_pkg::ERR_CONFIG;
    end
    if (is_cmp) begin
      if (!cfg_v_q) begin
        bad_start = 1'b1; bad_code = bm_isa_pkg::ERR_CONFIG;
      end else if (i_ksteps == 16'd0 || i_reps == 12'd0) begin
        bad_start = 1'b1; bad_code = bm_isa_pkg::ERR_FIELD;
      end
    end
  end

  assign err_o      = bad_start || (act_c && rng_err && !bad_start);
  assign err_code_o = bad_start ? bad_code : bm_isa_pkg::ERR_SP_RANGE;
  assign last_o     = (start_i && f_op == bm_isa_pkg::OP_CONFIG) || lastrep_end;
  assign busy_o     = act_q;
  assign step_o     = term;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cfg_v_q <= 1'b0; bits_q <= 4'd1; terms_q <= 3'd1; dmode_q <= 1'b0; offset_q <= 1'b0;
      sparse_q <= 1'b0; zp_q <= 1'b0; sel_q <= 1'b0; abits_q <= 4'd8; gsteps_q <= 16'd1;
      sb_q <= 16'(R * L);
      act_q <= 1'b0; ph_q <= PH_LD; cnt_q <= '0; k_q <= '0; gs_q <= '0; t_q <= '0;
      rep_q <= '0; wb_q <= '0; bp_q <= '0; mb_q <= '0; mc_q <= '0; ab_q <= '0; ay_q <= '0;
      ob_q <= '0; accld_q <= 1'b0; wrst_q <= 1'b0; ks_q <= '0; ainc_q <= '0;
    end else if (clr_i || err_o) begin
      if (clr_i) cfg_v_q <= 1'b0;
      act_q <= 1'b0;
    end else begin
      if (start_i && f_op == bm_isa_pkg::OP_CONFIG) begin
        cfg_v_q <= 1'b1; bits_q <= i_bits; terms_q <= i_terms; dmode_q <= i_dmode;
        offset_q <= i_offset; sparse_q <= i_sparse; zp_q <= i_zp; sel_q <= i_sel;
        abits_q <= i_abits; gsteps_q <= i_gsteps;
        sb_q <= 16'(R * L) * 16'(i_w);
      end
      act_q <= act_d; ph_q <= ph_d; cnt_q <= cnt_d; k_q <= k_d; gs_q <= gs_d; t_q <= t_d;
      rep_q <= rep_d; wb_q <= wb_d; bp_q <= bp_d; mb_q <= mb_d; mc_q <= mc_d; ab_q <= ab_d;
      ay_q <= ay_d; ob_q <= ob_d; accld_q <= accld_c; wrst_q <= wrst_c; ks_q <= ks_c;
      ainc_q <= ainc_c;
    end
  end

  // ---- scratchpad reads of this cycle
  assign wre_o    = term;
  assign wraddr_o = WAW'(wb_c) + WAW'(bp_c[BPW-1:3]);
  assign mre_o    = term;
  assign mraddr_o = MAW'({mc_c, 1'b0});
  assign are_o    = term;
  assign araddr_o = AAW'(ay_c);
  assign cre_o    = act_c && ph_c == PH_LD;
  assign craddr_o = CAW'({colw, 2'b00});

  // ---- stage 1 / 2 pipeline
  logic          v1_q, first1_q, t01_q, glast1_q, dq2_q, ld1_q;
  logic [TW-1:0] t1_q;
  logic [2:0]    boff1_q;
  logic [CIW-1:0] ldc1_q;
  logic [R*16-1:0] meta2_q;
  logic          clr_a;

  assign clr_a = term && !accld_c && k_c == 16'd1 && t_c == 3'd0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v1_q <= 1'b0; first1_q <= 1'b0; t01_q <= 1'b0; glast1_q <= 1'b0; dq2_q <= 1'b0;
      ld1_q <= 1'b0; t1_q <= '0; boff1_q <= '0; ldc1_q <= '0; meta2_q <= '0;
    end else begin
      v1_q     <= term && !err_o;
      first1_q <= t_c == 3'd0 && gs_c == 16'd1;
      t01_q    <= t_c == 3'd0;
      glast1_q <= glast && !err_o;
      t1_q     <= TW'(t_c);
      boff1_q  <= bp_c[2:0];
      ld1_q    <= act_c && ph_c == PH_LD && !err_o;
      ldc1_q   <= cidx;  // LD: cnt = column
      dq2_q    <= glast1_q;
      meta2_q  <= mrdata_i[R*16-1:0];
    end
  end

  // ---- the array
  logic [R*L*MAXB-1:0] code;
  logic [R*L*2-1:0]    idx;
  logic [C-1:0]        ldv;
  logic [R*2-1:0]      sel1;
  logic [R*C*32-1:0]   acc;

  bm_wslots #(.NS(R*L), .MAXB(MAXB), .WINB(WLB*8)) u_slots (
    .win_i(wrdata_i), .boff_i(boff1_q), .bits_i(bits_q), .sparse_i(sparse_q),
    .code_o(code), .idx_o(idx));

  always_comb begin
    for (int c = 0; c < C; c++) ldv[c] = ld1_q && (C == 1 || ldc1_q == CIW'(c));
    for (int r = 0; r < R; r++) sel1[r*2 +: 2] = mrdata_i[r*16 + 8 +: 2];
  end

  bm_array #(.R(R), .C(C), .L(L), .MAXB(MAXB), .MT(MT), .TB(TB), .TW(TW), .GPW(GPW),
             .ASW(ASW)) u_array (
    .clk_i, .rst_ni, .bits_i(bits_q), .dmode_i(dmode_q), .offset_i(offset_q),
    .sparse_i(sparse_q), .sel_i(sel_q), .zp_i(zp_q), .abits_i(abits_q), .tab_i(tab_i),
    .v_i(v1_q), .first_i(first1_q), .t0_i(t01_q), .t_i(t1_q), .code_i(code), .idx_i(idx),
    .sel1_i(sel1), .act_i(ardata_i),
    .dq_i(dq2_q), .meta2_i(meta2_q), .clr_i(clr_a), .ld_i(ldv),
    .ld_data_i(crdata_i), .acc_o(acc), .nsat_o);

  // ---- write-back of column cnt-CMP_PIPE
  always_comb begin
    cwe_o    = act_c && ph_c == PH_DRAIN && cnt_c >= CNW'(CP) && !rng_err;
    cwaddr_o = CAW'({colw, 2'b00});
    cwdata_o = '0;
    for (int c = 0; c < C; c++) begin
      if (C == 1 || cidx == CIW'(c)) cwdata_o = acc[c*R*32 +: R*32];
    end
    cwmask_o = '1;
  end
endmodule
