/**
 * `--workers N`: the node:cluster recipe. The primary forks N workers that run the same
 * command; they share its listening socket (the primary accepts and hands connections
 * round-robin), and their topics span them through a broker (`--redis`). The primary
 * prints the listening line once every worker listens, stops them all on SIGINT/SIGTERM
 * (each closes its connections with 1001), and starts another worker when one dies.
 */
import cluster, { type Worker } from 'node:cluster';

/** What a worker tells the primary. */
export interface WorkerReport {
  type: 'listening';
  port: number;
}

/** In a worker: tells the primary it listens (and, with a broker, reads its topics). */
export function reportListening(port: number): void {
  process.send?.({ type: 'listening', port } satisfies WorkerReport);
}

/** In a worker: calls `stop` when the primary asks it to stop. */
export function onStopRequest(stop: (reason: string) => void): void {
  process.on('message', (message: unknown) => {
    if ((message as { type?: string } | null)?.type === 'stop') stop('stop requested by the primary');
  });
}

/**
 * Runs the primary: resolves with the exit code once the workers are gone (0 after a
 * stop they all survived, 1 if one failed before it listened, e.g. the port was in use).
 */
export function runPrimary(count: number, listening: (port: number) => void, log: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const ready = new Set<Worker>();
    const live = new Set<Worker>();
    let stopping = false;
    let failed = false;
    const start = (): void => {
      const worker = cluster.fork();
      live.add(worker);
      worker.on('message', (message: WorkerReport) => {
        if (message?.type !== 'listening' || ready.has(worker)) return;
        ready.add(worker);
        if (ready.size === count && !stopping) listening(message.port);
      });
      worker.on('exit', (code, signal) => {
        live.delete(worker);
        const wasReady = ready.delete(worker);
        if (!stopping && !wasReady) {
          // It never listened: another would fail the same way.
          failed = true;
          stop(`worker ${worker.id} failed to start`);
        } else if (!stopping) {
          log(`worker ${worker.id} exited (${signal ?? code}); starting another`);
          start();
        } else if (code !== 0) {
          failed = true;
        }
        if (stopping && live.size === 0) resolve(failed ? 1 : 0);
      });
    };
    const stop = (reason: string): void => {
      if (stopping) return;
      stopping = true;
      if (!failed) log(`${reason}: shutting down ${count} workers`);
      for (const worker of live) {
        if (worker.isConnected()) worker.send({ type: 'stop' });
        else worker.kill();
      }
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        for (const worker of live) worker.process.kill('SIGKILL');
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stop(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    for (let i = 0; i < count; i++) start();
  });
}

export const isWorker = (): boolean => cluster.isWorker;
export const workerId = (): number | undefined => cluster.worker?.id;
