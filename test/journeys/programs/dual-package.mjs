// The dual-package hazard: one process loads both wspipe builds (an application in one
// module system, a dependency in the other). An error made by either build must pass
// `instanceof` with the class of the other, and of every subpath that exports it.
import { createRequire } from 'node:module';

/** A WebSocketError from the decoder: an unmasked frame sent to a server (RFC 6455 §5.1). */
function decoderError(build) {
  return new Promise((resolve) => {
    const decoder = build.createDecoder({ role: 'server' });
    decoder.on('error', resolve);
    decoder.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
  });
}

/** A HandshakeError: an upgrade request that is a POST. */
function handshakeError(build) {
  try {
    build.validateUpgradeRequest({ method: 'POST', httpVersion: '1.1', headers: {} });
  } catch (error) {
    return error;
  }
  throw new Error('validateUpgradeRequest accepted a POST');
}

async function main() {
  const esm = { main: await import('wspipe'), transforms: await import('wspipe/transforms'), handshake: await import('wspipe/handshake') };
  const load = createRequire(process.argv[1]);
  const cjs = { main: load('wspipe'), transforms: load('wspipe/transforms'), handshake: load('wspipe/handshake') };

  const made = {
    'CommonJS WebSocketError': await decoderError(cjs.transforms),
    'ESM WebSocketError': await decoderError(esm.transforms),
    'CommonJS HandshakeError': handshakeError(cjs.handshake),
    'ESM HandshakeError': handshakeError(esm.handshake),
  };
  const classes = {
    WebSocketError: ['main', 'transforms'],
    HandshakeError: ['main', 'handshake'],
  };
  let ok = true;
  for (const [what, error] of Object.entries(made)) {
    const className = what.split(' ')[1];
    for (const [system, build] of [['ESM', esm], ['CommonJS', cjs]]) {
      for (const entry of classes[className]) {
        const is = error instanceof build[entry][className];
        ok &&= is;
        console.log(`${what} (${error.code}) instanceof ${system} ${entry === 'main' ? 'wspipe' : `wspipe/${entry}`} ${className}: ${is}`);
      }
    }
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
