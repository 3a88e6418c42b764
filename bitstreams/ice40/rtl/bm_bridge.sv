// bm_bridge: board side of the framed host protocol (driver/usb/bm_proto.h)
// over a byte stream (bm_uart_rx / bm_uart_tx). A request frame
//   B5 | op | seq | status | addr (8, LE) | len (4) | plen (2) | payload | CRC-32 (LE)
// is parsed on the fly: the header into registers, a REG_WR payload into a
// word, a MEM_WR payload into the staging buffer (the STAGE_WORDS words at the
// top of the RAM, used as a ring indexed by (addr % 4 + i) % 4096, so a
// frame's bytes never collide). Only when the CRC matches does the request
// take effect: registers through the AXI4-Lite master (s_axi_control of
// bm_top), memory through the RAM word port (staging -> target copy with byte
// enables for MEM_WR; MEM_RD streams words into the response). The response
// (opcode | 0x80, same seq, status, addr, len echoed, plen, payload, CRC) is
// sent as it is generated, CRC computed on the fly.
//
// Semantics follow the C model driver/usb/bm_bridge.c: bad CRC, a response
// opcode or a payload length above 4096 drop the frame silently; status
// BAD_OP / BAD_ADDR / BAD_LEN as there; a request with the sequence number
// and opcode of the last executed one is a retry and is answered again
// without executing (REG_RD answers the saved value, because reading CTRL
// clears ap_done; MEM_RD re-reads memory, which nothing changed meanwhile).
// A frame that stops arriving for IDLE_CYCLES is dropped, so a retry after a
// lost byte parses cleanly. Bytes arriving while a request executes or its
// response is sent are ignored (the host sends one request at a time).
// Timing: bytes arrive at most one per 10 bit times (>= 40 cycles), so the
// one-byte staging write buffer is always free again before the next byte.
module bm_bridge #(
  parameter logic [63:0] MEM_BASE    = 64'h8000_0000,  // device address of RAM byte 0
  parameter int unsigned MEM_WORDS   = 32768,          // RAM words (power of two)
  parameter int unsigned STAGE_WORDS = 1024,           // staging ring (4 KiB)
  parameter int unsigned IDLE_CYCLES = 240000,         // 20 ms at 12 MHz
  parameter int unsigned MW          = $clog2(MEM_WORDS)
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // byte stream
  input  logic          rx_valid_i,
  input  logic [7:0]    rx_data_i,
  output logic          tx_valid_o,
  output logic [7:0]    tx_data_o,
  input  logic          tx_ready_i,
  // AXI4-Lite master -> s_axi_control
  output logic [11:0]   awaddr_o,
  output logic          awvalid_o,
  input  logic          awready_i,
  output logic [31:0]   wdata_o,
  output logic [3:0]    wstrb_o,
  output logic          wvalid_o,
  input  logic          wready_i,
  input  logic          bvalid_i,
  output logic          bready_o,
  output logic [11:0]   araddr_o,
  output logic          arvalid_o,
  input  logic          arready_i,
  input  logic [31:0]   rdata_i,
  input  logic          rvalid_i,
  output logic          rready_o,
  // RAM word port (bm_ice40_mem): held until gnt_i, read data the next cycle
  output logic          mreq_o,
  output logic          mwe_o,
  output logic [MW-1:0] maddr_o,
  output logic [31:0]   mwdata_o,
  output logic [3:0]    mbe_o,
  input  logic          mgnt_i,
  input  logic [31:0]   mrdata_i,
  // status pulses (LEDs)
  output logic          frame_ok_o,
  output logic          frame_bad_o
);
  // ---- protocol constants (bm_proto.h)
  localparam logic [7:0] SYNC = 8'hB5;
  localparam logic [7:0] OP_PING = 8'd1, OP_REG_RD = 8'd2, OP_REG_WR = 8'd3,
                         OP_MEM_RD = 8'd4, OP_MEM_WR = 8'd5, OP_RESP = 8'h80;
  localparam logic [1:0] ST_OK = 2'd0, ST_BAD_OP = 2'd1, ST_BAD_ADDR = 2'd2, ST_BAD_LEN = 2'd3;
  localparam int unsigned HDR = 18, MAXPAY = 4096, PING_BYTES = 24, VERSION = 1;
  localparam int unsigned BW = MW + 2;                         // RAM byte-address bits
  localparam int unsigned HOST_BYTES = 4 * (MEM_WORDS - STAGE_WORDS);
  localparam logic [MW-1:0] STAGE_W = MW'(MEM_WORDS - STAGE_WORDS);
  localparam logic [63:0] HOST_B64 = 64'(HOST_BYTES);
  localparam int unsigned TW = $clog2(IDLE_CYCLES + 1);

  typedef enum logic [3:0] {
    S_HUNT, S_HDR, S_PAY, S_CRC, S_EXEC, S_REG_W, S_REG_B, S_REG_AR, S_REG_R,
    S_CPY_RD, S_CPY_CAP, S_CPY_WR, S_TX, S_TX_FETCH, S_TX_CAP
  } state_e;
  // what the TX state is sending
  typedef enum logic [1:0] {P_HDR, P_PAY, P_CRC} part_e;

  state_e        state_q, state_d;
  part_e         part_q, part_d;
  logic [12:0]   idx_q, idx_d;          // byte index within the current part
  logic [7:0]    op_q, op_d, seq_q, seq_d;
  logic [63:0]   addr_q, addr_d;
  logic [31:0]   len_q, len_d;
  logic [15:0]   plen_q, plen_d;        // request payload bytes, then response's
  logic [31:0]   crc_q, crc_d;          // running CRC (RX, then TX)
  logic [31:0]   rcrc_q, rcrc_d;        // received CRC bytes
  logic [31:0]   word_q, word_d;        // REG_WR payload / copied or streamed RAM word
  logic [31:0]   rreg_q, rreg_d;        // last REG_RD value (kept for a retry)
  logic [1:0]    st_q, st_d;            // response status
  logic          have_q, have_d;        // last_* valid
  logic [7:0]    lseq_q, lseq_d, lop_q, lop_d;
  logic [1:0]    lst_q, lst_d;
  logic          aw_q, aw_d, w_q, w_d;  // AXI-Lite write: address / data accepted
  logic [10:0]   cw_q, cw_d;            // MEM_WR copy: word index
  logic          sw_q, sw_d;            // staging write pending
  logic [7:0]    sbyte_q, sbyte_d;
  logic [11:0]   spos_q, spos_d;        // staging ring byte position
  logic [TW-1:0] idle_q, idle_d;
  logic          ok_d, bad_d;

  // ---- derived values
  logic [31:0] crc_next, crc_cur;
  logic [7:0]  crc_in;
  bm_crc32 u_crc (.crc_i(crc_cur), .data_i(crc_in), .crc_o(crc_next));

  logic        reg_ok, mem_ok, retry, req_ok, rx_part;
  logic [BW:0] mem_end;
  logic [12:0] cpy_end;                 // addr % 4 + len: byte after the last, in copy space
  logic [12:0] cpy_pos;                 // 4 * cw
  logic [BW-1:0] rd_ba;                 // MEM_RD: RAM byte of payload byte idx
  logic [7:0]  tx_byte, pay_byte;

  assign reg_ok  = addr_q[63:12] == '0 && addr_q[1:0] == 2'b00;
  assign mem_end = (BW+1)'(addr_q[BW-1:0]) + (BW+1)'(len_q[12:0]);
  // len <= 4096 is checked before mem_ok is used
  assign mem_ok  = addr_q[63:BW] == MEM_BASE[63:BW] && 32'(mem_end) <= HOST_BYTES;
  assign retry   = have_q && seq_q == lseq_q && op_q == lop_q;
  assign req_ok  = rcrc_q == ~crc_q && !op_q[7];
  assign cpy_end = 13'(addr_q[1:0]) + len_q[12:0];
  assign cpy_pos = {cw_q, 2'b00};
  assign rd_ba   = addr_q[BW-1:0] + BW'(idx_q);
  assign rx_part = state_q == S_HUNT || state_q == S_HDR || state_q == S_PAY || state_q == S_CRC;

  // response payload byte idx
  always_comb begin
    pay_byte = 8'h00;
    if (op_q == OP_PING) begin
      case (idx_q[4:0])
        5'd0:  pay_byte = 8'(VERSION);
        5'd8, 5'd9, 5'd10, 5'd11, 5'd12, 5'd13, 5'd14, 5'd15:
               pay_byte = MEM_BASE[idx_q[2:0]*8 +: 8];
        5'd16, 5'd17, 5'd18, 5'd19, 5'd20, 5'd21, 5'd22, 5'd23:
               pay_byte = HOST_B64[idx_q[2:0]*8 +: 8];
        default: pay_byte = 8'h00;
      endcase
    end else if (op_q == OP_REG_RD) begin
      pay_byte = rreg_q[idx_q[1:0]*8 +: 8];
    end else begin
      pay_byte = word_q[rd_ba[1:0]*8 +: 8];
    end
  end

  // response byte in part_q at idx_q
  always_comb begin
    tx_byte = 8'h00;
    case (part_q)
      P_HDR: begin
        case (idx_q[4:0])
          5'd0:  tx_byte = SYNC;
          5'd1:  tx_byte = op_q | OP_RESP;
          5'd2:  tx_byte = seq_q;
          5'd3:  tx_byte = {6'b0, st_q};
          5'd4, 5'd5, 5'd6, 5'd7, 5'd8, 5'd9, 5'd10, 5'd11:
                 tx_byte = addr_q[(idx_q[3:0] - 4'd4)*8 +: 8];
          5'd12, 5'd13, 5'd14, 5'd15:
                 tx_byte = len_q[idx_q[1:0]*8 +: 8];
          5'd16: tx_byte = plen_q[7:0];
          default: tx_byte = plen_q[15:8];
        endcase
      end
      P_PAY:   tx_byte = pay_byte;
      default: tx_byte = ~crc_q[idx_q[1:0]*8 +: 8];
    endcase
  end

  // a frame's CRC starts from all ones at its sync byte
  assign crc_in  = rx_part ? rx_data_i : tx_byte;
  assign crc_cur = state_q == S_HUNT ? '1 : crc_q;

  // ---- the state machine
  always_comb begin
    state_d = state_q; part_d = part_q; idx_d = idx_q;
    op_d = op_q; seq_d = seq_q; addr_d = addr_q; len_d = len_q; plen_d = plen_q;
    crc_d = crc_q; rcrc_d = rcrc_q; word_d = word_q; rreg_d = rreg_q; st_d = st_q;
    have_d = have_q; lseq_d = lseq_q; lop_d = lop_q; lst_d = lst_q;
    aw_d = aw_q; w_d = w_q; cw_d = cw_q;
    sw_d = sw_q; sbyte_d = sbyte_q; spos_d = spos_q;
    idle_d = idle_q; ok_d = 1'b0; bad_d = 1'b0;

    tx_valid_o = 1'b0; tx_data_o = tx_byte;
    awvalid_o = 1'b0; wvalid_o = 1'b0; bready_o = 1'b0; arvalid_o = 1'b0; rready_o = 1'b0;
    mreq_o = 1'b0; mwe_o = 1'b0; maddr_o = '0; mwdata_o = '0; mbe_o = '0;

    // staging write of the last MEM_WR payload byte (has priority on the port)
    if (sw_q) begin
      mreq_o = 1'b1; mwe_o = 1'b1;
      maddr_o = STAGE_W + MW'(spos_q[11:2]);
      mwdata_o = {4{sbyte_q}};
      mbe_o = 4'b0001 << spos_q[1:0];
      if (mgnt_i) sw_d = 1'b0;
    end

    // an unfinished frame is abandoned after IDLE_CYCLES without a byte
    if (rx_part && state_q != S_HUNT) begin
      idle_d = idle_q + 1'b1;
      if (rx_valid_i) idle_d = '0;
      else if (32'(idle_q) >= IDLE_CYCLES) begin state_d = S_HUNT; bad_d = 1'b1; end
    end

    case (state_q)
      S_HUNT: begin
        idle_d = '0;
        if (rx_valid_i && rx_data_i == SYNC) begin
          crc_d = crc_next; idx_d = 13'd1; state_d = S_HDR;
        end
      end
      S_HDR: if (rx_valid_i) begin
        crc_d = crc_next;
        idx_d = idx_q + 1'b1;
        case (idx_q[4:0])
          5'd1: op_d = rx_data_i;
          5'd2: seq_d = rx_data_i;
          5'd3: ;                                 // request status: unused
          5'd4, 5'd5, 5'd6, 5'd7, 5'd8, 5'd9, 5'd10, 5'd11:
                addr_d = {rx_data_i, addr_q[63:8]};
          5'd12, 5'd13, 5'd14, 5'd15:
                len_d = {rx_data_i, len_q[31:8]};
          5'd16: plen_d[7:0] = rx_data_i;
          default: plen_d[15:8] = rx_data_i;
        endcase
        if (32'(idx_q) == HDR - 1) begin
          idx_d = '0;
          if (32'({rx_data_i, plen_q[7:0]}) > MAXPAY) begin
            state_d = S_HUNT; bad_d = 1'b1;
          end else begin
            state_d = {rx_data_i, plen_q[7:0]} == 16'd0 ? S_CRC : S_PAY;
          end
        end
      end
      S_PAY: if (rx_valid_i) begin
        crc_d = crc_next;
        idx_d = idx_q + 1'b1;
        if (idx_q < 13'd4) word_d = {rx_data_i, word_q[31:8]};
        if (op_q == OP_MEM_WR) begin
          sw_d = 1'b1; sbyte_d = rx_data_i;
          spos_d = 12'(addr_q[1:0]) + idx_q[11:0];
        end
        if (idx_q + 1'b1 == plen_q[12:0]) begin idx_d = '0; state_d = S_CRC; end
      end
      S_CRC: if (rx_valid_i) begin
        rcrc_d = {rx_data_i, rcrc_q[31:8]};
        idx_d = idx_q + 1'b1;
        if (idx_q == 13'd3) begin idx_d = '0; state_d = S_EXEC; end
      end
      S_EXEC: begin
        // the last staging byte must be written before a copy reads it
        if (!req_ok) begin
          state_d = S_HUNT; bad_d = 1'b1;
        end else if (!sw_q) begin
          ok_d = 1'b1;
          crc_d = '1;                     // the response's CRC
          st_d = ST_OK;
          cw_d = '0;
          part_d = P_HDR;
          state_d = S_TX;
          if (retry) begin
            st_d = lst_q;
            plen_d = '0;
            if (op_q == OP_PING) plen_d = 16'(PING_BYTES);
            if (op_q == OP_REG_RD && lst_q == ST_OK) plen_d = 16'd4;
            if (op_q == OP_MEM_RD && lst_q == ST_OK) plen_d = len_q[15:0];
          end else begin
            plen_d = '0;
            case (op_q)
              OP_PING: plen_d = 16'(PING_BYTES);
              OP_REG_RD: begin
                if (!reg_ok) st_d = ST_BAD_ADDR;
                else if (len_q != 32'd4) st_d = ST_BAD_LEN;
                else begin plen_d = 16'd4; state_d = S_REG_AR; end
              end
              OP_REG_WR: begin
                if (!reg_ok) st_d = ST_BAD_ADDR;
                else if (len_q != 32'd4 || plen_q != 16'd4) st_d = ST_BAD_LEN;
                else begin aw_d = 1'b0; w_d = 1'b0; state_d = S_REG_W; end
              end
              OP_MEM_RD: begin
                if (len_q > 32'(MAXPAY)) st_d = ST_BAD_LEN;
                else if (!mem_ok) st_d = ST_BAD_ADDR;
                else plen_d = len_q[15:0];
              end
              OP_MEM_WR: begin
                if (len_q != 32'(plen_q)) st_d = ST_BAD_LEN;
                else if (!mem_ok) st_d = ST_BAD_ADDR;
                else if (len_q != 32'd0) state_d = S_CPY_RD;
              end
              default: st_d = ST_BAD_OP;
            endcase
            have_d = 1'b1; lseq_d = seq_q; lop_d = op_q; lst_d = st_d;
          end
        end
      end
      // ---- registers
      S_REG_W: begin
        awvalid_o = !aw_q; wvalid_o = !w_q;
        if (awready_i) aw_d = 1'b1;
        if (wready_i) w_d = 1'b1;
        if ((aw_q || awready_i) && (w_q || wready_i)) state_d = S_REG_B;
      end
      S_REG_B: begin
        bready_o = 1'b1;
        if (bvalid_i) state_d = S_TX;
      end
      S_REG_AR: begin
        arvalid_o = 1'b1;
        if (arready_i) state_d = S_REG_R;
      end
      S_REG_R: begin
        rready_o = 1'b1;
        if (rvalid_i) begin rreg_d = rdata_i; state_d = S_TX; end
      end
      // ---- MEM_WR: staging -> target, one word per 3+ cycles
      S_CPY_RD: begin
        mreq_o = 1'b1;
        maddr_o = STAGE_W + MW'(cw_q[9:0]);
        if (mgnt_i) state_d = S_CPY_CAP;
      end
      S_CPY_CAP: begin word_d = mrdata_i; state_d = S_CPY_WR; end
      S_CPY_WR: begin
        mreq_o = 1'b1; mwe_o = 1'b1;
        maddr_o = MW'(addr_q[BW-1:2]) + MW'(cw_q);
        mwdata_o = word_q;
        for (int b = 0; b < 4; b++)
          mbe_o[b] = 13'(cpy_pos) + 13'(b) >= 13'(addr_q[1:0]) && 13'(cpy_pos) + 13'(b) < cpy_end;
        if (mgnt_i) begin
          cw_d = cw_q + 1'b1;
          state_d = 13'(cpy_pos) + 13'd4 < cpy_end ? S_CPY_RD : S_TX;
        end
      end
      // ---- response
      S_TX: begin
        tx_valid_o = 1'b1;
        if (tx_ready_i) begin
          idx_d = idx_q + 1'b1;
          if (part_q != P_CRC) crc_d = crc_next;
          case (part_q)
            P_HDR: if (32'(idx_q) == HDR - 1) begin
              idx_d = '0;
              if (plen_q == 16'd0) part_d = P_CRC;
              else begin
                part_d = P_PAY;
                if (op_q == OP_MEM_RD) state_d = S_TX_FETCH;
              end
            end
            P_PAY: begin
              if (idx_q + 1'b1 == plen_q[12:0]) begin idx_d = '0; part_d = P_CRC; end
              else if (op_q == OP_MEM_RD && rd_ba[1:0] == 2'b11) state_d = S_TX_FETCH;
            end
            default: if (idx_q == 13'd3) begin
              idx_d = '0; state_d = S_HUNT;
            end
          endcase
        end
      end
      S_TX_FETCH: begin
        mreq_o = 1'b1;
        maddr_o = rd_ba[BW-1:2];
        if (mgnt_i) state_d = S_TX_CAP;
      end
      S_TX_CAP: begin word_d = mrdata_i; state_d = S_TX; end
      default: state_d = S_HUNT;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= S_HUNT; part_q <= P_HDR; idx_q <= '0;
      op_q <= '0; seq_q <= '0; addr_q <= '0; len_q <= '0; plen_q <= '0;
      crc_q <= '1; rcrc_q <= '0; word_q <= '0; rreg_q <= '0; st_q <= '0;
      have_q <= 1'b0; lseq_q <= '0; lop_q <= '0; lst_q <= '0;
      aw_q <= 1'b0; w_q <= 1'b0; cw_q <= '0;
      sw_q <= 1'b0; sbyte_q <= '0; spos_q <= '0; idle_q <= '0;
      frame_ok_o <= 1'b0; frame_bad_o <= 1'b0;
    end else begin
      state_q <= state_d; part_q <= part_d; idx_q <= idx_d;
      op_q <= op_d; seq_q <= seq_d; addr_q <= addr_d; len_q <= len_d; plen_q <= plen_d;
      crc_q <= crc_d; rcrc_q <= rcrc_d; word_q <= word_d; rreg_q <= rreg_d; st_q <= st_d;
      have_q <= have_d; lseq_q <= lseq_d; lop_q <= lop_d; lst_q <= lst_d;
      aw_q <= aw_d; w_q <= w_d; cw_q <= cw_d;
      sw_q <= sw_d; sbyte_q <= sbyte_d; spos_q <= spos_d; idle_q <= idle_d;
      frame_ok_o <= ok_d; frame_bad_o <= bad_d;
    end
  end

  assign awaddr_o = addr_q[11:0];
  assign araddr_o = addr_q[11:0];
  assign wdata_o  = word_q;
  assign wstrb_o  = 4'hF;
endmodule
