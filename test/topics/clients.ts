/** ws clients for the topics tests: each one records what it receives, in order. */
import WebSocket from 'ws';
import type { EchoServer } from '../helpers/servers.js';
import { eventually, nextEvent } from '../helpers/timeouts.js';

/** One client and what it received: `t:` + text or `b:` + the bytes as latin1. */
export interface Recorder {
  ws: WebSocket;
  received: string[];
}

/** Opens `count` ws clients to `url` (within 10 s), a few at a time. */
export async function openRecorders(url: string, count: number, options: WebSocket.ClientOptions = {}): Promise<Recorder[]> {
  const recorders: Recorder[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, async () => {
      const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
      const recorder: Recorder = { ws, received: [] };
      ws.on('error', () => {});
      ws.on('message', (data: Buffer, isBinary) => recorder.received.push(isBinary ? `b:${data.toString('latin1')}` : `t:${data.toString('utf8')}`));
      await nextEvent(ws, 'open', 10_000, `client ${recorders.length} to open`);
      return recorder;
    });
    recorders.push(...(await Promise.all(batch)));
  }
  return recorders;
}

/** Waits until every recorder got at least `count` messages (bounded). */
export function received(recorders: readonly Recorder[], count: number, ms = 10_000): Promise<void> {
  return eventually(
    () => recorders.every((recorder) => recorder.received.length >= count),
    ms,
    `${recorders.length} clients to receive ${count} messages (least so far: ${Math.min(...recorders.map((recorder) => recorder.received.length))})`,
  );
}

export function terminateAll(recorders: readonly Recorder[]): void {
  for (const recorder of recorders) recorder.ws.terminate();
}

/** What a test opened, stopped after it: `const opened = new Opened(); test.after.each(opened.stop);`. */
export class Opened {
  server: EchoServer | null = null;
  clients: Recorder[] = [];
  readonly stop = async (): Promise<void> => {
    terminateAll(this.clients);
    this.clients = [];
    await this.server?.stop();
    this.server = null;
  };
}
