import { clearLine, createInterface, cursorTo } from 'node:readline';
import type { CloseDetails, Connection } from '../connection/connection.js';
import { ReadyState } from '../connection/ready-state.js';
import { describeCloseCode } from './close-code-words.js';
import { EXIT_FAILURE, EXIT_OK } from './command.js';
import { binarySummary, printable } from './terminal-text.js';

/** The status line for how the connection ended. */
function closeLine(info: CloseDetails, weClosed: boolean): string {
  const reason = info.reason ? `, reason "${printable(info.reason)}"` : '';
  if (info.error) return `connection failed: ${describeCloseCode(info.code)}: ${printable(info.error.message)}`;
  if (!info.wasClean) return `connection dropped: ${describeCloseCode(info.code)}`;
  return `${weClosed ? 'closed' : 'closed by the server'}: ${describeCloseCode(info.code)}${reason}`;
}

/**
 * `wspipe connect` once the connection is open: stdin lines out as text messages, received
 * messages to stdout (marked `< ` on a terminal, plain on a pipe), status to stderr. With a
 * terminal on both sides the lines are typed at a `> ` prompt that received messages print
 * above. Resolves with the exit code when the connection has closed.
 */
export function runSession(connection: Connection, url: URL): Promise<number> {
  const stdout = process.stdout;
  const marked = stdout.isTTY === true;
  const interactive = marked && process.stdin.isTTY === true;
  const lines = createInterface(
    interactive ? { input: process.stdin, output: stdout, terminal: true, prompt: '> ' } : { input: process.stdin, terminal: false },
  );
  let prompting = interactive;
  const print = (stream: NodeJS.WriteStream, line: string): void => {
    if (prompting) {
      clearLine(stdout, 0);
      cursorTo(stdout, 0);
    }
    stream.write(`${line}\n`);
    if (prompting) lines.prompt(true);
  };

  let weClosed = false;
  const closeConnection = (): void => {
    if (connection.readyState !== ReadyState.OPEN) return;
    weClosed = true;
    connection.close(1000);
  };
  let interrupted = false;
  const interrupt = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    closeConnection();
  };

  const extras = `protocol: ${connection.protocol || 'none'}, extensions: ${connection.extensions || 'none'}`;
  print(process.stderr, `connected to ${url.href} (${extras})`);
  connection.on('message', (message) => {
    const text = message.type === 'text' ? printable(message.data) : binarySummary(message.data);
    print(stdout, marked ? `< ${text}` : text);
  });

  let waitingForDrain = false;
  lines.on('line', (line) => {
    if (connection.readyState !== ReadyState.OPEN) return;
    if (marked && !interactive) print(stdout, `> ${printable(line)}`);
    if (!connection.send(line) && !waitingForDrain) {
      // Backpressure: stop reading stdin until the socket has room again.
      waitingForDrain = true;
      lines.pause();
      connection.once('drain', () => {
        waitingForDrain = false;
        lines.resume();
      });
    }
    if (interactive) lines.prompt();
  });
  lines.on('close', closeConnection);
  lines.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);
  if (interactive) lines.prompt();

  return new Promise((resolve) => {
    connection.on('close', (code, _reason, wasClean) => {
      if (prompting) {
        clearLine(stdout, 0);
        cursorTo(stdout, 0);
        prompting = false;
      }
      print(process.stderr, closeLine(connection.closeInfo!, weClosed));
      lines.close();
      resolve(wasClean && (code === 1000 || code === 1005) ? EXIT_OK : EXIT_FAILURE);
    });
  });
}
