/**
 * Several WebSocket servers on one node:http server, routed by path: each path reaches
 * its server (from our client and from `ws`), an upgrade no server claims gets exactly one
 * 404 — unless the application listens for 'upgrade' itself —, a second server on a path
 * is refused, and a server without a path serves every other path.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket as WsClient } from 'ws';
import { connect, createServer, type DataMessage, type WebSocketServer } from '../../src/index.js';
import { RawPeer, upgradeRequest } from '../helpers/raw-peer.js';
import { listenWebServer, stopWebServer } from '../helpers/servers.js';
import { nextEvent, withTimeout } from '../helpers/timeouts.js';

/** A server attached to `web` on `path` that greets every client with its name. */
function greeter(web: HttpServer, name: string, path?: string): WebSocketServer {
  return createServer({ server: web, ...(path !== undefined && { path }) }, (connection) => connection.send(name));
}

/** The first message our client gets at `url`. */
async function greetingFromOurs(url: string): Promise<string> {
  const client = await connect(url);
  try {
    const [message] = await nextEvent<[DataMessage]>(client, 'message', 5000, `a greeting at ${url}`);
    return message.data as string;
  } finally {
    client.terminate();
  }
}

/** The first message `ws` gets at `url`. */
async function greetingFromWs(url: string): Promise<string> {
  const client = new WsClient(url);
  const failed = new Promise<never>((_, reject) => client.on('error', reject));
  try {
    const [data] = await Promise.race([nextEvent<[Buffer]>(client, 'message', 5000, `a greeting at ${url} (ws)`), failed]);
    return data.toString();
  } finally {
    client.terminate();
  }
}

/** Every byte the server sends back for an upgrade request to `path`, until it closes the connection. */
async function rawUpgrade(port: number, path: string): Promise<string> {
  const peer = await RawPeer.connect(port);
  const received: Buffer[] = [];
  peer.socket.on('data', (chunk: Buffer) => received.push(chunk));
  try {
    await peer.write(upgradeRequest(port, { path }).text);
    await withTimeout(
      new Promise<void>((resolve) => (peer.serverClosed ? resolve() : peer.socket.once('close', () => resolve()))),
      5000,
      `the server to close after ${path}`,
    );
  } finally {
    peer.destroy();
  }
  return Buffer.concat(received).toString('latin1');
}

function statusLines(response: string): string[] {
  return response.match(/HTTP\/1\.[01] \d{3}[^\r\n]*/g) ?? [];
}

async function withWeb(run: (web: HttpServer, port: number) => Promise<void>, setup: (web: HttpServer) => WebSocketServer[]): Promise<void> {
  const web = createHttpServer((_request, response) => response.end('plain http'));
  const servers = setup(web);
  try {
    const port = await listenWebServer(web);
    await run(web, port);
  } finally {
    for (const server of servers) await withTimeout(server.close({ timeout: 500 }), 5000, 'a WebSocket server to close');
    await stopWebServer(web);
  }
}

test("two servers on one http server, '/a' and '/b': each path reaches its own, from our client and from ws", async () => {
  await withWeb(
    async (_web, port) => {
      for (const path of ['a', 'b']) {
        const url = `ws://127.0.0.1:${port}/${path}`;
        assert.is(await greetingFromOurs(url), path);
        assert.is(await greetingFromWs(url), path);
        assert.is(await greetingFromOurs(`${url}?token=1`), path, 'the query is not part of the path');
      }
    },
    (web) => [greeter(web, 'a', '/a'), greeter(web, 'b', '/b')],
  );
});

test('an upgrade to a path no server claims gets exactly one HTTP response, a 404', async () => {
  await withWeb(
    async (_web, port) => {
      const response = await rawUpgrade(port, '/c');
      assert.equal(
        statusLines(response).map((line) => line.slice(9, 12)),
        ['404'],
        response,
      );
    },
    (web) => [greeter(web, 'a', '/a'), greeter(web, 'b', '/b')],
  );
});

test('a third server on a path already served throws at the call', async () => {
  const web = createHttpServer();
  const first = greeter(web, 'a', '/a');
  try {
    assert.throws(() => greeter(web, 'again', '/a'), (error: Error) => error instanceof TypeError && /\/a/.test(error.message));
    // The refused one took nothing over: the first still serves '/a'.
    const port = await listenWebServer(web);
    assert.is(await greetingFromOurs(`ws://127.0.0.1:${port}/a`), 'a');
  } finally {
    await withTimeout(first.close({ timeout: 500 }), 5000, 'the server to close');
    await stopWebServer(web);
  }
});

test('a server without a path serves every path the others do not', async () => {
  await withWeb(
    async (_web, port) => {
      assert.is(await greetingFromOurs(`ws://127.0.0.1:${port}/a`), 'a');
      assert.is(await greetingFromOurs(`ws://127.0.0.1:${port}/elsewhere`), 'any');
      assert.is(await greetingFromWs(`ws://127.0.0.1:${port}/`), 'any');
    },
    (web) => [greeter(web, 'any'), greeter(web, 'a', '/a')],
  );
});

test("with the application's own 'upgrade' listener, upgrades no server claims are left to it", async () => {
  const seenByApp: string[] = [];
  await withWeb(
    async (_web, port) => {
      const response = await rawUpgrade(port, '/app');
      assert.equal(statusLines(response), ['HTTP/1.1 418 I am the app']);
      assert.is(await greetingFromOurs(`ws://127.0.0.1:${port}/a`), 'a');
      assert.ok(seenByApp.includes('/app'));
    },
    (web) => {
      // The WebSocket server first, the application's listener after it.
      const servers = [greeter(web, 'a', '/a')];
      web.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
        seenByApp.push(request.url ?? '');
        if (request.url === '/app') socket.end('HTTP/1.1 418 I am the app\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      });
      return servers;
    },
  );
});

test.run();
