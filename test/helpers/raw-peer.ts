/**
 * A WebSocket client written by hand over a raw `net` socket, for the conformance suites:
 * it writes exactly the bytes a test asks for, and parses what the server answers (the
 * HTTP response head, then frames) itself, independently of the library.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';
import { withTimeout } from './timeouts.js';

/** RFC 6455 §1.3 / §4.2.2. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept a server must send for `key`, computed here with node:crypto. */
export function expectedAccept(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

export function newKey(bytes = 16): string {
  return randomBytes(bytes).toString('base64');
}

export interface RequestSpec {
  method?: string;
  path?: string;
  host?: string;
  key?: string;
  /** Headers to add or (with null) to remove from the standard upgrade request. */
  headers?: Record<string, string | null>;
  /** Raw header lines appended as they are. */
  extraLines?: string[];
}

/** An HTTP/1.1 upgrade request as text; the standard headers can be overridden or removed. */
export function upgradeRequest(port: number, spec: RequestSpec = {}): { text: string; key: string } {
  const key = spec.key ?? newKey();
  const headers: Record<string, string | null> = {
    Host: spec.host ?? `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Version': '13',
    ...spec.headers,
  };
  const lines = [`${spec.method ?? 'GET'} ${spec.path ?? '/'} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) if (value !== null) lines.push(`${name}: ${value}`);
  lines.push(...(spec.extraLines ?? []));
  return { text: `${lines.join('\r\n')}\r\n\r\n`, key };
}

export interface HttpResponseHead {
  status: number;
  statusLine: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export interface ServerFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  payload: Buffer;
}

export interface CloseFrameInfo {
  /** undefined for an empty close payload. */
  code: number | undefined;
  reason: string;
}

/** The peer: a socket plus a buffer of unread bytes from the server. */
export class RawPeer {
  readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  /** The server ended or closed the TCP connection (FIN, RST or close). */
  serverClosed = false;
  /** Whether the server's FIN ('end') was seen, rather than only a reset. */
  sawEnd = false;
  socketError: Error | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    socket.on('end', () => {
      this.sawEnd = true;
      this.serverClosed = true;
      this.notify();
    });
    socket.on('close', () => {
      this.serverClosed = true;
      this.notify();
    });
    socket.on('error', (error) => {
      this.socketError = error;
      this.serverClosed = true;
      this.notify();
    });
  }

  /** Connects to 127.0.0.1:port (within 5 s). */
  static async connect(port: number): Promise<RawPeer> {
    const socket = createConnection({ host: '127.0.0.1', port });
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        }),
        5000,
        `a TCP connection to 127.0.0.1:${port}`,
      );
    } catch (error) {
      socket.destroy();
      throw error;
    }
    return new RawPeer(socket);
  }

  /**
   * Connects, sends a valid upgrade request (with `pipelined` bytes in the same write),
   * and checks the 101 response, including Sec-WebSocket-Accept.
   */
  static async open(port: number, options: { pipelined?: Buffer; spec?: RequestSpec } = {}): Promise<RawPeer> {
    const peer = await RawPeer.connect(port);
    try {
      const { text, key } = upgradeRequest(port, options.spec);
      await peer.write(options.pipelined ? Buffer.concat([Buffer.from(text, 'latin1'), options.pipelined]) : text);
      const head = await peer.readResponseHead();
      if (head.status !== 101) throw new Error(`Expected 101, got: ${head.statusLine}`);
      if (head.headers['sec-websocket-accept'] !== expectedAccept(key)) {
        throw new Error(`Wrong Sec-WebSocket-Accept ${head.headers['sec-websocket-accept']} for key ${key}`);
      }
      return peer;
    } catch (error) {
      peer.destroy();
      throw error;
    }
  }

  write(data: Buffer | string): Promise<void> {
    return withTimeout(
      new Promise<void>((resolve, reject) => {
        this.socket.write(data, (error) => (error ? reject(error) : resolve()));
      }),
      5000,
      'a socket write',
    );
  }

  /** Reads the HTTP response head (status line and headers) up to the blank line. */
  readResponseHead(ms = 3000): Promise<HttpResponseHead> {
    return this.until(ms, 'the HTTP response head', () => {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end === -1) return undefined;
      const text = this.buffer.subarray(0, end).toString('latin1');
      this.buffer = this.buffer.subarray(end + 4);
      const [statusLine = '', ...lines] = text.split('\r\n');
      const match = /^HTTP\/1\.1 (\d{3})(?: .*)?$/.exec(statusLine);
      if (!match) throw new Error(`Malformed status line: ${JSON.stringify(statusLine)}`);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon <= 0) throw new Error(`Malformed header line: ${JSON.stringify(line)}`);
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
      }
      return { status: Number(match[1]), statusLine, headers };
    });
  }

  /** Reads `length` bytes (an HTTP body). */
  readBytes(length: number, ms = 3000): Promise<Buffer> {
    return this.until(ms, `${length} bytes`, () => {
      if (this.buffer.length < length) return undefined;
      const bytes = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      return bytes;
    });
  }

  /** Reads one frame from the server; a server frame must not be masked (RFC 6455 §5.1). */
  readFrame(ms = 3000): Promise<ServerFrame> {
    return this.until(ms, 'a frame from the server', () => {
      const parsed = parseServerFrame(this.buffer);
      if (parsed === undefined) return undefined;
      this.buffer = this.buffer.subarray(parsed.size);
      return parsed.frame;
    });
  }

  /** Reads one frame and requires it to be a close frame; returns its code and reason. */
  async readClose(ms = 3000): Promise<CloseFrameInfo> {
    const frame = await this.readFrame(ms);
    if (frame.opcode !== 0x8) {
      throw new Error(`Expected a close frame, got opcode ${frame.opcode} with ${frame.payload.length} payload bytes`);
    }
    return parseClosePayload(frame.payload);
  }

  /**
   * Waits until the server has closed the TCP connection, and requires that it sent
   * nothing more meanwhile (RFC 6455 §5.5.1: nothing may follow a close frame).
   */
  async expectServerClose(ms = 3000): Promise<void> {
    await this.until(ms, 'the server to close the TCP connection', () => (this.serverClosed ? true : undefined), true);
    if (this.buffer.length > 0) {
      throw new Error(`The server sent ${this.buffer.length} more bytes before closing: ${this.buffer.subarray(0, 32).toString('hex')}`);
    }
  }

  /** Bytes received and not read yet. */
  get unread(): number {
    return this.buffer.length;
  }

  /** Half-closes: sends FIN, keeps reading. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Polls `attempt` on every arrival until it returns a value, the socket closes, or `ms` pass. */
  private async until<T>(ms: number, what: string, attempt: () => T | undefined, closedIsFine = false): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const result = attempt();
      if (result !== undefined) return result;
      if (this.serverClosed && !closedIsFine) {
        throw new Error(
          `The server closed the connection while waiting for ${what}` +
            (this.socketError ? ` (${this.socketError.message})` : '') +
            `; unread bytes: ${this.buffer.subarray(0, 64).toString('hex') || 'none'}`,
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`Timed out after ${ms} ms waiting for ${what}; unread bytes: ${this.buffer.subarray(0, 64).toString('hex') || 'none'}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** Parses one unmasked frame at the start of `bytes`, or undefined if incomplete. */
export function parseServerFrame(bytes: Buffer): { frame: ServerFrame; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  if (b1 & 0x80) throw new Error('The server sent a masked frame (RFC 6455 §5.1 forbids it)');
  let length = b1 & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = bytes.readUInt16BE(2);
    offset = 4;
    // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
    if (length < 126) throw new Error(`The server encoded length ${length} in 16 bits (not minimal)`);
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    const big = bytes.readBigUInt64BE(2);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`Absurd frame length ${big}`);
    length = Number(big);
    offset = 10;
    if (length < 65536) throw new Error(`The server encoded length ${length} in 64 bits (not minimal)`);
  }
  if (bytes.length < offset + length) return undefined;
  return {
    frame: { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 0x7, opcode: b0 & 0x0f, payload: Buffer.from(bytes.subarray(offset, offset + length)) },
    size: offset + length,
  };
}

export function parseClosePayload(payload: Buffer): CloseFrameInfo {
  if (payload.length === 0) return { code: undefined, reason: '' };
  if (payload.length === 1) throw new Error('The server sent a close frame with a 1-byte payload');
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}
