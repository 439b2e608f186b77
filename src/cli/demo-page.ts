import { CLOSE_CODE_WORDS } from './close-code-words.js';
import { DEMO_SCRIPT } from './demo-script.js';

/** What the page is told by the server that renders it. */
export interface DemoPageConfig {
  /** The server's maxPayload: the page refuses to send longer messages. */
  maxMessageBytes: number;
}

/** The demo's icon: two arrows, one each way, on wspipe blue. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1a56c4"/><path d="M7 11h15l-4-4M25 21H10l4 4" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

const stage = (name: string, optional = false): string =>
  `<span class="stage${optional ? ' optional' : ''}"${optional ? ' data-deflate' : ''}>${optional ? `[${name}]` : name}</span>`;
const chain = (label: string, names: readonly string[], optional: string): string =>
  `<div class="chain"><span class="label">${label}</span>${names.map((name) => stage(name, name === optional)).join('<span class="arrow">→</span>')}</div>`;

const STYLE = `
  * { box-sizing: border-box; }
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
  main { max-width: 800px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  .tagline { margin: 0 0 12px; color: #3b4455; }
  .pipeline { background: #fff; border: 1px solid #d8dce3; border-radius: 8px; padding: 10px 12px; margin-bottom: 14px; font-size: 12.5px; }
  .chain { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; margin: 3px 0; }
  .label { width: 56px; color: #5b6475; font-weight: 600; }
  .stage { font-family: ui-monospace, monospace; background: #e8eefb; color: #1a3f8f; border-radius: 4px; padding: 2px 6px; }
  .stage.optional { background: #f1f2f4; color: #8a91a0; border: 1px dashed #b9bfca; }
  .stage.optional.active { background: #e3f5ea; color: #166b3b; border-color: #6cc293; }
  .arrow { color: #8a91a0; }
  .deflate-note { color: #5b6475; margin-top: 4px; }
  .status { font-size: 13px; color: #5b6475; margin-bottom: 8px; }
  .status b { color: #1f8a4c; }
  .status b.off { color: #b3261e; }
  #log { background: #fff; border: 1px solid #d8dce3; border-radius: 8px; height: 320px; overflow-y: auto; padding: 12px; }
  .line { margin: 2px 0; white-space: pre-wrap; word-break: break-word; }
  .me { color: #1a56c4; }
  .sys { color: #5b6475; font-style: italic; }
  #notice { margin-top: 10px; padding: 10px 12px; border-radius: 6px; background: #fdf0e1; border: 1px solid #f0c48a; color: #6b3d00; display: flex; gap: 12px; align-items: center; }
  #notice[hidden] { display: none; }
  #notice.error { background: #fdecea; border-color: #f1aaa4; color: #7d1b14; }
  #notice span { flex: 1; }
  form { display: flex; gap: 8px; margin-top: 12px; }
  input { flex: 1; padding: 10px; border: 1px solid #c5cad3; border-radius: 6px; font: inherit; }
  input.over { border-color: #b3261e; outline-color: #b3261e; }
  button { padding: 10px 16px; border: 0; border-radius: 6px; background: #1a56c4; color: #fff; font: inherit; cursor: pointer; }
  button:disabled { background: #9aa3b2; cursor: not-allowed; }
  .meter { font-size: 13px; color: #5b6475; margin-top: 6px; display: flex; justify-content: space-between; }
  .meter .over { color: #b3261e; font-weight: 600; }
  #too-long { color: #b3261e; font-size: 13px; margin-top: 4px; }
`;

/** The demo's single page: a chat room over one WebSocket, configured by the server that serves it. */
export function renderDemoPage(config: DemoPageConfig): string {
  // JSON in a script element: `<` escaped so no value can end the element early.
  const json = JSON.stringify({ maxMessageBytes: config.maxMessageBytes, closeCodes: CLOSE_CODE_WORDS }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wspipe demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>${STYLE}</style>
</head>
<body>
<main>
  <h1>wspipe live chat</h1>
  <p class="tagline">wspipe is a WebSocket library for Node.js (RFC 6455 + RFC 7692 permessage-deflate) built from composable <code>node:stream</code> stages. This chat runs on it: on the server, each message passes through these stages:</p>
  <div class="pipeline" aria-label="wspipe's stage pipeline">
    ${chain('decode', ['HeaderParser', 'Unmasker', 'Defragmenter', 'Inflate', 'MessageDecoder'], 'Inflate')}
    ${chain('encode', ['MessageEncoder', 'Deflate', 'Fragmenter', 'Masker', 'FrameSerializer'], 'Deflate')}
    <div class="deflate-note" id="deflate-note">[Inflate] and [Deflate] are in the chain when permessage-deflate is negotiated.</div>
  </div>
  <div class="status">You are <b id="me">…</b> · connection: <b id="state" class="off">connecting…</b> · others in the room see what you send</div>
  <div id="log" aria-live="polite"></div>
  <div id="notice" role="alert" hidden><span id="notice-text"></span><button id="reconnect" type="button" hidden>Reconnect</button></div>
  <form id="form"><input id="text" autocomplete="off" placeholder="Type a message and press Enter" aria-describedby="meter too-long" autofocus><button id="send">Send</button></form>
  <div class="meter"><span id="meter"></span><span id="stats"></span></div>
  <div id="too-long" role="status" hidden></div>
</main>
<script type="application/json" id="config">${json}</script>
<script>${DEMO_SCRIPT}</script>
</body>
</html>
`;
}
