// bm_dequant: group dequantization of one PE. Stage A (when dq_i): register
// scale * (gp - (zp ? aux*asum : 0)); stage B (the next cycle): add it to the
// int32 accumulator with saturation. Latency 2 from dq_i to acc_o. clr_i /
// ld_i overwrite the accumulator (start of a tile) and take priority.
module bm_dequant #(
  parameter int unsigned GPW = 32,  // group partial-sum bits
  parameter int unsigned ASW = 24   // activation-sum bits
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
  localparam int unsigned DW = GPW + 1;
  localparam int unsigned MW = DW + 9;

  logic signed [DW-1:0] zcorr, d, auxe, ase;
  logic signed [MW-1:0] scalee, de;
  logic signed [MW-1:0] mult_d, mult_q;
  logic                 v_q;
  logic signed [MW:0]   sum;
  logic signed [31:0]   acc_q, acc_d;
  logic                 sat_d;
  localparam logic signed [MW:0] SMAX = (MW+1)'(32'sh7fffffff);
  localparam logic signed [MW:0] SMIN = -((MW+1)'(33'sh080000000));

  always_comb begin
    auxe   = DW'($signed(aux_i));
    ase    = DW'(as_i);
    zcorr  = zp_i ? auxe * ase : '0;
    d      = DW'(gp_i) - zcorr;
    scalee = MW'($signed({1'b0, scale_i}));
    de     = MW'(d);
    mult_d = scalee * de;
    sum    = (MW+1)'(acc_q) + (MW+1)'(mult_q);
    sat_d  = 1'b0;
    acc_d  = acc_q;
    if (clr_i) begin
      acc_d = '0;
    end else if (ld_i) begin
      acc_d = ld_data_i;
    end else if (v_q) begin
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
      if (dq_i) mult_q <= mult_d;
      acc_q <= acc_d;
    end
  end

  assign acc_o = acc_q;
  assign sat_o = sat_d;
endmodule
