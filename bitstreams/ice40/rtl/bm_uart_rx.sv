// bm_uart_rx: 8N1 UART receiver. The line is synchronised by two flops; a
// falling edge starts a character, which is sampled in the middle of every
// bit (CPB clocks per bit). A start bit that is high again at its middle is a
// glitch and ignored; a low stop bit drops the byte and flags frame_err_o.
// Output: valid_o pulses for one cycle with data_o, the cycle after the
// middle of the stop bit (~9.5 bit times after the start edge). No ready: a
// consumer must take every byte (one per 10 bit times at most).
module bm_uart_rx #(
  parameter int unsigned CPB = 12   // clocks per bit (clock / baud), >= 4
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,         // serial line, idle high
  output logic       valid_o,
  output logic [7:0] data_o,
  output logic       frame_err_o   // one-cycle pulse: stop bit was low
);
  localparam int unsigned CW = $clog2(CPB);
  localparam logic [CW-1:0] FULL = CW'(CPB - 1);
  localparam logic [CW-1:0] HALF = CW'(CPB / 2 - 1);

  typedef enum logic [1:0] {S_IDLE, S_START, S_DATA, S_STOP} state_e;

  logic [2:0]    sync_q;           // sync_q[2] is the synchronised line
  state_e        state_q, state_d;
  logic [CW-1:0] cnt_q, cnt_d;
  logic [2:0]    bit_q, bit_d;
  logic [7:0]    sh_q, sh_d;
  logic          valid_d, ferr_d;
  logic          line;

  assign line = sync_q[2];

  always_comb begin
    state_d = state_q;
    cnt_d   = cnt_q;
    bit_d   = bit_q;
    sh_d    = sh_q;
    valid_d = 1'b0;
    ferr_d  = 1'b0;
    case (state_q)
      S_IDLE: begin
        cnt_d = HALF;
        if (!line) state_d = S_START;
      end
      S_START: begin                // wait to the middle of the start bit
        if (cnt_q != '0) cnt_d = cnt_q - 1'b1;
        else if (line) state_d = S_IDLE;
        else begin
          cnt_d = FULL; bit_d = '0; state_d = S_DATA;
        end
      end
      S_DATA: begin
        if (cnt_q != '0) cnt_d = cnt_q - 1'b1;
        else begin
          cnt_d = FULL;
          sh_d  = {line, sh_q[7:1]};  // LSB first
          bit_d = bit_q + 1'b1;
          if (bit_q == 3'd7) state_d = S_STOP;
        end
      end
      default: begin                // S_STOP: sample the middle of the stop bit
        if (cnt_q != '0) cnt_d = cnt_q - 1'b1;
        else begin
          valid_d = line;
          ferr_d  = !line;
          state_d = S_IDLE;
        end
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sync_q  <= 3'b111;
      state_q <= S_IDLE;
      cnt_q   <= '0;
      bit_q   <= '0;
      sh_q    <= '0;
      valid_o <= 1'b0;
      frame_err_o <= 1'b0;
    end else begin
      sync_q  <= {sync_q[1:0], rx_i};
      state_q <= state_d;
      cnt_q   <= cnt_d;
      bit_q   <= bit_d;
      sh_q    <= sh_d;
      valid_o <= valid_d;
      frame_err_o <= ferr_d;
    end
  end

  assign data_o = sh_q;
endmodule
