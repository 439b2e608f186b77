import type { Connection, SendOptions } from '../connection/connection.js';
import type { TopicJoin } from '../connection/publish-port.js';
import { CloseCode } from '../close-codes.js';
import type { BinaryData, DataMessage } from '../transforms/records.js';
import type { Broker, BrokerMessage } from './broker.js';
import { FrameProfiles } from './frame-profile.js';
import { DEFAULT_MAX_BACKPRESSURE, type BackpressurePolicy, type SlowSubscriberInfo, type TopicOptions } from './options.js';
import { checkTopic, messageOf, publication, remotePublication, type Publication } from './publication.js';
import { Subscriber, type SubscriberHost } from './subscriber.js';
import { describe } from '../validation/schema.js';

/** A server-side listener of a topic's messages. */
export type TopicListener = (message: DataMessage) => void;

interface Topic {
  readonly subscribers: Set<Subscriber>;
  readonly listeners: Set<TopicListener>;
}

/**
 * A server's topics: who is subscribed to what, here (connections, and listeners on the
 * server side); publishing, framing each message once per {@link FrameProfile} and
 * writing the same bytes to every subscriber; slow subscribers; and the broker, which
 * carries publications to the other processes and is subscribed to exactly the topics
 * that have subscribers here.
 */
export class TopicHub implements SubscriberHost {
  private readonly topics = new Map<string, Topic>();
  private readonly profiles = new FrameProfiles();
  private readonly maxBackpressure: number;
  private readonly policy: BackpressurePolicy;
  private readonly broker: Broker | null;
  private closed = false;

  constructor(
    options: TopicOptions,
    private readonly reportSlow: (connection: Connection, info: SlowSubscriberInfo) => void,
  ) {
    this.maxBackpressure = options.maxBackpressure ?? DEFAULT_MAX_BACKPRESSURE;
    this.policy = options.onBackpressure ?? 'skip';
    this.broker = options.broker ?? null;
    this.broker?.attach({ deliver: (message) => this.deliverRemote(message) });
  }

  /** Given to each connection the server accepts (the `topics` connection option). */
  readonly join: TopicJoin = (port) => new Subscriber(this, port, this.profiles.profileOf(port.encoding));

  /** `server.publish()`: checks the arguments, then publishes to every subscriber. */
  publishMessage(topic: string, data: string | BinaryData, options: SendOptions | undefined): number {
    return this.publish(publication(topic, data, options), null);
  }

  /**
   * Publishes to the other processes first (a broker that cannot take it throws, and the
   * message goes nowhere; once the server closed, to none), then writes it to every subscriber here but `except`. Returns
   * how many connections it was written to.
   */
  publish(publication: Publication, except: Subscriber | null): number {
    if (!this.closed) this.broker?.publish({ topic: publication.topic, kind: publication.kind, payload: publication.payload, compress: publication.compress });
    return this.deliver(publication, except);
  }

  /** Server-side subscription: `listener` gets every message of `topic`; returns the unsubscribe function. */
  listen(topic: string, listener: TopicListener): () => void {
    checkTopic(topic);
    if (typeof listener !== 'function') {
      throw Object.assign(new TypeError(`The "listener" argument must be a function. Received ${describe(listener)}`), { code: 'ERR_INVALID_ARG_TYPE' });
    }
    this.entry(topic).listeners.add(listener);
    let listening = true;
    return () => {
      if (!listening) return;
      listening = false;
      const entry = this.topics.get(topic);
      entry?.listeners.delete(listener);
      if (entry) this.dropIfEmpty(topic, entry);
    };
  }

  /** How many connections here are subscribed to `topic`. */
  subscriberCount(topic: string): number {
    checkTopic(topic);
    return this.topics.get(topic)?.subscribers.size ?? 0;
  }

  add(topic: string, subscriber: Subscriber): void {
    this.entry(topic).subscribers.add(subscriber);
  }

  remove(topic: string, subscriber: Subscriber): void {
    const entry = this.topics.get(topic);
    if (entry === undefined || !entry.subscribers.delete(subscriber)) return;
    this.dropIfEmpty(topic, entry);
  }

  /** The server closed (its connections too): so does its broker; publishing reaches this process only from now on. */
  close(): Promise<void> {
    this.closed = true;
    return this.broker?.close() ?? Promise.resolve();
  }

  private deliver(publication: Publication, except: Subscriber | null): number {
    const entry = this.topics.get(publication.topic);
    if (entry === undefined) return 0;
    let written = 0;
    for (const subscriber of entry.subscribers) {
      if (subscriber !== except && subscriber.deliver(publication, this.maxBackpressure, this.onSlow)) written++;
    }
    if (entry.listeners.size !== 0) {
      const message = messageOf(publication);
      for (const listener of [...entry.listeners]) listener(message);
    }
    return written;
  }

  private deliverRemote(message: BrokerMessage): void {
    this.deliver(remotePublication(message.topic, message.kind, message.payload, message.compress), null);
  }

  private readonly onSlow = (subscriber: Subscriber, publication: Publication, bufferedAmount: number): void => {
    const connection = subscriber.port.connection;
    this.reportSlow(connection, { topic: publication.topic, bufferedAmount, messageBytes: publication.payload.length, action: this.policy });
    if (this.policy === 'close') connection.close(CloseCode.TRY_AGAIN_LATER, 'Slow subscriber: too many published bytes waiting');
  };

  private entry(topic: string): Topic {
    let entry = this.topics.get(topic);
    if (entry === undefined) {
      entry = { subscribers: new Set(), listeners: new Set() };
      this.topics.set(topic, entry);
      this.broker?.subscribe(topic);
    }
    return entry;
  }

  private dropIfEmpty(topic: string, entry: Topic): void {
    if (entry.subscribers.size !== 0 || entry.listeners.size !== 0 || this.topics.get(topic) !== entry) return;
    this.topics.delete(topic);
    this.broker?.unsubscribe(topic);
  }
}
