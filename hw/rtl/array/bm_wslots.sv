// bm_wslots: splits one step of the weight bitstream into its R*L lane slots.
// The window holds the step's bits starting at bit boff_i; slot j is bits
// [j*W, j*W + W) after that, W = b + 2*sparse; the code is the low b bits and
// the 2:4 index the 2 bits above it (0 when dense: unused). Combinational.
// One branch per slot width W (constant bit positions inside), so a width is
// decoded once per step, not once per slot.
module bm_wslots #(
  parameter int unsigned NS   = 32,  // slots per step (ROWS*LANES)
  parameter int unsigned MAXB = 8,
  parameter int unsigned WINB = 512  // window bits
) (
  input  logic [WINB-1:0]    win_i,
  input  logic [2:0]         boff_i,
  input  logic [3:0]         bits_i,
  input  logic               sparse_i,
  output logic [NS*MAXB-1:0] code_o,
  output logic [NS*2-1:0]    idx_o
);
  localparam int unsigned WMAX = MAXB + 2;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [WINB-1:0] w;       // bits beyond the last slot are not used
  /* verilator lint_on UNUSEDSIGNAL */
  logic [3:0]      sw;
  logic [MAXB-1:0] cmask;

  always_comb begin
    w  = win_i >> boff_i;
    sw = bits_i + (sparse_i ? 4'd2 : 4'd0);
    for (int i = 0; i < MAXB; i++) cmask[i] = (4'(i) < bits_i);
    code_o = '0;
    idx_o  = '0;
    for (int k = 1; k <= WMAX; k++) begin
      if (4'(k) == sw) begin
        for (int j = 0; j < NS; j++) begin
          code_o[j*MAXB +: MAXB] = w[j*k +: MAXB] & cmask;
          if (k >= 3 && sparse_i) idx_o[j*2 +: 2] = w[j*k + (k >= 3 ? k - 2 : 0) +: 2];
        end
      end
    end
  end
endmodule
