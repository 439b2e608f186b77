/**
 * Side by side: the same scenario, as the same JavaScript, run against wspipe's WebSocket
 * (in this process) and against Node's own (undici's, `node --experimental-websocket`, in
 * a child process). Each run returns what the script observed, as plain records:
 * events in order with their fields, the outcome of calls (`attempt`), and any values
 * the scenario logs.
 */
import { WebSocket as OurWebSocket, type WebSocketOptions } from '../../src/index.js';
import { runChild } from '../helpers/child-process.js';
import { withTimeout } from '../helpers/timeouts.js';

export interface Scenario {
  protocols?: string | string[];
  /** Set right after construction. */
  binaryType?: string;
  /** JS run right after construction, with `ws`, `log`, `attempt` in scope. */
  onCreate?: string;
  /** JS run in the 'open' handler (same scope). */
  onOpen?: string;
  /** JS run in the 'message' handler (`event` in scope too). */
  onMessage?: string;
  /** JS run in the 'error' handler (`event` in scope too). */
  onError?: string;
  /** JS run in the 'close' handler (`event` in scope too). */
  onClose?: string;
  /** Finish after this many ms even without a close event (a 'deadline' record marks it). Default 5000. */
  deadlineMs?: number;
  /**
   * JS run instead of the connection flow, with `WebSocket`, `url`, `log`, `attempt` in
   * scope: for checks that need no server (argument errors).
   */
  script?: string;
}

export type ProbeRecord = { event: string } & Record<string, unknown>;

/** Plain JS shared by both sides; `finish` gets the records once the socket closed. */
const PROBE_JS = `
function probe(WebSocket, url, extra, scenario, done) {
  const records = [];
  let finished = false;
  const deadline = setTimeout(() => {
    records.push({ event: 'deadline' });
    finish(records);
  }, scenario.deadlineMs || 5000);
  const finish = (records) => {
    clearTimeout(deadline);
    if (!finished) done(records);
    finished = true;
  };
  const log = (record) => records.push(record);
  const attempt = (label, fn) => {
    try {
      fn();
      log({ event: 'call', label, outcome: 'ok' });
    } catch (error) {
      log({ event: 'call', label, outcome: error.constructor.name + '/' + error.name });
    }
  };
  const describe = (data) => {
    if (typeof data === 'string') return { text: data };
    if (typeof Buffer === 'function' && Buffer.isBuffer(data)) return { nodebuffer: data.toString('hex') };
    if (data instanceof ArrayBuffer) return { arraybuffer: Buffer.from(data).toString('hex') };
    if (typeof Blob === 'function' && data instanceof Blob) return { blob: data.size };
    return { other: String(data) };
  };
  const run = (code, ws, event) => {
    if (code) new Function('ws', 'log', 'attempt', 'event', 'WebSocket', code)(ws, log, attempt, event, WebSocket);
  };
  if (scenario.script) {
    try {
      new Function('WebSocket', 'url', 'log', 'attempt', scenario.script)(WebSocket, url, log, attempt);
    } catch (error) {
      log({ event: 'exception', message: String(error && error.stack || error) });
    }
    finish(records);
    return;
  }
  let ws;
  try {
    ws = extra === undefined ? new WebSocket(url, scenario.protocols) : new WebSocket(url, scenario.protocols, extra);
  } catch (error) {
    log({ event: 'throw', outcome: error.constructor.name + '/' + error.name });
    finish(records);
    return;
  }
  const guarded = (what, fn) => (event) => {
    try {
      fn(event);
    } catch (error) {
      log({ event: 'exception', in: what, message: String(error && error.stack || error) });
    }
  };
  ws.onopen = guarded('open', (event) => {
    log({ event: 'open', readyState: ws.readyState, protocol: ws.protocol, extensions: ws.extensions });
    run(scenario.onOpen, ws, event);
  });
  ws.onmessage = guarded('message', (event) => {
    log({ event: 'message', ...describe(event.data), origin: event.origin });
    run(scenario.onMessage, ws, event);
  });
  ws.onerror = guarded('error', (event) => {
    log({ event: 'error', readyState: ws.readyState });
    run(scenario.onError, ws, event);
  });
  ws.onclose = guarded('close', (event) => {
    log({ event: 'close', code: event.code, reason: event.reason, wasClean: event.wasClean, readyState: ws.readyState });
    run(scenario.onClose, ws, event);
    // A little longer, so that an event fired after 'close' (it must not be) is seen too.
    setTimeout(() => finish(records), 30);
  });
  if (scenario.binaryType !== undefined) ws.binaryType = scenario.binaryType;
  try {
    run(scenario.onCreate, ws, undefined);
  } catch (error) {
    log({ event: 'exception', in: 'create', message: String(error && error.stack || error) });
  }
}
`;

type ProbeFunction = (
  ctor: unknown,
  url: string,
  extra: WebSocketOptions | undefined,
  scenario: Scenario,
  finish: (records: ProbeRecord[]) => void,
) => void;

const probe = new Function(`${PROBE_JS}\nreturn probe;`)() as ProbeFunction;

const CHILD_JS = `
'use strict';
${PROBE_JS}
const guard = setTimeout(() => { process.stdout.write(JSON.stringify([{ event: 'guard-timeout' }]) + '\\n'); process.exit(3); }, 15000);
probe(WebSocket, process.env.PROBE_URL, undefined, JSON.parse(process.env.PROBE_SCENARIO), (records) => {
  clearTimeout(guard);
  process.stdout.write(JSON.stringify(records) + '\\n', () => process.exit(0));
});
`;

/** wspipe's WebSocket (optionally with wspipe options as the third argument). */
export function runOurs(url: string, scenario: Scenario, options?: WebSocketOptions): Promise<ProbeRecord[]> {
  return withTimeout(new Promise<ProbeRecord[]>((resolve) => probe(OurWebSocket, url, options, scenario, resolve)), 10_000, `our WebSocket to finish ${JSON.stringify(scenario)}`);
}

/** Node's built-in WebSocket, in a child process (`env` adds to its environment, e.g. NODE_EXTRA_CA_CERTS). */
export async function runNode(url: string, scenario: Scenario, env: Record<string, string> = {}): Promise<ProbeRecord[]> {
  const child = runChild(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', CHILD_JS], {
    env: { ...process.env, ...env, PROBE_URL: url, PROBE_SCENARIO: JSON.stringify(scenario) },
  });
  try {
    const exit = await child.exited(20_000);
    const line = child.lines.find((text) => text.startsWith('['));
    if (exit.code !== 0 || line === undefined) {
      throw new Error(`Node's client exited with ${JSON.stringify(exit)}; stdout: ${child.lines.join('\n')}; stderr: ${child.stderr()}`);
    }
    return JSON.parse(line) as ProbeRecord[];
  } finally {
    child.kill();
  }
}

/** Both clients, one after the other (Node's first), against the same server. */
export async function sideBySide(url: string, scenario: Scenario, options?: WebSocketOptions): Promise<{ node: ProbeRecord[]; ours: ProbeRecord[] }> {
  const node = await runNode(url, scenario);
  const ours = await runOurs(url, scenario, options);
  return { node, ours };
}

/** The records of one kind, for compact assertions. */
export function eventsOf(records: readonly ProbeRecord[], ...kinds: string[]): ProbeRecord[] {
  return records.filter((record) => kinds.includes(record.event));
}

/** Just the event names, in order. */
export function sequence(records: readonly ProbeRecord[]): string[] {
  return records.map((record) => record.event);
}
