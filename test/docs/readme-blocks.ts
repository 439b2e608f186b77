/**
 * The ```ts blocks of a Markdown file, each with the heading it sits under and its
 * optional prelude: an HTML comment `<!-- prelude: … -->` (one line or several) right
 * before the block, blank lines allowed between. See test/docs/readme.test.ts.
 */
export interface ReadmeBlock {
  /** 1-based, among the ts blocks of the file. */
  index: number;
  /** The nearest heading above the block. */
  heading: string;
  /** The file's line number of the block's first line of code. */
  line: number;
  code: string;
  /** TypeScript to prepend (may be empty), or null: the block is a complete program. */
  prelude: string | null;
}

const FENCE = /^```(\S*)\s*$/;
const HEADING = /^#{1,6}\s+(.+?)\s*$/;
const PRELUDE_START = /^<!--\s*prelude:(.*)$/;

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let heading = '(top)';
  let prelude: { text: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      const start = i + 1;
      let end = start;
      while (end < lines.length && lines[end] !== '```') end++;
      if (end === lines.length) throw new Error(`README line ${i + 1}: code fence never closed`);
      if (fence[1] === 'ts' || fence[1] === 'typescript') {
        blocks.push({ index: blocks.length + 1, heading, line: start + 1, code: lines.slice(start, end).join('\n'), prelude: prelude?.text ?? null });
      } else if (prelude) {
        throw new Error(`README line ${prelude.line}: a prelude before a \`\`\`${fence[1]} block (only ts blocks take one)`);
      }
      prelude = null;
      i = end;
      continue;
    }
    const start = PRELUDE_START.exec(line);
    if (start) {
      if (prelude) throw new Error(`README line ${i + 1}: two preludes in a row`);
      let text = start[1]!;
      let end = i;
      while (!text.includes('-->')) {
        if (++end === lines.length) throw new Error(`README line ${i + 1}: prelude comment never closed`);
        text += `\n${lines[end]}`;
      }
      const close = text.indexOf('-->');
      if (text.slice(close + 3).trim() !== '') throw new Error(`README line ${end + 1}: text after a prelude comment`);
      prelude = { text: text.slice(0, close).trim(), line: i + 1 };
      i = end;
      continue;
    }
    if (line.trim() === '') continue;
    if (prelude) throw new Error(`README line ${prelude.line}: a prelude not followed by a ts block`);
    const title = HEADING.exec(line);
    if (title) heading = title[1]!;
  }
  if (prelude) throw new Error(`README line ${prelude.line}: a prelude not followed by a ts block`);
  return blocks;
}
