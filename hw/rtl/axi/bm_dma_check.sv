// bm_dma_check: the start-time legality of a LOAD or STORE (docs/isa.md),
// computed once when the instruction is dispatched and queued with it, so
// LOAD and STORE share one set of multipliers (one instruction is
// dispatched per cycle). Codes, in priority order: FIELD (token flags
// towards a missing neighbour, rows = 0, row_bytes = 0, STORE row_bytes not
// a multiple of 4), SP_RANGE (LOAD: sp_addr + rows*row_bytes > scratchpad
// size; STORE: last ACC word >= ACC words), DRAM (a byte at or above
// 2^AB, AB = the preset's addr_bits: the last byte is the highest, as every
// term of its address is unsigned);
// ERR_NONE for any other opcode. The arguments (base_i) are constant during
// a run, so the code equals the one computed at the unit's start cycle.
// Combinational (latency 0), no handshake.
module bm_dma_check #(
  parameter int unsigned WGT_BYTES = 65536, META_BYTES = 8192,
  parameter int unsigned ACT_BYTES = 131072, TAB_BYTES = 256, ACC_BYTES = 16384,
  parameter int unsigned AB = 64   // device address bits (BASEn hold AB bits)
) (
  input  logic [127:0]    insn_i,
  input  logic [4*AB-1:0] base_i,
  output logic [7:0]      code_o
);
  localparam int unsigned ACC_WORDS = ACC_BYTES / 4;
  // last byte = base (< 2^AB) + off (< 2^32) + (rows-1)*stride (< 2^36) +
  // row_bytes - 1 (< 2^16): below 2^AB + 2^37, so LW bits never wrap
  localparam int unsigned LW = (AB > 37 ? AB : 37) + 1;
  // scratchpad extents: sp_addr (22 bits) + rows*row_bytes (28 bits), and
  // sp_addr (16) + (rows-1)*sp_stride (24) + row_bytes/4 (14): below 2^29
  localparam int unsigned SW = 29;

  logic        is_ld, is_st;
  logic [1:0]  i_base;
  logic [11:0] i_rows;
  logic [15:0] i_rowb;
  logic [31:0] i_off;
  logic [23:0] i_stride;
  logic [1:0]  l_sp;
  logic [21:0] l_spa;
  logic [15:0] s_spa;
  logic [11:0] s_sps;

  always_comb begin
    is_ld = insn_i[3:0] == bm_isa_pkg::OP_LOAD;
    is_st = insn_i[3:0] == bm_isa_pkg::OP_STORE;
    l_sp  = insn_i[bm_isa_pkg::LOAD_SP_LSB +: 2];
    l_spa = insn_i[bm_isa_pkg::LOAD_SP_ADDR_LSB +: 22];
    s_spa = insn_i[bm_isa_pkg::STORE_SP_ADDR_LSB +: 16];
    s_sps = insn_i[bm_isa_pkg::STORE_SP_STRIDE_LSB +: 12];
    if (is_st) begin
      i_base   = insn_i[bm_isa_pkg::STORE_BASE_LSB +: 2];
      i_rows   = insn_i[bm_isa_pkg::STORE_ROWS_LSB +: 12];
      i_rowb   = insn_i[bm_isa_pkg::STORE_ROW_BYTES_LSB +: 16];
      i_off    = insn_i[bm_isa_pkg::STORE_DRAM_OFF_LSB +: 32];
      i_stride = insn_i[bm_isa_pkg::STORE_DRAM_STRIDE_LSB +: 24];
    end else begin
      i_base   = insn_i[bm_isa_pkg::LOAD_BASE_LSB +: 2];
      i_rows   = insn_i[bm_isa_pkg::LOAD_ROWS_LSB +: 12];
      i_rowb   = insn_i[bm_isa_pkg::LOAD_ROW_BYTES_LSB +: 16];
      i_off    = insn_i[bm_isa_pkg::LOAD_DRAM_OFF_LSB +: 32];
      i_stride = insn_i[bm_isa_pkg::LOAD_DRAM_STRIDE_LSB +: 24];
    end
  end

  // shared arithmetic: DRAM extent (both), scratchpad extent (LOAD: rows *
  // row_bytes, STORE: (rows - 1) * sp_stride)
  logic [AB-1:0] i_b;
  logic [LW-1:0] first_a, end_a;   // end_a: one past the last byte
  logic [35:0] rs_prod;
  logic [11:0] m_a;
  logic [15:0] m_b;
  logic [27:0] m_p;
  logic [11:0] rows1;
  logic [27:0] rs_lo;
  logic [19:0] rs_hi;
  logic [SW-1:0] spsize, spend, endw;
  logic        fld;

  always_comb begin
    i_b     = base_i[i_base*AB +: AB];
    first_a = LW'(i_b) + LW'(i_off);
    // (rows - 1) * stride as two unsigned products of at most 16 x 16 bits
    // (SB_MAC16-shaped); rows = 0 is a FIELD error, so 12-bit rows - 1 is exact
    // wherever the DRAM check matters
    rows1   = i_rows - 12'd1;
    rs_lo   = rows1 * i_stride[15:0];
    rs_hi   = rows1 * i_stride[23:16];
    rs_prod = 36'(rs_lo) + (36'(rs_hi) << 16);
    end_a   = first_a + LW'(rs_prod) + LW'(i_rowb);
    m_a     = is_st ? rows1 : i_rows;
    m_b     = is_st ? 16'(s_sps) : i_rowb;
    m_p     = 28'(m_a) * 28'(m_b);
    case (l_sp)
      2'd0: spsize = SW'(WGT_BYTES);
      2'd1: spsize = SW'(META_BYTES);
      2'd2: spsize = SW'(ACT_BYTES);
      default: spsize = SW'(TAB_BYTES);
    endcase
    spend = SW'(l_spa) + SW'(m_p);
    // one past the last ACC word: compared with > (no decrement adder)
    endw = SW'(s_spa) + SW'(m_p) + SW'(i_rowb[15:2]);
    fld   = i_rows == '0 || i_rowb == '0 ||
            (is_st ? (insn_i[bm_isa_pkg::F_POP_NEXT_LSB] || insn_i[bm_isa_pkg::F_PUSH_NEXT_LSB] ||
                      i_rowb[1:0] != 2'b00)
                   : (insn_i[bm_isa_pkg::F_POP_PREV_LSB] || insn_i[bm_isa_pkg::F_PUSH_PREV_LSB]));
    if (!is_ld && !is_st) code_o = bm_isa_pkg::ERR_NONE;
    else if (fld) code_o = bm_isa_pkg::ERR_FIELD;
    else if (is_st ? endw > SW'(ACC_WORDS) : spend > spsize) code_o = bm_isa_pkg::ERR_SP_RANGE;
    // the last byte (end_a - 1, row_bytes >= 1 here) is at or above 2^AB
    // exactly when end_a > 2^AB
    else if ((end_a >> AB) > LW'(1) || ((end_a >> AB) == LW'(1) && end_a[AB-1:0] != '0))
      code_o = bm_isa_pkg::ERR_DRAM;
    else code_o = bm_isa_pkg::ERR_NONE;
  end
endmodule
