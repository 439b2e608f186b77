/**
 * Cross-checks against peers this project did not write: the `ws` package (server
 * and client) and Node's own HTTP parser.
 */
import { once } from 'node:events';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket, { WebSocketServer, type ServerOptions } from 'ws';
import {
  acceptDeflateOffer,
  buildAcceptResponse,
  buildUpgradeRequest,
  HandshakeError,
  readUpgradeRequest,
  RequestHeadParser,
  selectProtocol,
  validateUpgradeRequest,
  validateDeflateResponse,
  parseExtensions,
  validateUpgradeResponse,
  type UpgradeRequestOptions,
  type UpgradeRequest,
  type UpgradeResponseInfo,
} from '../../src/handshake/index.js';
import { permessageDeflate } from '../../src/extensions/index.js';

/** The permessage-deflate parameters agreed in a validated response, or null when none were. */
function agreedDeflate(result: UpgradeResponseInfo, request: UpgradeRequest) {
  const element = result.agreed.find((entry) => entry.extension.name === 'permessage-deflate')?.element;
  return element ? validateDeflateResponse(element, parseExtensions(request.extensions ?? '')) : null;
}

/** Starts a ws server, sends our upgrade request with node:http, returns the 101 response. */
async function handshakeWithWs(serverOptions: ServerOptions, options: UpgradeRequestOptions) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...serverOptions });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  const request = buildUpgradeRequest(new URL(`ws://127.0.0.1:${port}/path?q=1`), options);
  let socket: Duplex | undefined;
  try {
    const req = httpRequest({ host: '127.0.0.1', port, path: request.path, headers: request.headers });
    const upgraded = once(req, 'upgrade') as Promise<[IncomingMessage, Duplex, Buffer]>;
    const answered = once(req, 'response') as Promise<[IncomingMessage]>;
    req.end();
    const [res, upgradedSocket] = await Promise.race([upgraded, answered.then(([r]) => [r, undefined] as const)]);
    socket = upgradedSocket;
    return { request, response: { statusCode: res.statusCode, headers: res.headers } };
  } finally {
    socket?.destroy();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

test('ws server (perMessageDeflate: true) accepts our request; we accept its 101', async () => {
  const { request, response } = await handshakeWithWs(
    { perMessageDeflate: true },
    { protocols: ['chat', 'superchat'], extensions: [permessageDeflate()], origin: 'http://localhost' },
  );
  assert.is(response.statusCode, 101);
  const result = validateUpgradeResponse(response, request);
  assert.is(result.protocol, 'chat');
  const deflate = agreedDeflate(result, request);
  assert.ok(deflate);
  assert.is(deflate.serverMaxWindowBits, 15);
  assert.is(deflate.clientMaxWindowBits, 15);
});

test('ws server honours our server_max_window_bits and no-context-takeover requests', async () => {
  const { request, response } = await handshakeWithWs(
    { perMessageDeflate: true },
    { extensions: [permessageDeflate({ serverMaxWindowBits: 10, serverNoContextTakeover: true, clientMaxWindowBits: 12 })] },
  );
  const result = validateUpgradeResponse(response, request);
  assert.is(result.protocol, '');
  assert.equal(agreedDeflate(result, request), {
    serverNoContextTakeover: true,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 10,
    clientMaxWindowBits: 12,
  });
});

test('a ws server that limits the client window to 8 bits is refused by our client', async () => {
  const { request, response } = await handshakeWithWs({ perMessageDeflate: { clientMaxWindowBits: 8 } }, { extensions: [permessageDeflate()] });
  assert.is(response.statusCode, 101);
  assert.match(String(response.headers['sec-websocket-extensions']), 'client_max_window_bits=8');
  try {
    validateUpgradeResponse(response, request);
    assert.unreachable('accepted a client window of 8 bits');
  } catch (error) {
    assert.instance(error, HandshakeError);
    assert.is((error as HandshakeError).code, 'WS_ERR_HANDSHAKE_BAD_EXTENSIONS');
  }
});

test('a ws server without compression: no deflate negotiated', async () => {
  const { request, response } = await handshakeWithWs({ perMessageDeflate: false }, { extensions: [permessageDeflate()] });
  assert.is(agreedDeflate(validateUpgradeResponse(response, request), request), null);
});

test('control: a real ws 101 fails validation against a different key', async () => {
  const { request, response } = await handshakeWithWs({}, { headers: { 'X-Ignore': '1' } });
  assert.is(response.statusCode, 101);
  // A 101 for another key must not validate.
  const other = buildUpgradeRequest('ws://127.0.0.1/');
  assert.throws(() => validateUpgradeResponse(response, { ...request, key: other.key }), (e: unknown) => e instanceof HandshakeError);
});

/** Runs `serve` on the raw socket of each connection to a net server; connects a ws client. */
async function wsClientAgainst(
  clientOptions: WebSocket.ClientOptions,
  protocols: string[],
  serve: (socket: Socket) => Promise<void>,
  onOpen: (ws: WebSocket) => void = () => {},
) {
  const sockets = new Set<Socket>();
  const served: Promise<void>[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    served.push(serve(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket?x=1`, protocols, clientOptions);
  try {
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('error', () => resolve(false));
    });
    if (opened) onOpen(ws);
    await Promise.all(served);
    return { opened, protocol: ws.protocol, extensions: ws.extensions, ws };
  } finally {
    ws.terminate();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('ws client request headers pass our validation and negotiation; ws accepts our 101', async () => {
  let seenUrl = '';
  let firstFrame: Buffer | undefined;
  const result = await wsClientAgainst(
    { perMessageDeflate: true },
    ['chat', 'superchat'],
    async (socket) => {
    const head = await readUpgradeRequest(socket, { timeout: 2000 });
    seenUrl = head.url;
    const info = validateUpgradeRequest(head);
    const deflate = acceptDeflateOffer(info.extensions);
    assert.ok(deflate, 'ws offers permessage-deflate');
    assert.is(deflate.header, 'permessage-deflate'); // ws offers "permessage-deflate; client_max_window_bits"
    socket.write(
      buildAcceptResponse({ key: info.key, protocol: selectProtocol(info.protocols, ['superchat']), extensions: deflate.header }),
    );
    // The paused socket now belongs to "the connection": its first frame arrives intact.
    socket.resume();
    [firstFrame] = (await once(socket, 'data')) as [Buffer];
    },
    (ws) => ws.send('hello', { compress: false }),
  );
  assert.is(seenUrl, '/socket?x=1');
  assert.ok(result.opened, 'ws client opened');
  assert.is(result.protocol, 'superchat');
  assert.is(result.extensions, 'permessage-deflate');
  // A masked, final, uncompressed text frame of 5 bytes.
  assert.ok(firstFrame);
  assert.is(firstFrame[0], 0x81);
  assert.is(firstFrame[1], 0x80 | 5);
  const mask = firstFrame.subarray(2, 6);
  const payload = Buffer.from(firstFrame.subarray(6, 11).map((b, i) => b ^ mask[i % 4]!));
  assert.is(payload.toString(), 'hello');
});

test('ws client with server_max_window_bits=8: we decline compression, ws still connects', async () => {
  const result = await wsClientAgainst({ perMessageDeflate: { serverMaxWindowBits: 8 } }, [], async (socket) => {
    const info = validateUpgradeRequest(await readUpgradeRequest(socket, { timeout: 2000 }));
    assert.is(acceptDeflateOffer(info.extensions), null);
    socket.write(buildAcceptResponse({ key: info.key }));
  });
  assert.ok(result.opened);
  assert.is(result.extensions, '');
});

test('ws client with client_max_window_bits=10 hint: we echo it and ws accepts', async () => {
  const result = await wsClientAgainst({ perMessageDeflate: { clientMaxWindowBits: 10 } }, [], async (socket) => {
    const info = validateUpgradeRequest(await readUpgradeRequest(socket, { timeout: 2000 }));
    const deflate = acceptDeflateOffer(info.extensions, { serverNoContextTakeover: true });
    assert.is(deflate?.header, 'permessage-deflate; server_no_context_takeover; client_max_window_bits=10');
    socket.write(buildAcceptResponse({ key: info.key, extensions: deflate!.header }));
  });
  assert.ok(result.opened, 'ws accepted our parameters');
  assert.is(result.extensions, 'permessage-deflate'); // ws lists extension names only
});

test('our request-head parser agrees with Node’s HTTP parser', async () => {
  const raw =
    'GET /a?b=c HTTP/1.1\r\n' +
    'Host: 127.0.0.1\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: keep-alive\r\n' +
    'Connection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
    'Sec-WebSocket-Version: 13\r\n' +
    'Sec-WebSocket-Extensions: permessage-deflate;  client_max_window_bits \r\n' +
    'Sec-WebSocket-Extensions: x-foo\r\n' +
    'User-Agent: one\r\n' +
    'User-Agent: two\r\n' +
    'Cookie: a=1\r\n' +
    'Cookie: b=2\r\n' +
    'X-Empty:\r\n' +
    '\r\n';
  const ours = new RequestHeadParser().feed(Buffer.from(raw));
  assert.ok(ours.done);

  const server = createHttpServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = createConnection(port, '127.0.0.1');
  client.on('error', () => {});
  try {
    const upgraded = once(server, 'upgrade') as Promise<[IncomingMessage, Duplex, Buffer]>;
    client.write(raw + 'HEAD');
    const [req, socket, head] = await upgraded;
    socket.destroy();
    assert.equal({ ...ours.request.headers }, { ...req.headers });
    assert.equal([...ours.request.rawHeaders], req.rawHeaders);
    assert.is(ours.request.url, req.url);
    assert.is(ours.request.method, req.method);
    assert.is(ours.request.httpVersion, req.httpVersion);
    assert.is(head.toString(), 'HEAD');
  } finally {
    client.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test.run();
