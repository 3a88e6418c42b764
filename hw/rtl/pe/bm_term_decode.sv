// bm_term_decode: one weight code -> its term t as (nonzero, negative, shift);
// the term's value is nonzero ? (negative ? -1 : 1) << shift : 0.
// Combinational (0 cycles). Table mode (dmode 0): the 5-bit entry for this
// code in the row's 2^TB-entry sub-table (already selected for the group's
// selector and term t by bm_tab / bm_array; bit 4 nonzero, bit 3 negative,
// bits 2:0 shift). Booth mode (dmode 1): radix-4 Booth digit t of the b-bit
// two's-complement code (top bit inverted first when offset_i: offset-binary),
// computed with whole-word masks: x = sign-extended code, digit t =
// {x[2t+1], x[2t], x[2t-1]}.
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
  // x[-1..XW-1] with XW = 2*MT bits of the sign-extended code (b <= 2*MT in
  // Booth mode); wider codes only occur in table mode
  localparam int unsigned XW = 2 * MT;
  localparam int unsigned CW = MAXB > XW ? MAXB : XW;

  logic [CW-1:0] cx, lowm, topm;
  logic          sgn;
  logic [XW:0]   xe;        // xe[i+1] = x[i], xe[0] = x[-1] = 0
  logic [2:0]    dig;       // x[2t+1], x[2t], x[2t-1]
  logic [4:0]    ent;

  always_comb begin
    lowm = (CW'(1) << bits_i) - CW'(1);         // the code's b bits
    topm = CW'(1) << (bits_i - 4'd1);           // its top bit
    cx   = (CW'(code_i) ^ (offset_i ? topm : '0)) & lowm;
    sgn  = |(cx & topm);
    xe   = {XW'(cx | (sgn ? ~lowm : '0)), 1'b0};
    dig  = 3'(xe >> {t_i, 1'b0});
    ent  = row_tab_i[code_i[TB-1:0]*5 +: 5];

    if (dmode_i) begin
      // 000, 111 -> 0; 001, 010 -> +1; 011 -> +2; 100 -> -2; 101, 110 -> -1
      nz_o  = !(dig == 3'b000 || dig == 3'b111);
      neg_o = dig[2];
      sh_o  = 3'({t_i, 1'b0}) + 3'((dig == 3'b011 || dig == 3'b100) ? 1 : 0);
    end else begin
      nz_o  = ent[4];
      neg_o = ent[3];
      sh_o  = ent[2:0];
    end
  end
endmodule
