/**
 * The client child of the h2 benchmark: opens N WebSockets with our client, `http2: true`
 * (one shared HTTP/2 session) or not (one TLS connection each), at most `concurrency` at
 * a time, exchanges one message on each, and reports the time and its memory.
 */
import { connect } from '../../src/client/connect.js';
import type { Connection } from '../../src/connection/connection.js';

export type H2ClientRequest = { type: 'open'; url: string; count: number; http2: boolean; concurrency: number } | { type: 'memory' } | { type: 'stop' };
export type H2ClientReply =
  | { type: 'opened'; ms: number; transports: Record<string, number> }
  | { type: 'memory'; rss: number }
  | { type: 'error'; message: string };

const ca = process.env['BENCH_H2_CA']!;
const open: Connection[] = [];
const reply = (message: H2ClientReply): void => void process.send!(message);

async function openAll(request: Extract<H2ClientRequest, { type: 'open' }>): Promise<void> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < request.count) {
      next++;
      const connection = await connect(request.url, { ca, http2: request.http2 });
      open.push(connection);
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, worker));
  // One round trip on each, so that both ends have set up everything a message needs.
  await Promise.all(
    open.map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.once('message', () => resolve());
          connection.send('x');
        }),
    ),
  );
  const transports: Record<string, number> = {};
  for (const connection of open) transports[connection.transport] = (transports[connection.transport] ?? 0) + 1;
  reply({ type: 'opened', ms: performance.now() - started, transports });
}

process.on('message', (request: H2ClientRequest) => {
  if (request.type === 'open') openAll(request).catch((error: Error) => reply({ type: 'error', message: error.message }));
  else if (request.type === 'memory') {
    globalThis.gc?.();
    reply({ type: 'memory', rss: process.memoryUsage.rss() });
  } else process.exit(0);
});
