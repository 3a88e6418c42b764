// bm_array: the ROWS x COLS PE array. Weights (decoded terms) are shared along
// a row, activations along a column; accumulators are output-stationary.
// Stage-1 inputs (one cycle after a term was issued): the step's lane slots,
// the term index, the group's META entries (selector), the two ACT words.
// Stage-2 inputs: dq_i and the group's scale/aux per row. Per-row decode:
// from bm_tab's stored table, term t and the row's selector pick one
// sub-table of 2^TB entries, then every lane decodes its code with
// bm_term_decode. Group partial sums are GPW bits, activation sums ASW
// bits: the exact bounds for GROUP_MAX weights of |value| <= MT*128 and
// activations |x| <= 128 (so they never wrap; see docs/rtl.md).
module bm_array #(
  parameter int unsigned R    = 8,
  parameter int unsigned C    = 8,
  parameter int unsigned L    = 4,
  parameter int unsigned MAXB = 8,
  parameter int unsigned MT   = 4,
  parameter int unsigned TB   = 4,
  parameter int unsigned TW   = 2,
  parameter int unsigned GPW  = 30,  // group partial-sum bits
  parameter int unsigned ASW  = 20   // group activation-sum bits
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // format
  input  logic [3:0]           bits_i,
  input  logic                 dmode_i,
  input  logic                 offset_i,
  input  logic                 sparse_i,
  input  logic                 sel_i,
  input  logic                 zp_i,
  input  logic [3:0]           abits_i,
  input  logic [MT*4*(1<<TB)*5-1:0] tab_i,  // bm_tab: term t's 4 sub-tables at [t*4*2^TB*5 +: 4*2^TB*5]
  // stage 1
  input  logic                 v_i,
  input  logic                 first_i,
  input  logic                 t0_i,
  input  logic [TW-1:0]        t_i,
  input  logic [R*L*MAXB-1:0]  code_i,
  input  logic [R*L*2-1:0]     idx_i,
  input  logic [R*2-1:0]       sel1_i,   // selector aux[1:0] of each row's group
  input  logic [2*C*L*8-1:0]   act_i,   // word A (low) and word A+1 (high)
  // stage 2
  input  logic                 dq_i,
  input  logic [R*16-1:0]      meta2_i,
  // accumulators
  input  logic                 clr_i,
  input  logic [C-1:0]         ld_i,
  input  logic [R*32-1:0]      ld_data_i,
  output logic [R*C*32-1:0]    acc_o,
  output logic [$clog2(R*C+1)-1:0] nsat_o
);
  localparam int unsigned NQ = 1 << TB;

  // activations: sign-extend from bit a-1, regroup per column (2L bytes).
  // One continuous assignment per byte (not one loop over the window): the
  // window is an expensive expression of the scratchpad read and must stay a
  // single net for Verilator.
  // Bit j of a byte is kept below bit a (keep[j], shared by all bytes) and
  // is the sign bit a-1 above it: one 8:1 sign mux and one LUT per bit
  // instead of a left and an arithmetic right barrel shift per byte.
  logic [2*C*L*8-1:0] axt;
  logic [7:0]         keep;
  logic [2:0]         am1;    // a - 1 (a = 2..8, CONFIG checks it)
  assign am1 = 3'(abits_i - 4'd1);
  // bits 1:0 are always code bits (a >= 2), bit 7 always the sign bit (a = 8:
  // it is bit 7 itself)
  for (genvar j = 0; j < 8; j++) begin : g_keep
    assign keep[j] = j < 2 || (j < 7 && 4'(j) < abits_i);
  end
  for (genvar i = 0; i < 2 * C * L; i++) begin : g_act
    assign axt[i*8 +: 8] = (act_i[i*8 +: 8] & keep) | ({8{act_i[i*8 + 32'(am1)]}} & ~keep);
  end

  logic [R*C-1:0] sat;

  // Sub-table of (term, selector) per row. Several rows, or four or more
  // terms: one term mux shared by the rows, then each row's selector mux
  // (sub_t, the former registered read of bm_tab). One row with MT <= 2: a
  // single 4*MT:1 mux per bit (iCE40, MT 2: 8:1 in ~5 LUT4 vs a 2:1 term and
  // a 4:1 selector mux, 1 + 2 LUT4 per bit of 320 resp. 80; with MT 4 the
  // 16:1 came out larger than 4:1 then 4:1).
  localparam bit ONEMUX = R == 1 && MT <= 2;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [4*NQ*5-1:0] sub_t;   // unused when ONEMUX
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    sub_t = '0;
    if (!ONEMUX)
      for (int k = 0; k < MT; k++) if (t_i == TW'(k)) sub_t = tab_i[k * 4 * NQ * 5 +: 4 * NQ * 5];
  end

  for (genvar r = 0; r < R; r++) begin : g_row
    logic [1:0]         s;
    logic [NQ*5-1:0]    sub;
    logic [L-1:0]       nz, neg;
    logic [L*3-1:0]     sh;

    assign s = sel_i ? sel1_i[r*2 +: 2] : 2'd0;
    if (ONEMUX) begin : g_one
      always_comb begin
        sub = '0;
        for (int k = 0; k < 4 * MT; k++)
          if ({t_i, s} == (TW+2)'(k)) sub = tab_i[k * NQ * 5 +: NQ * 5];
      end
    end else begin : g_two
      assign sub = sub_t[32'(s) * NQ * 5 +: NQ * 5];
    end

    for (genvar l = 0; l < L; l++) begin : g_lane
      bm_term_decode #(.MAXB(MAXB), .TB(TB), .MT(MT), .TW(TW)) u_dec (
        .code_i(code_i[(r*L + l)*MAXB +: MAXB]), .bits_i, .t_i, .dmode_i, .offset_i,
        .row_tab_i(sub), .nz_o(nz[l]), .neg_o(neg[l]), .sh_o(sh[l*3 +: 3]));
    end

    for (genvar c = 0; c < C; c++) begin : g_col
      logic [2*L*8-1:0] a2;
      assign a2 = {axt[(C*L + c*L)*8 +: L*8], axt[(c*L)*8 +: L*8]};
      bm_pe #(.L(L), .GPW(GPW), .ASW(ASW)) u_pe (
        .clk_i, .rst_ni, .v_i, .first_i, .t0_i, .sparse_i,
        .nz_i(nz), .neg_i(neg), .sh_i(sh), .idx_i(idx_i[r*L*2 +: L*2]), .act_i(a2),
        .dq_i, .zp_i, .scale_i(meta2_i[r*16 +: 8]), .aux_i(meta2_i[r*16 + 8 +: 8]),
        .clr_i, .ld_i(ld_i[c]), .ld_data_i(ld_data_i[r*32 +: 32]),
        .acc_o(acc_o[(c*R + r)*32 +: 32]), .sat_o(sat[c*R + r]));
    end
  end

  always_comb begin
    nsat_o = '0;
    for (int i = 0; i < R * C; i++) nsat_o = nsat_o + $clog2(R*C+1)'(sat[i]);
  end
endmodule
