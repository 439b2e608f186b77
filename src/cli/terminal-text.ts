/**
 * Text from a peer, made safe to print: a terminal acts on control characters (ESC starts
 * ANSI sequences that move the cursor, rewrite the title, or worse), so every C0 control
 * except tab, DEL and every C1 control is written as a visible escape instead. Backslashes
 * are left alone so that printable text, JSON included, passes through unchanged.
 */

// C0 (U+0000–U+001F) except tab (U+0009), DEL (U+007F), C1 (U+0080–U+009F).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

function escapeControl(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with control characters escaped (`\x1b`, `\x0a`, `\u0085`): one line, nothing raw. */
export function printable(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/** Binary data as a short hex summary (the first 32 bytes). */
export function binarySummary(data: Uint8Array): string {
  const head = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, 32)).toString('hex');
  return `<binary ${data.length} bytes: ${head}${data.length > 32 ? '…' : ''}>`;
}
