/**
 * The lean unary gRPC transport: HTTP/2 spoken directly on a socket, behind DispatchTransport.
 * The HPACK codec, frame reader and reply reader are exported for their tests.
 */
export { H2Transport, h2Supports, DEFAULT_H2_TUNING, type H2Tuning } from './transport.js';
export { h2Target, type H2Target } from './target.js';
export { HpackDecoder } from './hpack-decoder.js';
export { encodeHeaders } from './hpack-encoder.js';
export { huffmanDecode, huffmanEncode } from './huffman.js';
export { FrameReader } from './frame-reader.js';
export { H2ProtocolError, CLIENT_PREFACE, ErrorCode, FrameType, Flags, Setting } from './frames.js';
export { percentDecode, timeoutHeader } from './grpc-status.js';
