/**
 * WebSocketStream, closing: close() and its checks, closing or aborting the writable and
 * cancelling the readable (with and without a WebSocketError), and the server closing
 * (cleanly, with a status, abruptly) — the cases of the web-platform tests
 * websockets/stream/tentative/close.any.js and remote-close.any.js, against our server
 * and against `ws`. What the server received is checked on the server.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketError as UndiciWebSocketError } from 'undici';
import { CloseError, WebSocketError, WebSocketStream } from '../../src/index.js';
import { withTimeout } from '../helpers/timeouts.js';
import { isPending, rejection, throwsDom } from './helpers.js';
import { openStream, peerPool, type PeerKind } from './peers.js';

const peer = peerPool(test);

const open = async (kind: PeerKind, path: string): ReturnType<typeof openStream> => openStream(await peer(kind), path);

for (const kind of ['wspipe', 'ws'] as const) {
  // ws answers a close frame with its code and reason, wspipe with its code only.
  const echoedReason = (reason: string): string => (kind === 'ws' ? reason : '');

  test(`${kind}: close({ closeCode, reason }) sends them; closed resolves with the close frame the server answered`, async () => {
    const { wss, server } = await open(kind, '/echo');
    wss.close({ closeCode: 3456, reason: 'pizza' });
    assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 3456, reason: echoedReason('pizza') });
    assert.equal(await server.closed, { code: 3456, reason: 'pizza' });
  });

  test(`${kind}: close(), close({}) and close({ reason: '' }) send a close frame without a code (1005)`, async () => {
    for (const info of [undefined, {}, { reason: '' }]) {
      const { wss, server } = await open(kind, '/echo');
      wss.close(info);
      assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 1005, reason: '' });
      assert.equal(await server.closed, { code: 1005, reason: '' });
    }
  });

  test(`${kind}: a reason without a code is sent with 1000`, async () => {
    const { wss, server } = await open(kind, '/echo');
    wss.close({ reason: 'non-empty' });
    assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 1000, reason: echoedReason('non-empty') });
    assert.equal(await server.closed, { code: 1000, reason: 'non-empty' });
  });

  test(`${kind}: close() checks its argument: TypeError, InvalidAccessError for a code, SyntaxError for a long reason`, async () => {
    const { wss } = await open(kind, '/echo');
    // @ts-expect-error: not a dictionary
    assert.throws(() => wss.close(true), TypeError);
    assert.throws(() => wss.close({ closeCode: 70000 }), TypeError); // [EnforceRange] unsigned short
    assert.throws(() => wss.close({ closeCode: Number.NaN }), TypeError);
    for (const closeCode of [999, 1001, 2999, 5000]) throwsDom(() => wss.close({ closeCode }), 'InvalidAccessError');
    throwsDom(() => wss.close({ reason: '.'.repeat(124) }), 'SyntaxError');
    throwsDom(() => wss.close({ closeCode: 1000, reason: '🔌'.repeat(31) }), 'SyntaxError'); // 124 UTF-8 bytes
    wss.close({ closeCode: 1000, reason: '🔌'.repeat(30) });
    assert.is((await withTimeout(wss.closed, 5000, 'closed')).closeCode, 1000);
  });

  test(`${kind}: closing the writable closes cleanly (1005), and its promise waits for the close handshake`, async () => {
    const { wss, writable, server } = await open(kind, '/hold');
    const closing = writable.getWriter().close();
    assert.ok(await isPending(closing), 'the server has not answered yet');
    server.resumeReading();
    await withTimeout(closing, 5000, 'writer.close()');
    assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 1005, reason: '' });
    assert.equal(await server.closed, { code: 1005, reason: '' });
  });

  for (const [stream, method] of [
    ['writable', 'abort'],
    ['readable', 'cancel'],
  ] as const) {
    const end = (info: Awaited<WebSocketStream['opened']>, reason?: unknown): Promise<void> =>
      stream === 'writable' ? info.writable.abort(reason) : info.readable.cancel(reason);

    test(`${kind}: ${method}() of the ${stream} closes cleanly without a code`, async () => {
      const opened = await open(kind, '/echo');
      await end(opened);
      assert.equal(await withTimeout(opened.wss.closed, 5000, 'closed'), { closeCode: 1005, reason: '' });
      assert.equal(await opened.server.closed, { code: 1005, reason: '' });
    });

    test(`${kind}: ${method}() of the ${stream} with a WebSocketError sends its closeCode and reason (wspipe's and undici's)`, async () => {
      for (const reason of [new WebSocketError('done', { closeCode: 3456, reason: 'set' }), new UndiciWebSocketError('done', { closeCode: 3456, reason: 'set' })]) {
        const opened = await open(kind, '/echo');
        await end(opened, reason);
        assert.equal(await withTimeout(opened.wss.closed, 5000, 'closed'), { closeCode: 3456, reason: echoedReason('set') });
        assert.equal(await opened.server.closed, { code: 3456, reason: 'set' });
      }
    });

    test(`${kind}: ${method}() of the ${stream} with anything else ignores it: { code, reason }, a DOMException, an Error`, async () => {
      for (const reason of [{ code: 3456, reason: 'set' }, { closeCode: 3456, reason: 'set' }, new DOMException('yes', 'DataCloneError'), new Error('boom')]) {
        const opened = await open(kind, '/echo');
        await end(opened, reason);
        assert.equal(await withTimeout(opened.wss.closed, 5000, 'closed'), { closeCode: 1005, reason: '' });
        assert.equal(await opened.server.closed, { code: 1005, reason: '' });
      }
    });
  }

  test(`${kind}: the server's clean close: closed resolves, the readable ends, the writable is errored (InvalidStateError)`, async () => {
    const started = await peer(kind);
    const wss = new WebSocketStream(started.url('/remote-close?code=1000'));
    const { readable, writable } = await withTimeout(wss.opened, 5000, 'opened');
    assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 1000, reason: '' });
    assert.equal(await readable.getReader().read(), { value: undefined, done: true });
    const error = await rejection(writable.getWriter().ready, 1000, 'writer.ready');
    assert.instance(error, DOMException);
    assert.is((error as DOMException).name, 'InvalidStateError');
  });

  test(`${kind}: the server's close frame: no body is 1005, a code and a UTF-8 reason pass through`, async () => {
    const started = await peer(kind);
    const cases: Array<[string, { closeCode: number; reason: string }]> = [
      ['/remote-close', { closeCode: 1005, reason: '' }],
      ['/remote-close?code=4000&reason=robot', { closeCode: 4000, reason: 'robot' }],
      [`/remote-close?code=4000&reason=${encodeURIComponent('ロボット')}`, { closeCode: 4000, reason: 'ロボット' }],
    ];
    for (const [path, expected] of cases) {
      const wss = new WebSocketStream(started.url(path));
      assert.equal(await withTimeout(wss.closed, 5000, `closed of ${path}`), expected);
    }
  });

  test(`${kind}: the server's code and reason are reported even when close() was called too`, async () => {
    const started = await peer(kind);
    const wss = new WebSocketStream(started.url('/remote-close?code=4222&reason=remote'));
    await withTimeout(wss.opened, 5000, 'opened');
    wss.close({ closeCode: 4111, reason: 'local' });
    assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 4222, reason: 'remote' });
  });

  test(`${kind}: the server's close while a big write is pending: the message is sent first, then the close is answered (RFC 6455 §5.5.1)`, async () => {
    const started = await peer(kind);
    const index = started.connections.length;
    const wss = new WebSocketStream(started.url('/remote-close?code=4567'));
    const { writable } = await withTimeout(wss.opened, 5000, 'opened');
    const big = new Uint8Array(20 << 20).fill(7);
    const writing = writable.getWriter().write(big);
    assert.equal(await withTimeout(wss.closed, 10000, 'closed'), { closeCode: 4567, reason: '' });
    await withTimeout(writing, 5000, 'the write');
    const server = await started.connection(index);
    assert.equal(await server.closed, { code: 4567, reason: '' });
    assert.is(server.received.length, 1);
    assert.is((server.received[0] as Buffer).length, 20 << 20);
  });

  test(`${kind}: the server drops TCP: closed rejects with a CloseError (1006), the readable and the writable with the same object`, async () => {
    const started = await peer(kind);
    const wss = new WebSocketStream(started.url('/remote-close?abrupt=1'));
    const { readable, writable } = await withTimeout(wss.opened, 5000, 'opened');
    const error = (await rejection(wss.closed, 5000, 'closed')) as CloseError;
    assert.instance(error, CloseError);
    assert.instance(error, WebSocketError);
    assert.is(error.name, 'CloseError');
    assert.is(error.closeCode, 1006);
    assert.is(error.reason, '');
    assert.is(await rejection(readable.getReader().read(), 1000, 'read()'), error);
    assert.is(await rejection(writable.getWriter().ready, 1000, 'writer.ready'), error);
  });

  test(`${kind}: a write incomplete when the server closed and dropped TCP rejects, as closed does`, async () => {
    const { wss, writable } = await open(kind, '/echo-exit');
    const writer = writable.getWriter();
    const goodbye = writer.write('Goodbye');
    const big = writer.write(new Uint8Array(64 << 20));
    await withTimeout(goodbye, 5000, 'the goodbye write');
    const closed = (await rejection(wss.closed, 10000, 'closed')) as CloseError;
    assert.instance(closed, CloseError);
    assert.is(closed.closeCode, 1000, 'the close frame received');
    assert.is(closed.reason, 'Goodbye');
    const failed = await rejection(big, 5000, 'the big write');
    assert.is(failed, closed);
    assert.is(await rejection(writer.write('word'), 1000, 'a later write'), closed);
  });
}

test.run();
