// bm_uart_tx: 8N1 UART transmitter, CPB clocks per bit. valid_i/ready_o
// handshake: a byte is taken when both are high and sent as start bit, 8 data
// bits LSB first and one stop bit; ready_o is high again once the stop bit
// has been on the line for a full bit time (10 bit times per byte).
module bm_uart_tx #(
  parameter int unsigned CPB = 12   // clocks per bit (clock / baud)
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       valid_i,
  input  logic [7:0] data_i,
  output logic       ready_o,
  output logic       tx_o          // serial line, idle high
);
  localparam int unsigned CW = $clog2(CPB);
  localparam logic [CW-1:0] FULL = CW'(CPB - 1);

  logic [9:0]    sh_q, sh_d;      // {stop, data, start}, shifted out LSB first
  logic [3:0]    left_q, left_d;  // bits still to send, 0 = idle
  logic [CW-1:0] cnt_q, cnt_d;

  assign ready_o = left_q == 4'd0;

  always_comb begin
    sh_d   = sh_q;
    left_d = left_q;
    cnt_d  = cnt_q;
    if (left_q == 4'd0) begin
      if (valid_i) begin
        sh_d   = {1'b1, data_i, 1'b0};
        left_d = 4'd10;
        cnt_d  = FULL;
      end
    end else if (cnt_q != '0) begin
      cnt_d = cnt_q - 1'b1;
    end else begin
      sh_d   = {1'b1, sh_q[9:1]};
      left_d = left_q - 4'd1;
      cnt_d  = FULL;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sh_q   <= 10'h3ff;
      left_q <= '0;
      cnt_q  <= '0;
    end else begin
      sh_q   <= sh_d;
      left_q <= left_d;
      cnt_q  <= cnt_d;
    end
  end

  assign tx_o = sh_q[0];
endmodule
