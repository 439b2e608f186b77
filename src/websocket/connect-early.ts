import diagnostics from 'node:diagnostics_channel';
import { connect, type ConnectOptions } from '../client/connect.js';
import type { Connection } from '../connection/connection.js';
import { CHANNEL_NAMES } from '../connection/diagnostics.js';
import type { DataMessage } from '../transforms/records.js';

/**
 * A Connection reads the bytes that came with the 101 response on process.nextTick,
 * which runs before `await connect()` resumes: a message the server sends at once (a
 * welcome, a snapshot) reaches no listener and is lost. Until Connection holds such
 * messages itself, this records what new client connections emit until the next
 * macrotask (through the public 'wspipe:open' diagnostics channel), and hands the
 * records to the caller whose connect() produced that connection.
 */
export interface EarlyConnection {
  connection: Connection;
  /** Messages received before the caller could listen, in order: deliver them first. */
  early: DataMessage[];
}

interface Recording {
  messages: DataMessage[];
  stop: () => void;
}

const recordings = new WeakMap<Connection, Recording>();
let pending = 0;

function onOpen(published: unknown): void {
  const { connection } = published as { connection: Connection };
  if (connection.role !== 'client') return;
  const messages: DataMessage[] = [];
  const record = (message: DataMessage): void => {
    messages.push(message);
  };
  const stop = (): void => {
    connection.off('message', record);
    recordings.delete(connection);
  };
  connection.on('message', record);
  recordings.set(connection, { messages, stop });
  // Someone else's connect() (or one that failed after construction): stop recording. The
  // caller that owns it claims it in a microtask, well before this runs.
  setImmediate(stop);
}

export async function connectEarly(url: string | URL, options: ConnectOptions): Promise<EarlyConnection> {
  if (pending++ === 0) diagnostics.subscribe(CHANNEL_NAMES.open, onOpen);
  try {
    const connection = await connect(url, options);
    const recording = recordings.get(connection);
    recording?.stop();
    return { connection, early: [] };
  } finally {
    if (--pending === 0) diagnostics.unsubscribe(CHANNEL_NAMES.open, onOpen);
  }
}
