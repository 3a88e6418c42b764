// bm_sparse_mux: the activation a lane multiplies. Dense: position l of the
// step's word. 2:4: the lane's kept weight carries a 2-bit index that picks
// one of the 4 activations of its aligned run, position 4*(l/2) + idx of the
// pair of words (2L positions). Combinational.
module bm_sparse_mux #(
  parameter int unsigned L = 4,  // lanes
  parameter int unsigned LI = 0  // this lane's index
) (
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [2*L*8-1:0] act_i,    // positions 0..2L-1; a lane sees its run only
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic             sparse_i,
  input  logic [1:0]       idx_i,
  output logic [7:0]       x_o
);
  localparam int unsigned RUN = 4 * (LI / 2);
  logic [31:0] run;   // the 4 activations of the lane's aligned run

  for (genvar k = 0; k < 4; k++) begin : g_run
    if (RUN + k < 2 * L) begin : g_in
      assign run[k*8 +: 8] = act_i[(RUN + k)*8 +: 8];
    end else begin : g_out
      assign run[k*8 +: 8] = 8'h00;  // odd L: never selected (sparse needs even L)
    end
  end

  assign x_o = sparse_i ? run[idx_i*8 +: 8] : act_i[LI*8 +: 8];
endmodule
