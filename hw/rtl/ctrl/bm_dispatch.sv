// bm_dispatch: hands the fetched instructions, in order and one per cycle,
// to the LOAD / COMPUTE / STORE queues (CONFIG, COMPUTE -> compute; NOP ->
// the unit named by its queue field). Decodes while dispatching: undefined
// opcode -> OPCODE, reserved bit or token flag towards a missing neighbour ->
// FIELD. FINISH stops dispatch (finish_o, registered). Stalls while the
// target queue is full. Combinational decode, 0 cycles.
module bm_dispatch (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         clr_i,
  input  logic         en_i,        // running and no error
  input  logic         avail_i,
  input  logic [127:0] insn_i,
  output logic         take_o,      // instruction consumed (dispatched, FINISH or error)
  input  logic [2:0]   full_i,      // queue full: 0 load, 1 compute, 2 store
  output logic [2:0]   push_o,
  output logic         finish_o,    // FINISH has been dispatched (registered)
  output logic         fin_now_o,   // FINISH dispatched this cycle
  output logic         blocked_o,   // head instruction waits for a full queue
  output logic         err_o,
  output logic [7:0]   err_code_o
);
  logic [3:0]   op;
  logic [1:0]   q;
  logic         bad_op, bad_field, is_fin;
  logic [127:0] rmask;
  logic         fin_q;

  always_comb begin
    op = insn_i[3:0];
    bad_op = 1'b0; bad_field = 1'b0; is_fin = 1'b0; q = 2'd1;
    rmask = '0;
    case (op)
      bm_isa_pkg::OP_CONFIG:  begin q = 2'd1; rmask = ~((128'd1 << bm_isa_pkg::CONFIG_USED) - 128'd1); end
      bm_isa_pkg::OP_LOAD:    begin q = 2'd0; rmask = ~((128'd1 << bm_isa_pkg::LOAD_USED) - 128'd1); end
      bm_isa_pkg::OP_COMPUTE: begin q = 2'd1; rmask = '0; end
      bm_isa_pkg::OP_STORE:   begin q = 2'd2; rmask = ~((128'd1 << bm_isa_pkg::STORE_USED) - 128'd1); end
      bm_isa_pkg::OP_NOP: begin
        q = insn_i[bm_isa_pkg::NOP_QUEUE_LSB +: 2];
        rmask = ~((128'd1 << bm_isa_pkg::NOP_USED) - 128'd1);
        if (q == 2'd3) bad_field = 1'b1;
        if (q == 2'd0 && (insn_i[4] || insn_i[6])) bad_field = 1'b1;
        if (q == 2'd2 && (insn_i[5] || insn_i[7])) bad_field = 1'b1;
      end
      bm_isa_pkg::OP_FINISH: begin
        is_fin = 1'b1;
        rmask = ~((128'd1 << bm_isa_pkg::FINISH_USED) - 128'd1);
        if (insn_i[7:4] != 4'h0) bad_field = 1'b1;
      end
      default: bad_op = 1'b1;
    endcase
    if ((insn_i & rmask) != '0) bad_field = 1'b1;
  end

  logic go;
  assign go         = en_i && avail_i && !fin_q;
  assign err_o      = go && (bad_op || bad_field);
  assign err_code_o = bad_op ? bm_isa_pkg::ERR_OPCODE : bm_isa_pkg::ERR_FIELD;
  assign blocked_o  = go && !err_o && !is_fin && full_i[q];
  assign take_o     = go && !err_o && (is_fin || !full_i[q]);
  assign fin_now_o  = take_o && is_fin;
  always_comb begin
    push_o = '0;
    if (take_o && !is_fin) push_o[q] = 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fin_q <= 1'b0;
    else if (clr_i) fin_q <= 1'b0;
    else if (fin_now_o) fin_q <= 1'b1;
  end
  assign finish_o = fin_q;
endmodule
