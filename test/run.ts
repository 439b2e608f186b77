/**
 * The test runner behind `npm test`: every `test/**\/*.test.ts` file through uvu in one
 * process (TypeScript through tsx), then a closing `N passed, N failed` line, and an
 * exit with uvu's code. A watchdog fails the run instead of letting a hung test hang CI.
 */
import { parse } from 'uvu/parse';
import { run } from 'uvu/run';

/** The whole suite normally takes a few minutes on 2 cores; past this something hangs. */
const WATCHDOG_MS = 15 * 60 * 1000;

const pattern = process.argv[2] ? new RegExp(process.argv[2]) : /\.test\.ts$/;
let current = '';
let output = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  if (output.length > 4096) output = output.slice(-4096);
  return (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

const watchdog = setTimeout(() => {
  console.error(`\ntest watchdog: still running after ${WATCHDOG_MS / 60000} min (last file: ${current}); failing the run`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const context = await parse('test', pattern, { cwd: process.cwd() });
const suites = context.suites as Array<{ name: string; file: string }>;
for (const suite of suites) {
  const original = suite.file;
  Object.defineProperty(suite, 'file', {
    get() {
      current = suite.name;
      return original;
    },
  });
}
await run(suites, { bail: false });

// eslint-disable-next-line no-control-regex
const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const failed = total - passed - skipped;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
const code = process.exitCode ?? (failed > 0 || total === 0 ? 1 : 0);
process.exit(failed > 0 || total === 0 ? 1 : code);
