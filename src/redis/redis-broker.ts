import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { ErrorReply } from 'redis';
import type { Broker, BrokerHost, BrokerMessage } from '../topics/broker.js';
import { openConnections, type RedisConnection } from './connection.js';
import { entryFields } from './entry.js';
import { Outbox } from './outbox.js';
import { resolveRedisBrokerOptions, type RedisBrokerOptions, type ResolvedRedisBrokerOptions } from './options.js';
import { StreamReader } from './stream-reader.js';

/** How long `close()` waits for publications still on their way to Redis. */
const CLOSE_FLUSH_MS = 2000;

export interface RedisBrokerEvents {
  /** Redis trouble: a lost connection, a refused command. Without a listener errors are not thrown: the broker reconnects by itself. */
  error: [error: Error];
  /** Connected (again) and everything held meanwhile is on its way. `redisLostData`: Redis came back empty (restarted without persistence). */
  ready: [info: { redisLostData: boolean }];
  /** The messages other processes publish to `topic` are read from now on (it got its first subscriber here). */
  subscribed: [topic: string];
}

/**
 * A {@link Broker} over Redis Streams: each topic is a stream (`<prefix><topic>`), each
 * publication an XADD to it (trimmed to about `maxStreamLength` entries, deleted
 * `streamTtl` after its last publication), read with XREAD from the last entry read. See
 * {@link Outbox} and {@link StreamReader} for what happens when Redis is away.
 */
export class RedisBroker extends EventEmitter<RedisBrokerEvents> implements Broker {
  /** This process's id in the stream entries it writes. */
  readonly origin = randomBytes(8).toString('hex');
  private readonly options: ResolvedRedisBrokerOptions;
  private readonly commands: RedisConnection;
  private readonly reading: RedisConnection;
  private readonly outbox: Outbox;
  private readonly reader: StreamReader;
  private host: BrokerHost | null = null;
  private seq = 0;
  private runId: string | null = null;
  private readonly connected: Promise<void>;
  private closing: Promise<void> | null = null;
  /** Topics whose stream had its time to live set lately (cleared every quarter of it). */
  private readonly expiring = new Set<string>();
  private readonly expiryTimer: NodeJS.Timeout;

  constructor(options: RedisBrokerOptions = {}) {
    super();
    this.options = resolveRedisBrokerOptions(options);
    ({ commands: this.commands, reading: this.reading } = openConnections(this.options));
    this.outbox = new Outbox(this.commands, this.options, {
      confirmed: (topic) => this.keepAlive(topic),
      refused: (error) => this.report(error),
    });
    this.reader = new StreamReader(this.reading, this.commands, this.options.prefix, this.origin, {
      deliver: (message) => this.host?.deliver(message),
      subscribed: (topic) => this.emit('subscribed', topic),
      report: (error) => this.report(error),
    });
    for (const client of [this.commands, this.reading]) client.on('error', (error) => this.report(error));
    this.commands.on('ready', () => void this.onReady());
    this.expiryTimer = setInterval(() => this.expiring.clear(), Math.max(1000, this.options.streamTtl / 4));
    this.expiryTimer.unref();
    this.connected = Promise.all([this.commands.connect(), this.reading.connect()]).then(() => {});
    // Closing before Redis was ever reached rejects `connected`; `ready()` reports it to whoever waits.
    this.connected.catch(() => {});
    this.reader.start();
  }

  /** Resolves once both connections to Redis are up (the first time). */
  ready(): Promise<void> {
    return this.connected;
  }

  /** Publications not yet confirmed by Redis (waiting for it while it is unreachable). */
  get pending(): number {
    return this.outbox.size;
  }

  attach(host: BrokerHost): void {
    if (this.host !== null) throw new Error('This broker already serves a server: create one broker per server');
    this.host = host;
  }

  publish(message: BrokerMessage): void {
    if (this.closing) throw Object.assign(new Error('The broker is closed'), { code: 'WS_ERR_BROKER_CLOSED' });
    const key = this.options.prefix + message.topic;
    const seq = ++this.seq;
    const command = ['XADD', key, 'MAXLEN', '~', String(this.options.maxStreamLength), '*', ...entryFields(this.origin, seq, message)];
    try {
      this.outbox.push({ topic: message.topic, command, bytes: message.payload.length, confirmedAt: -1 });
    } catch (error) {
      this.seq--;
      throw error;
    }
  }

  subscribe(topic: string): void {
    this.reader.add(topic);
  }

  unsubscribe(topic: string): void {
    this.reader.remove(topic);
  }

  /** Stops reading, gives what is still on its way to Redis a moment to get there, and disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.expiryTimer);
      this.reader.stop();
      this.reading.destroy();
      if (this.commands.isReady) await this.outbox.idle(CLOSE_FLUSH_MS);
      this.commands.destroy();
    })();
    return this.closing;
  }

  /** Connected: learn whether this is the Redis we knew (its run id), then send what waits. */
  private async onReady(): Promise<void> {
    this.outbox.pause();
    let runId: string | null = null;
    try {
      const info = String(await this.commands.sendCommand(['INFO', 'server']));
      runId = /run_id:(\w+)/.exec(info)?.[1] ?? null;
    } catch (error) {
      this.report(error as Error);
      // Lost again at once: the next 'ready' tries again. A Redis that refuses INFO cannot tell a restart.
      if (!(error instanceof ErrorReply)) return;
    }
    const redisLostData = this.runId !== null && runId !== null && runId !== this.runId;
    this.runId = runId ?? this.runId;
    if (redisLostData) this.expiring.clear();
    this.outbox.resume(redisLostData);
    this.emit('ready', { redisLostData });
  }

  /** Sets the stream's time to live after a publication, at most once per quarter of it. */
  private keepAlive(topic: string): void {
    if (this.expiring.has(topic)) return;
    this.expiring.add(topic);
    this.commands.sendCommand(['PEXPIRE', this.options.prefix + topic, String(this.options.streamTtl)]).catch(() => this.expiring.delete(topic));
  }

  private report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

/** A Redis broker for `createServer({ broker })`: topics span every server connected to the same Redis. */
export function createRedisBroker(options: RedisBrokerOptions = {}): RedisBroker {
  return new RedisBroker(options);
}
