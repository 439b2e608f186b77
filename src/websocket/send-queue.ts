/**
 * Keeps send() order while a Blob is read (Blob bytes arrive asynchronously): once one
 * is waiting, later sends wait behind it. Its bytes count in `bufferedAmount`.
 */
export class SendQueue {
  private readonly items: Array<{ data: string | Buffer | Blob; size: number }> = [];
  private bytes = 0;
  private running = false;

  constructor(private readonly transmit: (data: string | Buffer, size: number) => void) {}

  get idle(): boolean {
    return this.items.length === 0;
  }

  get bufferedAmount(): number {
    return this.bytes;
  }

  push(data: string | Buffer | Blob, size: number): void {
    // A queued view is copied: the caller may reuse its buffer before the Blob ahead is read.
    this.items.push({ data: Buffer.isBuffer(data) ? Buffer.from(data) : data, size });
    this.bytes += size;
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.items.length > 0) {
      const item = this.items[0]!;
      let data: string | Buffer;
      try {
        data = item.data instanceof Blob ? Buffer.from(await item.data.arrayBuffer()) : item.data;
      } catch {
        data = Buffer.alloc(0); // an unreadable Blob: send nothing rather than stall the queue
      }
      this.items.shift();
      this.bytes -= item.size;
      this.transmit(data, item.size);
    }
    this.running = false;
  }
}
