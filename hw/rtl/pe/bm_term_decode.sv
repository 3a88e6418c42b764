// bm_term_decode: one weight code -> its term t as (nonzero, negative, shift);
// the term's value is nonzero ? (negative ? -1 : 1) << shift : 0.
// Combinational (0 cycles). Table mode (dmode 0): the byte for this code in
// the row's 2^TB-entry sub-table (already selected for the group's selector
// and term t; bit 7 nonzero, bit 6 negative, bits 2:0 shift). Booth mode
// (dmode 1): radix-4 Booth digit t of the b-bit two's-complement code (top bit
// inverted first when offset_i: offset-binary).
module bm_term_decode #(
  parameter int unsigned MAXB = 8,  // widest code
  parameter int unsigned TB   = 4,  // table index bits
  parameter int unsigned MT   = 4,  // max terms
  parameter int unsigned TW   = 2   // term index bits
) (
  input  logic [MAXB-1:0]      code_i,    // low bits_i bits are the code
  input  logic [3:0]           bits_i,    // b
  input  logic [TW-1:0]        t_i,       // term index
  input  logic                 dmode_i,
  input  logic                 offset_i,
  input  logic [(1<<TB)*8-1:0] row_tab_i, // 2^TB term bytes of this row for t_i
  output logic                 nz_o,
  output logic                 neg_o,
  output logic [2:0]           sh_o
);
  localparam int unsigned XB = 2 * MT + 1;  // x[-1..2MT-1]

  logic [XB-1:0] xe;        // xe[i+1] = x[i], xe[0] = x[-1] = 0
  logic          sgn;
  logic [2:0]    dig;       // x[2t+1], x[2t], x[2t-1]
  /* verilator lint_off UNUSEDSIGNAL */
  logic [7:0]    tbyte;     // bits 5:3 of a term byte carry nothing
  /* verilator lint_on UNUSEDSIGNAL */

  always_comb begin
    sgn = offset_i;
    for (int i = 0; i < MAXB; i++) begin
      if (4'(i + 1) == bits_i) sgn = code_i[i] ^ offset_i;
    end
    xe = '0;
    for (int i = 0; i < XB - 1; i++) begin
      if (i < MAXB && 4'(i) < bits_i) begin
        xe[i+1] = code_i[i % MAXB] ^ (offset_i && 4'(i + 1) == bits_i);
      end else begin
        xe[i+1] = sgn;
      end
    end
    dig = 3'(xe >> {t_i, 1'b0});
    tbyte = row_tab_i[code_i[TB-1:0]*8 +: 8];

    if (dmode_i) begin
      // 000, 111 -> 0; 001, 010 -> +1; 011 -> +2; 100 -> -2; 101, 110 -> -1
      nz_o  = !(dig == 3'b000 || dig == 3'b111);
      neg_o = dig[2];
      sh_o  = 3'({t_i, 1'b0}) + 3'((dig == 3'b011 || dig == 3'b100) ? 1 : 0);
    end else begin
      nz_o  = tbyte[7];
      neg_o = tbyte[6];
      sh_o  = tbyte[2:0];
    end
  end
endmodule
