// bm_crc32: one byte step of the reflected CRC-32 (IEEE 802.3, polynomial
// 0xEDB88320, as zlib and bm_proto_crc32()). Combinational. A frame's CRC is
// ~(steps over its bytes starting from 0xFFFFFFFF).
module bm_crc32 (
  input  logic [31:0] crc_i,
  input  logic [7:0]  data_i,
  output logic [31:0] crc_o
);
  logic [31:0] c;
  always_comb begin
    c = crc_i ^ {24'h0, data_i};
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (32'hEDB88320 & {32{c[0]}});
    crc_o = c;
  end
endmodule
