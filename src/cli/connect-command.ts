import { createInterface } from 'node:readline';
import { connect } from '../client/connect.js';
import type { DataMessage } from '../transforms/records.js';

function describe(message: DataMessage): string {
  if (message.type === 'text') return message.data;
  return `<binary ${message.data.length} bytes: ${message.data.subarray(0, 32).toString('hex')}${message.data.length > 32 ? '…' : ''}>`;
}

/**
 * `wspipe connect URL`: stdin lines become text messages; received messages are printed.
 * Exits when the connection closes (stdin's end closes it with 1000).
 */
export async function runConnect(url: string, options: { protocol?: string; deflate: boolean }): Promise<number> {
  const connection = await connect(url, {
    protocols: options.protocol ? [options.protocol] : undefined,
    perMessageDeflate: options.deflate,
  });
  console.error(`connected to ${url}${connection.protocol ? ` (protocol ${connection.protocol})` : ''}`);
  connection.on('message', (message) => console.log(describe(message)));
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => connection.send(line));
  lines.on('close', () => connection.close(1000));
  return new Promise((resolve) => {
    connection.on('close', (code, reason, wasClean) => {
      console.error(`closed: ${code}${reason ? ` ${reason}` : ''}${wasClean ? '' : ' (not clean)'}`);
      lines.close();
      resolve(wasClean || code === 1000 ? 0 : 1);
    });
  });
}
