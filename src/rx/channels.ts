import type { WireData } from './wire.js';

interface Channel {
  subscribe: WireData;
  unsubscribe: () => WireData;
  refs: number;
}

/**
 * The multiplex channels of one subject, keyed by their subscribe message and counted
 * by subscriber: the server hears one subscribe for the first and one unsubscribe
 * after the last, however many subscribers share a channel. Live channels are
 * subscribed again on every (re)connection.
 */
export class ChannelRegistry {
  private readonly channels = new Map<string, Channel>();

  /** Adds a reference; true when it is the first (the subscribe message is due). */
  acquire(key: string, subscribe: WireData, unsubscribe: () => WireData): boolean {
    const channel = this.channels.get(key);
    if (channel) {
      channel.refs++;
      return false;
    }
    this.channels.set(key, { subscribe, unsubscribe, refs: 1 });
    return true;
  }

  /** Drops a reference; when it was the last, returns the unsubscribe message's factory. */
  release(key: string): (() => WireData) | null {
    const channel = this.channels.get(key);
    if (!channel || --channel.refs > 0) return null;
    this.channels.delete(key);
    return channel.unsubscribe;
  }

  /** Subscribe messages of the live channels, to send on a new connection. */
  subscribeMessages(): WireData[] {
    return [...this.channels.values()].map((channel) => channel.subscribe);
  }
}
