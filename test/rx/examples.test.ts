/** Each examples/rx-*.ts runs by itself, prints what it promises, and exits 0. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { guardLeaks } from './helpers.js';

guardLeaks(test);

const root = fileURLToPath(new URL('../../', import.meta.url));

function run(example: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', `examples/${example}`], { cwd: root, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const expectations: Record<string, RegExp[]> = {
  'rx-echo.ts': [/^replies: hello from rxjs$/m, /^server closed$/m],
  'rx-broadcast-hub.ts': [/^ada got: hi from bob, hi from cyd$/m, /^bob got: hi from ada, hi from cyd$/m, /^cyd got: hi from ada, hi from bob$/m],
  'rx-reconnect.ts': [/^closed with 1006$/m, /^server got "sent while offline"$/m, /^states: closed → connecting → open → reconnecting → connecting → open → closing → closed$/m],
  'rx-multiplex.ts': [/^prices \(1\): 1,2,3$/m, /^prices \(2\): 1,2$/m, /^news: 1,2,3$/m, /server heard \{"unsubscribe":"prices"\}/],
  'rx-backpressure.ts': [/^dropped update 1 \(overflow\)$/m, /^server received: update 3, update 4, update 5$/m],
  'rx-websocket-interop.ts': [/^4² = 16$/m, /^browser-style: \{"n":12,"squared":144\}$/m, /^closed 1000 clean=true$/m],
};

for (const [example, patterns] of Object.entries(expectations)) {
  test(`examples/${example}`, async () => {
    const { code, stdout, stderr } = await run(example);
    assert.is(code, 0, stderr);
    for (const pattern of patterns) assert.match(stdout, pattern);
    // The last channel ends with the socket: no unsubscribe message is sent for it.
    if (example === 'rx-multiplex.ts') assert.not.match(stdout, /unsubscribe":"news/);
  });
}

test.run();
