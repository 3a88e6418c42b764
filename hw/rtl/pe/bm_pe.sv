// bm_pe: one processing element = LANES term-serial lanes of one output row
// and one token. Each cycle with v_i every lane adds +-(x << shift) for one
// term of its weight to the group partial sum gp (first_i restarts it for a
// new group); on the first term of a step (t0_i) the lanes' activations are
// added to the group activation sum (zero-point correction). dq_i (one cycle
// after the group's last term entered gp) starts the dequantization
// (bm_dequant, 2 more cycles) into the int32 accumulator acc_o.
// Latency: term in -> gp 1 cycle; dq_i -> acc_o 2 cycles.
// Widths: one lane's term is +-(x << sh) with |x| <= 128, sh <= 7 (16 bits
// signed), their sum TSW bits; gp is GPW bits and the activation sum ASW bits, the exact bounds
// of a group (docs/rtl.md), so neither ever wraps.
module bm_pe #(
  parameter int unsigned L   = 4,
  parameter int unsigned GPW = 30,
  parameter int unsigned ASW = 20
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            v_i,        // a term is issued this cycle
  input  logic            first_i,    // first term of a group
  input  logic            t0_i,       // first term of a step
  input  logic            sparse_i,
  input  logic [L-1:0]    nz_i,
  input  logic [L-1:0]    neg_i,
  input  logic [L*3-1:0]  sh_i,
  input  logic [L*2-1:0]  idx_i,
  input  logic [2*L*8-1:0] act_i,     // sign-extended activations, 2 words
  input  logic            dq_i,
  input  logic            zp_i,
  input  logic [7:0]      scale_i,
  input  logic [7:0]      aux_i,
  input  logic            clr_i,
  input  logic            ld_i,
  input  logic [31:0]     ld_data_i,
  output logic [31:0]     acc_o,
  output logic            sat_o
);
  // |x| <= 128, so a lane's term +-(x << sh) lies in [-2^14, 2^14] and the
  // sum of L of them in [-L*2^14, L*2^14]: TSW bits exactly.
  localparam int unsigned TSW = $clog2(L * 16384 + 1) + 1;
  logic signed [GPW-1:0] gp_q, gp_d;
  logic signed [TSW-1:0] tsum;
  logic signed [ASW-1:0] as_q, as_d, xsum;
  logic [L*8-1:0]        x;
  logic signed [15:0]    xl;    // x << sh, 16 bits
  logic signed [TSW-1:0] ml;

  for (genvar l = 0; l < L; l++) begin : g_lane
    bm_sparse_mux #(.L(L), .LI(l)) u_mux (
      .act_i, .sparse_i, .idx_i(idx_i[l*2 +: 2]), .x_o(x[l*8 +: 8]));
  end

  // term sum: lane l adds +-(x << sh) when its term is nonzero, written as
  // an adder with inverted input and carry-in (no data-dependent branches;
  // yosys maps the carry-in to the adder's, so a lane is one TSW-bit adder)
  always_comb begin
    tsum = '0;
    xsum = '0;
    xl   = '0;
    ml   = '0;
    gp_d = gp_q;
    as_d = as_q;
    if (v_i) begin
      for (int l = 0; l < L; l++) begin
        xl = (16'($signed(x[l*8 +: 8])) & {16{nz_i[l]}}) <<< sh_i[l*3 +: 3];
        ml = TSW'(xl) ^ {TSW{neg_i[l]}};
        tsum = tsum + ml + TSW'(neg_i[l]);
        xsum = xsum + ASW'($signed(x[l*8 +: 8]));
      end
      gp_d = (first_i ? '0 : gp_q) + GPW'(tsum);
      as_d = (first_i ? '0 : as_q) + (t0_i ? xsum : '0);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gp_q <= '0; as_q <= '0;
    end else begin
      gp_q <= gp_d; as_q <= as_d;
    end
  end

  bm_dequant #(.GPW(GPW), .ASW(ASW)) u_dq (
    .clk_i, .rst_ni, .dq_i, .gp_i(gp_q), .as_i(as_q), .zp_i, .scale_i, .aux_i,
    .clr_i, .ld_i, .ld_data_i, .acc_o, .sat_o);
endmodule
