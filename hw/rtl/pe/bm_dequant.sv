// bm_dequant: group dequantization of one PE. Stage A (when dq_i): register
// scale * (gp - (zp ? aux*asum : 0)); stage B (the next cycle): add it to the
// int32 accumulator with saturation. Latency 2 from dq_i to acc_o. clr_i /
// ld_i overwrite the accumulator (start of a tile) and take priority.
// Widths are exact for the inputs' ranges: aux*asum is 8 x ASW signed bits,
// d = gp - aux*asum needs DW = max(GPW, ASW+8) + 1 bits and the product with
// the unsigned 8-bit scale (a 9-bit signed operand) MW = DW + 9 bits — one
// 9 x DW signed multiplier (DSP48 / SB_MAC16 shaped), registered.
module bm_dequant #(
  parameter int unsigned GPW = 30,  // group partial-sum bits
  parameter int unsigned ASW = 20   // activation-sum bits
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  dq_i,
  input  logic signed [GPW-1:0] gp_i,
  input  logic signed [ASW-1:0] as_i,
  input  logic                  zp_i,
  input  logic [7:0]            scale_i,
  input  logic [7:0]            aux_i,
  input  logic                  clr_i,
  input  logic                  ld_i,
  input  logic [31:0]           ld_data_i,
  output logic [31:0]           acc_o,
  output logic                  sat_o
);
  localparam int unsigned ZW = ASW + 8;
  localparam int unsigned DW = (GPW > ZW ? GPW : ZW) + 1;
  localparam int unsigned MW = DW + 9;
  localparam int unsigned SW = MW > 32 ? MW + 1 : 33;

  logic signed [ZW-1:0] zcorr;
  logic signed [DW-1:0] d;
  logic signed [8:0]    sc;
  logic signed [MW-1:0] mult_d, mult_q;
  logic                 v_q;
  logic signed [SW-1:0] sum;
  logic signed [31:0]   acc_q, acc_d;
  logic                 sat_d;
  localparam logic signed [SW-1:0] SMAX = SW'(32'sh7fffffff);
  localparam logic signed [SW-1:0] SMIN = -(SW'(33'sh080000000));

  // the multiplier input only changes with dq_i (mult_q holds otherwise)
  always_comb begin
    zcorr  = '0;
    d      = '0;
    sc     = '0;
    mult_d = mult_q;
    if (dq_i) begin
      zcorr  = $signed(aux_i) * as_i;
      d      = DW'(gp_i) - (zp_i ? DW'(zcorr) : '0);
      sc     = $signed({1'b0, scale_i});
      mult_d = sc * d;
    end
  end

  always_comb begin
    sum   = '0;
    sat_d = 1'b0;
    acc_d = acc_q;
    if (clr_i) begin
      acc_d = '0;
    end else if (ld_i) begin
      acc_d = ld_data_i;
    end else if (v_q) begin
      sum = SW'(acc_q) + SW'(mult_q);
      if (sum > SMAX) begin
        acc_d = 32'sh7fffffff; sat_d = 1'b1;
      end else if (sum < SMIN) begin
        acc_d = 32'sh80000000; sat_d = 1'b1;
      end else begin
        acc_d = sum[31:0];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mult_q <= '0; v_q <= 1'b0; acc_q <= '0;
    end else begin
      v_q <= dq_i;
      mult_q <= mult_d;
      acc_q <= acc_d;
    end
  end

  assign acc_o = acc_q;
  assign sat_o = sat_d;
endmodule
