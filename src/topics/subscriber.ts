import type { SendOptions } from '../connection/connection.js';
import type { PublishPort, TopicMembership } from '../connection/publish-port.js';
import type { BinaryData } from '../transforms/records.js';
import type { FrameProfile } from './frame-profile.js';
import { checkTopic, publication, type Publication } from './publication.js';

/** What a subscriber needs from its server's topics. */
export interface SubscriberHost {
  add(topic: string, subscriber: Subscriber): void;
  remove(topic: string, subscriber: Subscriber): void;
  publish(publication: Publication, except: Subscriber | null): number;
}

/**
 * One connection's side of its server's topics: the topics it joined (it leaves them all
 * when it closes), and the delivery of a publication to it through its send accounting.
 */
export class Subscriber implements TopicMembership {
  private readonly joined = new Set<string>();

  constructor(
    private readonly host: SubscriberHost,
    readonly port: PublishPort,
    private readonly profile: FrameProfile,
  ) {
    port.connection.once('close', () => this.leaveAll());
  }

  subscribe(topic: string): boolean {
    checkTopic(topic);
    if (this.joined.has(topic) || !this.port.isOpen()) return false;
    this.joined.add(topic);
    this.host.add(topic, this);
    return true;
  }

  unsubscribe(topic: string): boolean {
    checkTopic(topic);
    if (!this.joined.delete(topic)) return false;
    this.host.remove(topic, this);
    return true;
  }

  topics(): ReadonlySet<string> {
    return new Set(this.joined);
  }

  publish(topic: string, data: string | BinaryData, options: SendOptions | undefined): number {
    return this.host.publish(publication(topic, data, options), this);
  }

  /**
   * Writes `publication` unless the connection is no longer open (false) or has more than
   * `limit` bytes waiting with it (then `onSlow` decides, and false). A message alone may be
   * larger than `limit`: it goes when nothing is waiting.
   */
  deliver(publication: Publication, limit: number, onSlow: (subscriber: Subscriber, publication: Publication, bufferedAmount: number) => void): boolean {
    const port = this.port;
    if (!port.isOpen()) return false;
    const buffered = port.bufferedAmount();
    if (buffered !== 0 && buffered + publication.payload.length > limit) {
      port.connection.counters.messagesSkipped++;
      onSlow(this, publication, buffered);
      return false;
    }
    const frame = this.profile.frameFor(publication);
    if (frame === null) port.sendOwn(publication.kind, publication.payload, publication.compress);
    else port.sendFramed(frame);
    return true;
  }

  private leaveAll(): void {
    for (const topic of this.joined) this.host.remove(topic, this);
    this.joined.clear();
  }
}
