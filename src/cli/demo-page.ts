/** The demo's single page: a chat room and echo console over one WebSocket. */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wspipe demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
  main { max-width: 760px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  .status { font-size: 13px; color: #5b6475; margin-bottom: 16px; }
  .status b { color: #1f8a4c; }
  .status b.off { color: #b3261e; }
  #log { background: #fff; border: 1px solid #d8dce3; border-radius: 8px; height: 380px; overflow-y: auto; padding: 12px; }
  .line { margin: 2px 0; white-space: pre-wrap; word-break: break-word; }
  .me { color: #1a56c4; }
  .sys { color: #5b6475; font-style: italic; }
  form { display: flex; gap: 8px; margin-top: 12px; }
  input { flex: 1; padding: 10px; border: 1px solid #c5cad3; border-radius: 6px; font: inherit; }
  button { padding: 10px 16px; border: 0; border-radius: 6px; background: #1a56c4; color: #fff; font: inherit; cursor: pointer; }
  .stats { font-size: 13px; color: #5b6475; margin-top: 10px; }
</style>
</head>
<body>
<main>
  <h1>wspipe live chat</h1>
  <div class="status">Connection: <b id="state" class="off">connecting…</b> · others in the room see what you send</div>
  <div id="log" aria-live="polite"></div>
  <form id="form"><input id="text" autocomplete="off" placeholder="Type a message and press Enter" autofocus><button>Send</button></form>
  <div class="stats" id="stats"></div>
</main>
<script>
  const log = document.getElementById('log');
  const state = document.getElementById('state');
  const stats = document.getElementById('stats');
  let sent = 0, received = 0, socket;
  function add(text, cls) {
    const line = document.createElement('div');
    line.className = 'line ' + (cls || '');
    line.textContent = text;
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
  }
  function render() { stats.textContent = 'sent ' + sent + ' · received ' + received; }
  function open() {
    socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws', 'chat');
    socket.onopen = () => { state.textContent = 'open (' + (socket.extensions || 'no extensions') + ')'; state.className = ''; };
    socket.onmessage = (event) => {
      received++; render();
      const message = JSON.parse(event.data);
      add(message.from === 'server' ? message.text : message.from + ': ' + message.text, message.from === 'server' ? 'sys' : '');
    };
    socket.onclose = (event) => {
      state.textContent = 'closed (' + event.code + '), reconnecting…'; state.className = 'off';
      setTimeout(open, 1000);
    };
  }
  document.getElementById('form').onsubmit = (event) => {
    event.preventDefault();
    const input = document.getElementById('text');
    if (!input.value || socket.readyState !== 1) return;
    socket.send(input.value);
    add('you: ' + input.value, 'me');
    sent++; render();
    input.value = '';
  };
  open(); render();
</script>
</body>
</html>
`;
