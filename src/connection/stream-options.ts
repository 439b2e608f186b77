import { integer, type Schema } from '../validation/schema.js';

/**
 * Received messages a web readable holds, in bytes (a text message counts its length),
 * before the connection stops reading its socket; and bytes written and not yet handed
 * to the operating system before the writable asks its writer to wait.
 */
export const DEFAULT_STREAM_HIGH_WATER_MARK = 64 * 1024;
/** The same for a Duplex of messages, in messages (object mode), as async iteration holds. */
export const DEFAULT_DUPLEX_HIGH_WATER_MARK = 16;

/** Options of `connection.stream()` (and of `WebSocketStream`'s third argument). */
export interface WebStreamOptions {
  /** Bytes of received messages queued in the readable before the socket stops being read. Default 64 KiB. */
  readableHighWaterMark?: number;
  /** Bytes of written messages not yet handed to the operating system before `writer.ready` waits. Default 64 KiB. */
  writableHighWaterMark?: number;
}

/** Options of `connection.duplex()`. */
export interface MessageDuplexOptions {
  /** Received messages queued in the Duplex before the socket stops being read. Default 16. */
  readableHighWaterMark?: number;
  /** Messages written and waiting before `write()` returns false. Default 16. */
  writableHighWaterMark?: number;
}

/** The checks of both (each counts in its own unit). */
export const STREAM_OPTIONS_SCHEMA: Schema = {
  readableHighWaterMark: integer(0),
  writableHighWaterMark: integer(0),
};
