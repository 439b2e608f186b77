type Item = { data: string | Buffer | Blob; size: number } | { action: () => void };

/**
 * Keeps send() order while a Blob is read (Blob bytes arrive asynchronously): once one
 * is waiting, later sends wait behind it, and so does a close() (WHATWG: close() does
 * not discard messages sent before it).
 */
export class SendQueue {
  private readonly items: Item[] = [];
  private running = false;

  constructor(private readonly transmit: (data: string | Buffer, size: number) => void) {}

  get idle(): boolean {
    return this.items.length === 0;
  }

  push(data: string | Buffer | Blob, size: number): void {
    this.items.push({ data, size }); // binary data is already a copy (normaliseSendData)
    void this.run();
  }

  /** Runs `action` once everything queued before it was transmitted; at once when nothing waits. */
  after(action: () => void): void {
    if (this.idle) action();
    else this.items.push({ action });
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.items.length > 0) {
      const item = this.items[0]!;
      if ('action' in item) {
        this.items.shift();
        item.action();
        continue;
      }
      let data: string | Buffer;
      try {
        data = item.data instanceof Blob ? Buffer.from(await item.data.arrayBuffer()) : item.data;
      } catch {
        data = Buffer.alloc(0); // an unreadable Blob: send nothing rather than stall the queue
      }
      this.items.shift();
      this.transmit(data, item.size);
    }
    this.running = false;
  }
}
