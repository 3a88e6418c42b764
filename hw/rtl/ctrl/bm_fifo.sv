// bm_fifo: DEPTH-entry synchronous FIFO of W-bit entries (instruction
// queues). Push and pop in the same cycle are allowed; full_o and empty_o
// come from the registered count, so a slot freed by a pop at cycle s can be
// refilled at s + 1 (docs/timing.md). Latency 1 (pushed at d, visible d + 1).
// DEPTH 1 is one register; DEPTH 2 a shift queue (the head is always slot 0:
// no read multiplexer, slot 0's input multiplexer sits in front of its
// flip-flops);
// deeper queues are a ring with read/write pointers. head_o is undefined
// while empty_o.
module bm_fifo #(
  parameter int unsigned W     = 160,
  parameter int unsigned DEPTH = 8
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         clr_i,
  input  logic         push_i,
  input  logic [W-1:0] data_i,
  input  logic         pop_i,
  output logic [W-1:0] head_o,
  output logic         empty_o,
  output logic         full_o
);
  localparam int unsigned PW = DEPTH > 1 ? $clog2(DEPTH) : 1;
  logic [PW:0] cnt_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) cnt_q <= '0;
    else if (clr_i) cnt_q <= '0;
    else cnt_q <= cnt_q + (PW+1)'(push_i) - (PW+1)'(pop_i);
  end

  if (DEPTH == 1) begin : g_one
    // one slot: pushes happen only while the queue is empty (full_o is the
    // registered count), so a push always lands in it
    logic [W-1:0] s0_q;
    always_ff @(posedge clk_i) if (push_i) s0_q <= data_i;
    assign head_o = s0_q;
  end else if (DEPTH == 2) begin : g_shift
    logic [W-1:0] s0_q, s1_q;
    logic         at0;   // the pushed entry becomes the head
    assign at0 = cnt_q == (PW+1)'(pop_i);
    always_ff @(posedge clk_i) begin
      if (push_i && at0) s0_q <= data_i;
      else if (pop_i) s0_q <= s1_q;
      if (push_i && !at0) s1_q <= data_i;
    end
    assign head_o = s0_q;
  end else begin : g_ring
    logic [W-1:0]  mem_q [DEPTH];
    logic [PW-1:0] rd_q, wr_q;

    function automatic logic [PW-1:0] inc(input logic [PW-1:0] p);
      inc = (32'(p) == DEPTH - 1) ? '0 : p + 1'b1;
    endfunction

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        rd_q <= '0; wr_q <= '0;
      end else if (clr_i) begin
        rd_q <= '0; wr_q <= '0;
      end else begin
        if (push_i) wr_q <= inc(wr_q);
        if (pop_i) rd_q <= inc(rd_q);
      end
    end

    always_ff @(posedge clk_i) begin
      if (push_i) mem_q[wr_q] <= data_i;
    end

    assign head_o = mem_q[rd_q];
  end

  assign empty_o = cnt_q == '0;
  assign full_o  = 32'(cnt_q) == DEPTH;
endmodule
