/** Per-connection traffic counters, for metrics. Bytes are wire bytes (frames included). */
export interface ConnectionCounters {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  /** Published messages not sent to this connection: its send buffer was over the server's `maxBackpressure`. */
  messagesSkipped: number;
}

export function newCounters(): ConnectionCounters {
  return { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0, messagesSkipped: 0 };
}
