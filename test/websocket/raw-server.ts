/**
 * A WebSocket server written by hand over node:net, for the WebSocket-class tests: it
 * answers the opening handshake itself (Sec-WebSocket-Accept computed with node:crypto),
 * then lets a test write exactly the bytes it wants (a masked frame, a bad close code,
 * invalid UTF-8) and read the client's masked frames, independently of the library.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { expectedAccept } from '../helpers/raw-peer.js';
import { withTimeout } from '../helpers/timeouts.js';

export interface RawRequest {
  /** "GET /path HTTP/1.1" */
  line: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export interface ClientFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** One accepted connection, after the 101 response was written. */
export class RawServerPeer {
  private buffer: Buffer;
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(
    readonly socket: Socket,
    readonly request: RawRequest,
    rest: Buffer,
  ) {
    this.buffer = rest;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    const end = (): void => {
      this.ended = true;
      this.notify();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The client's next frame (unmasked), or null once the client ended the connection. */
  async readFrame(ms = 3000): Promise<ClientFrame | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const parsed = parseClientFrame(this.buffer);
      if (parsed) {
        this.buffer = this.buffer.subarray(parsed.size);
        return parsed.frame;
      }
      if (this.ended) return null;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`Timed out after ${ms} ms waiting for a client frame`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The client's next close frame (skipping data frames), or null if it ended without one. */
  async readClose(ms = 3000): Promise<{ code: number | undefined; reason: string } | null> {
    for (;;) {
      const frame = await this.readFrame(ms);
      if (frame === null) return null;
      if (frame.opcode === 0x8) {
        return frame.payload.length < 2 ? { code: undefined, reason: '' } : { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString() };
      }
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** Parses one masked client frame at the start of `bytes`, or undefined if incomplete. */
function parseClientFrame(bytes: Buffer): { frame: ClientFrame; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  let length = bytes[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    length = Number(bytes.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (bytes[1]! & 0x80) !== 0;
  const key = masked ? bytes.subarray(offset, offset + 4) : null;
  if (masked) offset += 4;
  if (bytes.length < offset + length) return undefined;
  const payload = Buffer.from(bytes.subarray(offset, offset + length));
  if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
  return { frame: { fin: (bytes[0]! & 0x80) !== 0, opcode: bytes[0]! & 0x0f, payload }, size: offset + length };
}

export interface RawServer {
  port: number;
  url: string;
  /** Every request head received, in order. */
  requests: RawRequest[];
  stop(): Promise<void>;
}

export interface RawServerOptions {
  /** The response head to write instead of the 101 (the connection then ends). */
  refuse?: (request: RawRequest) => string | undefined;
  /** Extra header lines for the 101 response. */
  responseHeaders?: (request: RawRequest) => string[];
}

/** Listens on 127.0.0.1:0; `script` runs for each accepted connection (errors end it). */
export async function startRawServer(script: (peer: RawServerPeer) => Promise<void> | void, options: RawServerOptions = {}): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const [line = '', ...lines] = head.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const header of lines) {
        const colon = header.indexOf(':');
        headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
      }
      const request = { line, headers };
      requests.push(request);
      const refusal = options.refuse?.(request);
      if (refusal !== undefined) {
        socket.end(refusal);
        return;
      }
      const response = [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${expectedAccept(headers['sec-websocket-key'] ?? '')}`,
        ...(options.responseHeaders?.(request) ?? []),
      ];
      socket.write(`${response.join('\r\n')}\r\n\r\n`);
      const peer = new RawServerPeer(socket, request, head.subarray(end + 4));
      Promise.resolve()
        .then(() => script(peer))
        .catch(() => {})
        .finally(() => socket.end());
    };
    socket.on('data', onData);
  });
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 5000, 'the raw server to listen');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    requests,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 5000, 'the raw server to close');
    },
  };
}
