import { ErrorReply, type RedisArgument } from 'redis';
import type { BrokerMessage } from '../topics/broker.js';
import { BYTES, type RedisConnection } from './connection.js';
import { readEntry } from './entry.js';

/** Entries asked for per XREAD. */
const READ_COUNT = 1000;
/** How long one XREAD blocks when nothing comes (it is interrupted when the topics change). */
const BLOCK_MS = 5000;
/** Origins remembered per topic for deduplication: the publishing processes seen lately. */
const MAX_ORIGINS_PER_TOPIC = 1024;

/** One subscribed topic: its stream, where reading is, and the last sequence number seen of each publisher. */
interface TopicRead {
  readonly topic: string;
  readonly key: string;
  /** The id of the last entry read; null until the stream's end at subscription time is known. */
  lastId: string | null;
  readonly seen: Map<string, number>;
}

export interface ReaderHost {
  /** A message another process published. */
  deliver(message: BrokerMessage): void;
  /** Messages of `topic` from other processes are read from now on. */
  subscribed(topic: string): void;
  report(error: Error): void;
}

/**
 * Reads the streams of the subscribed topics with one blocking XREAD on a connection of
 * its own, each from the last entry it read: after a lost connection it goes on from
 * there, so what was published meanwhile (and is still in the stream) is delivered. A new
 * topic starts at its stream's end. Entries of this process and entries already delivered
 * (same origin, sequence number not above the last seen) are skipped. The XREAD is
 * interrupted (CLIENT UNBLOCK) when the topics change.
 */
export class StreamReader {
  private readonly topics = new Map<string, TopicRead>();
  private readonly byKey = new Map<string, TopicRead>();
  private clientId: string | null = null;
  /** An XREAD is on its way or blocked. */
  private reading = false;
  private changed = false;
  private interrupting = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly client: RedisConnection,
    private readonly control: RedisConnection,
    private readonly prefix: string,
    private readonly origin: string,
    private readonly host: ReaderHost,
  ) {
    client.on('ready', () => {
      // A new connection: a new client id.
      this.clientId = null;
      this.wakeUp();
    });
  }

  add(topic: string): void {
    if (this.topics.has(topic)) return;
    const read: TopicRead = { topic, key: Buffer.from(this.prefix + topic).toString(), lastId: null, seen: new Map() };
    this.topics.set(topic, read);
    this.byKey.set(read.key, read);
    this.topicsChanged();
  }

  remove(topic: string): void {
    const read = this.topics.get(topic);
    if (read === undefined) return;
    this.topics.delete(topic);
    this.byKey.delete(read.key);
    this.topicsChanged();
  }

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.wakeUp();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.client.isReady || (this.topics.size === 0 && !this.changed)) {
        await this.sleep();
        continue;
      }
      try {
        this.clientId ??= await this.ownId();
        await this.findStarts();
        this.changed = false;
        const reads = [...this.topics.values()];
        if (reads.length === 0) continue;
        this.reading = true;
        const reply = await this.client.sendCommand<Array<Buffer | Array<[Buffer, Buffer[]]>> | null>(
          ['XREAD', 'COUNT', String(READ_COUNT), 'BLOCK', String(BLOCK_MS), 'STREAMS', ...reads.map((read) => read.key), ...reads.map((read) => read.lastId!)],
          BYTES,
        );
        this.reading = false;
        if (reply !== null) this.handle(reply);
      } catch (error) {
        this.reading = false;
        this.clientId = null;
        if (this.stopped) return;
        this.host.report(error as Error);
        // The connection is gone (its 'ready' wakes us) or Redis refused: try again shortly.
        await this.sleep(this.client.isReady ? 100 : BLOCK_MS);
      }
    }
  }

  /** This connection's id, for CLIENT UNBLOCK; '' where Redis refuses CLIENT ID (a change of topics then waits for the XREAD to time out). */
  private async ownId(): Promise<string> {
    try {
      return String(await this.client.sendCommand(['CLIENT', 'ID']));
    } catch (error) {
      if (error instanceof ErrorReply) return '';
      throw error;
    }
  }

  /** New topics start after the last entry their stream has now ('0-0' for a stream not made yet). */
  private async findStarts(): Promise<void> {
    for (;;) {
      const pending = [...this.topics.values()].filter((read) => read.lastId === null);
      if (pending.length === 0) return;
      const lasts = await Promise.all(
        pending.map((read) => this.client.sendCommand<Array<[Buffer, Buffer[]]>>(['XREVRANGE', read.key, '+', '-', 'COUNT', '1'], BYTES)),
      );
      pending.forEach((read, index) => {
        if (read.lastId !== null || this.topics.get(read.topic) !== read) return;
        read.lastId = lasts[index]![0]?.[0].toString('latin1') ?? '0-0';
        this.host.subscribed(read.topic);
      });
    }
  }

  /** XREAD's reply (RESP3 map as a flat array): each stream's key, then its entries in order. */
  private handle(reply: Array<Buffer | Array<[Buffer, Buffer[]]>>): void {
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const read = this.byKey.get((reply[i] as Buffer).toString());
      if (read === undefined) continue; // unsubscribed meanwhile
      for (const [id, fields] of reply[i + 1] as Array<[Buffer, Buffer[]]>) {
        read.lastId = id.toString('latin1');
        const entry = readEntry(read.topic, fields);
        if (entry === null || entry.origin === this.origin) continue;
        const seen = read.seen.get(entry.origin);
        if (seen !== undefined && entry.seq <= seen) continue; // sent again after a lost reply
        read.seen.delete(entry.origin);
        read.seen.set(entry.origin, entry.seq);
        if (read.seen.size > MAX_ORIGINS_PER_TOPIC) read.seen.delete(read.seen.keys().next().value!);
        try {
          this.host.deliver(entry.message);
        } catch (error) {
          this.host.report(error as Error);
        }
      }
    }
  }

  private topicsChanged(): void {
    this.changed = true;
    if (!this.reading) this.wakeUp();
    else void this.interrupt();
  }

  /**
   * Ends the blocked XREAD so that the next one reads the new set of streams. The unblock
   * may reach Redis before the XREAD does (they travel on two connections): try again
   * until it lands or the XREAD returns by itself.
   */
  private async interrupt(): Promise<void> {
    if (this.interrupting) return;
    this.interrupting = true;
    try {
      for (let attempt = 0; attempt < 100 && this.reading && this.changed && this.clientId && this.control.isReady; attempt++) {
        const unblocked = await this.control.sendCommand(['CLIENT', 'UNBLOCK', this.clientId] as RedisArgument[]).catch(() => 0);
        if (unblocked === 1) return;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } finally {
      this.interrupting = false;
    }
  }

  private sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wakeUp(), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
