import { validateOptions } from '../validation/schema.js';
import type { Connection } from './connection.js';
import type { ReadHold } from './inbound.js';
import { MessageDuplex } from './message-duplex.js';
import { STREAM_OPTIONS_SCHEMA, type MessageDuplexOptions, type WebStreamOptions } from './stream-options.js';
import { connectionStreams, type ConnectionStreams } from './web-streams.js';

/**
 * The stream view a connection is taken as, made on first request: web streams or a
 * Duplex, one of the two (each reads every message and holds the socket for its reader).
 * Asking again for the same kind gives the same view.
 */
export class StreamViews {
  private view: { kind: 'web'; value: ConnectionStreams } | { kind: 'duplex'; value: MessageDuplex } | null = null;

  constructor(
    private readonly connection: Connection,
    private readonly readHold: ReadHold,
    /** The connection delivers data messages as streams ('stream' events), which no view reads. */
    private readonly streamsMessages: boolean,
  ) {}

  web(options: WebStreamOptions = {}): ConnectionStreams {
    validateOptions(options, STREAM_OPTIONS_SCHEMA);
    if (this.view === null) {
      this.check('stream');
      this.view = { kind: 'web', value: connectionStreams(this.connection, this.readHold, options) };
    }
    if (this.view.kind !== 'web') throw taken('stream', 'duplex');
    return this.view.value;
  }

  duplex(options: MessageDuplexOptions = {}): MessageDuplex {
    validateOptions(options, STREAM_OPTIONS_SCHEMA);
    if (this.view === null) {
      this.check('duplex');
      this.view = { kind: 'duplex', value: new MessageDuplex(this.connection, this.readHold, options) };
    }
    if (this.view.kind !== 'duplex') throw taken('duplex', 'stream');
    return this.view.value;
  }

  private check(method: string): void {
    if (this.streamsMessages) {
      throw new TypeError(`connection.${method}() reads whole messages: it cannot be used on a connection with the "streamMessages" option`);
    }
  }
}

function taken(asked: string, given: string): TypeError {
  return new TypeError(`connection.${asked}() cannot be used: this connection was already taken as connection.${given}()`);
}
