/** The load generators' opening handshake over a raw socket (bench/echo/client.ts, bench/deflate-rss/client.ts). */
import { connect, type Socket } from 'node:net';
import { upgradeRequest } from './frames.js';

export const HOST = '127.0.0.1';
const HANDSHAKE_TIMEOUT_MS = 5000;

/**
 * Opens a socket and completes the opening handshake; resolves with any bytes after it.
 * With `extensions`, the offer is sent and permessage-deflate must be agreed.
 */
export function open(port: number, extensions?: string): Promise<{ socket: Socket; rest: Buffer; agreed: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port, noDelay: true });
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error('Handshake timed out')), HANDSHAKE_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.pause();
      const text = head.subarray(0, end).toString('latin1');
      const status = text.slice(0, text.indexOf('\r\n'));
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        fail(new Error(`Handshake refused: ${status}`));
        return;
      }
      const agreed = /^sec-websocket-extensions:[ \t]*(.*)$/im.exec(text)?.[1]?.trim() ?? '';
      if (extensions && !/^permessage-deflate\b/.test(agreed)) {
        fail(new Error(`permessage-deflate was offered but not agreed (Sec-WebSocket-Extensions: ${agreed || 'none'})`));
        return;
      }
      resolve({ socket, rest: head.subarray(end + 4), agreed });
    };
    socket.on('data', onData);
    socket.on('error', fail);
    socket.once('connect', () => socket.write(upgradeRequest(HOST, port, extensions)));
  });
}

