// bm_term_decode: one weight code -> its term t as (nonzero, negative, shift);
// the term's value is nonzero ? (negative ? -1 : 1) << shift : 0.
// Combinational (0 cycles). Table mode (dmode 0): the 5-bit entry for this
// code in the row's 2^TB-entry sub-table (already selected for the group's
// selector and term t by bm_tab / bm_array; bit 4 nonzero, bit 3 negative,
// bits 2:0 shift). Booth mode (dmode 1): radix-4 Booth digit t of the b-bit
// two's-complement code (top bit inverted first when offset_i: offset-binary):
// x = sign-extended code, digit t = {x[2t+1], x[2t], x[2t-1]}.
// Preconditions (bm_wslots and CONFIG guarantee them; tb_term_decode tests
// exactly these inputs): code bits b and up are 0, and in Booth mode
// t < ceil(b/2) (CONFIG requires terms = ceil(b/2)). Then the digit only
// reads code bits, except x[2t+1] = x[b] = x[b-1] for odd b at its last
// digit, and the offset inversion only touches the digit bit at b-1: three
// t-indexed bit selects and a few flags, no b-wide masks or shifts.
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
  input  logic [(1<<TB)*5-1:0] row_tab_i, // 2^TB term entries of this row for t_i
  output logic                 nz_o,
  output logic                 neg_o,
  output logic [2:0]           sh_o
);
  localparam int unsigned CW = MAXB > 2 * MT ? MAXB : 2 * MT;
  localparam int unsigned IW = $clog2(CW + 1);   // index into ce (2t + 2 <= 2*MT <= CW)

  /* verilator lint_off UNUSEDSIGNAL */
  logic [CW:0]   ce;        // ce[i+1] = code bit i, ce[0] = x[-1] = 0
  /* verilator lint_on UNUSEDSIGNAL */
  logic [3:0]    t2;        // 2t
  logic [IW-1:0] i0;        // 2t as an index into ce
  logic          f0, f1, f2, top;
  logic [2:0]    dig;       // x[2t+1], x[2t], x[2t-1]
  logic [4:0]    ent;

  always_comb begin
    ce   = {CW'(code_i), 1'b0};
    t2   = 4'({t_i, 1'b0});
    i0   = IW'({t_i, 1'b0});
    // offset-binary: invert the digit bit that is the code's top bit b-1
    top  = bits_i == (t2 | 4'd1);               // b = 2t+1: odd b, last digit
    f0   = offset_i && bits_i == t2;            // b-1 = 2t-1
    f1   = offset_i && top;                     // b-1 = 2t
    f2   = offset_i && bits_i == t2 + 4'd2;     // b-1 = 2t+1
    // x[2t+1] = x[2t] (sign extension) when b = 2t+1
    dig[0] = ce[i0] ^ f0;
    dig[1] = ce[i0 + IW'(1)] ^ f1;
    dig[2] = top ? dig[1] : ce[i0 + IW'(2)] ^ f2;
    ent  = row_tab_i[code_i[TB-1:0]*5 +: 5];

    if (dmode_i) begin
      // 000, 111 -> 0; 001, 010 -> +1; 011 -> +2; 100 -> -2; 101, 110 -> -1
      nz_o  = !(dig == 3'b000 || dig == 3'b111);
      neg_o = dig[2];
      sh_o  = 3'(t2) | 3'((dig == 3'b011 || dig == 3'b100) ? 1 : 0);
    end else begin
      nz_o  = ent[4];
      neg_o = ent[3];
      sh_o  = ent[2:0];
    end
  end
endmodule
