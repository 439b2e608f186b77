export { Defragmenter, DefragmenterCore, type DefragmenterOptions } from './decode/defragmenter.js';
export { HeaderParser, HeaderParserCore, type HeaderParserOptions } from './decode/header-parser.js';
export { MessageDecoder, MessageDecoderCore, type MessageDecoderOptions } from './decode/message-decoder.js';
export { Unmasker, UnmaskerCore, type UnmaskerOptions } from './decode/unmasker.js';
export { Fragmenter, FragmenterCore, type FragmenterOptions } from './encode/fragmenter.js';
export { FrameSerializer, FrameSerializerCore } from './encode/frame-serializer.js';
export { Masker, MaskerCore, type MaskerOptions } from './encode/masker.js';
export { MessageEncoder, MessageEncoderCore, encodeMessage, type EncoderInput } from './encode/message-encoder.js';
export { createDecoder, createDecoderCore, type CreateDecoderOptions } from './decoder.js';
export type { ExtensionStages, SharedEncoding, StageContext } from './extension-stages.js';
export { ProtocolSocket, PROTOCOL_SOCKET_GRACE_MS, type ProtocolSocketOptions } from './protocol-socket.js';
export { createEncoder, createEncoderCore, type CreateEncoderOptions, type EncoderOptions } from './encoder.js';
export { parseClosePayload, buildClosePayload, MAX_CLOSE_REASON_BYTES } from './close-frame.js';
export type { InvalidMessageError } from './invalid-message.js';
export {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_PAYLOAD,
  type DecoderLimits,
  type DecoderOptions,
  type ReservedBits,
} from './limits.js';
export { mask, unmask } from './mask.js';
export { DEFAULT_MAX_MESSAGE_MEMORY, MemoryBudget } from './memory-budget.js';
export { RateLimiterCore, type RateLimitOptions } from './rate-limiter.js';
export { Utf8Validator, isValidUtf8 } from './utf8-validator.js';
export {
  EMPTY_BUFFER,
  Opcode,
  RSV1,
  RSV2,
  RSV3,
  messagePart,
  type BinaryData,
  type BinaryMessage,
  type CloseMessage,
  type DataMessage,
  type FrameHeader,
  type FramePart,
  type Message,
  type MessageKind,
  type MessagePart,
  type OutgoingMessage,
  type PingMessage,
  type PongMessage,
  type Role,
  type TextMessage,
} from './records.js';
export { FusedCore, StageTransform, type RecordSink, type StageCore, type StageStreamOptions } from './stage.js';
export { WebSocketError, type WebSocketErrorCode } from '../errors.js';
export { CloseCode, isValidWireCloseCode } from '../close-codes.js';
export * from './deflate/index.js';
export type { DecoderChainOptions } from './decoder.js';
export { decodeStages, encodeStages, fuseStages, namedStage, type NamedStage } from './chain-stages.js';
