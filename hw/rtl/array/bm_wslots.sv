// bm_wslots: splits one step of the weight bitstream into its R*L lane slots.
// The window holds the step's bits starting at bit boff_i; slot j is bits
// [j*W, j*W + W) after that, W = b + 2*sparse; the code is the low b bits and
// the 2:4 index the 2 bits above it. Combinational.
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
  logic [WINB-1:0] w;
  logic [3:0]      sw;
  logic [NS*WMAX-1:0] slot;
  logic [MAXB-1:0] cmask;

  always_comb begin
    w  = win_i >> boff_i;
    sw = bits_i + (sparse_i ? 4'd2 : 4'd0);
    cmask = '0;
    for (int i = 0; i < MAXB; i++) cmask[i] = (4'(i) < bits_i);
    for (int j = 0; j < NS; j++) begin
      slot[j*WMAX +: WMAX] = '0;
      for (int k = 1; k <= WMAX; k++) begin
        if (4'(k) == sw) slot[j*WMAX +: WMAX] = w[j*k +: WMAX];
      end
      code_o[j*MAXB +: MAXB] = slot[j*WMAX +: MAXB] & cmask;
      idx_o[j*2 +: 2] = 2'(slot[j*WMAX +: WMAX] >> bits_i);
    end
  end
endmodule
