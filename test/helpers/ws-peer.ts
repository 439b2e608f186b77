/**
 * `ws`'s own frame parser and writer (Receiver, Sender) as a peer we did not write.
 * @types/ws does not declare them, so the minimal shapes used here are typed below
 * (taken from node_modules/ws/lib/receiver.js and sender.js, ws 8).
 */
import * as ws from 'ws';

export interface WsReceiver {
  write(chunk: Buffer): boolean;
  end(): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  on(event: 'conclude', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (error: Error & { code?: string; [key: symbol]: unknown }) => void): this;
}

export interface WsReceiverOptions {
  isServer?: boolean;
  maxPayload?: number;
  skipUTF8Validation?: boolean;
}

export interface WsSendOptions {
  binary?: boolean;
  fin?: boolean;
  mask?: boolean;
  compress?: boolean;
}

export interface WsSender {
  send(data: Buffer | string, options: WsSendOptions, cb?: (error?: Error) => void): void;
  ping(data: Buffer | string, mask: boolean, cb?: (error?: Error) => void): void;
  pong(data: Buffer | string, mask: boolean, cb?: (error?: Error) => void): void;
  close(code: number | undefined, data: Buffer | string | undefined, mask: boolean, cb?: (error?: Error) => void): void;
}

/** What Sender writes to: only write/cork/uncork are used (sender.js sendFrame). */
export interface FakeSocket {
  write(chunk: Buffer, cb?: (error?: Error) => void): boolean;
  cork(): void;
  uncork(): void;
  destroyed?: boolean;
}

const internals = ws as unknown as {
  Receiver: new (options?: WsReceiverOptions) => WsReceiver;
  Sender: new (socket: FakeSocket, extensions?: object) => WsSender;
};

export const Receiver = internals.Receiver;
export const Sender = internals.Sender;

/** A Sender whose socket collects every written chunk (copied: ws may reuse its buffers). */
export function collectingSender(): { sender: WsSender; written: Buffer[] } {
  const written: Buffer[] = [];
  const socket: FakeSocket = {
    write(chunk, cb) {
      written.push(Buffer.from(chunk));
      cb?.();
      return true;
    },
    cork() {},
    uncork() {},
    destroyed: false,
  };
  return { sender: new Sender(socket), written };
}
