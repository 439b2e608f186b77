/**
 * The demo page's script (plain browser JavaScript). It enforces the server's message limit
 * in UTF-8 bytes before sending, explains a close code in words, reconnects only when the
 * connection dropped or the server went away or restarted (1006, 1001, 1012), and asks to
 * keep its guest name across reconnects (sessionStorage + `?name=&token=`; the server checks both).
 */
export const DEMO_SCRIPT = `
(() => {
  const CONFIG = JSON.parse(document.getElementById('config').textContent);
  const MAX = CONFIG.maxMessageBytes;
  const NAME_KEY = 'wspipe-demo-name', TOKEN_KEY = 'wspipe-demo-token';
  const RECONNECT_CODES = [1001, 1006, 1012];
  const byId = (id) => document.getElementById(id);
  const log = byId('log'), state = byId('state'), me = byId('me'), input = byId('text'), sendButton = byId('send');
  const meter = byId('meter'), tooLong = byId('too-long'), stats = byId('stats');
  const notice = byId('notice'), noticeText = byId('notice-text'), reconnectButton = byId('reconnect');
  const encoder = new TextEncoder();
  let socket = null, name = sessionStorage.getItem(NAME_KEY) || '', token = sessionStorage.getItem(TOKEN_KEY) || '', sent = 0, received = 0, attempts = 0, timer = 0;

  function add(text, cls) {
    const line = document.createElement('div');
    line.className = 'line ' + (cls || '');
    line.textContent = text;
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
  }
  function setState(text, ok) { state.textContent = text; state.className = ok ? '' : 'off'; }
  function showNotice(text, isError) {
    noticeText.textContent = text;
    notice.className = isError ? 'error' : '';
    notice.hidden = false;
    reconnectButton.hidden = !isError;
  }
  function renderStats() { stats.textContent = 'sent ' + sent + ' · received ' + received; }
  function isOpen() { return socket !== null && socket.readyState === WebSocket.OPEN; }
  function words(code) {
    return CONFIG.closeCodes[code] || (code >= 3000 && code <= 4999 ? 'application-defined code' : 'unknown code');
  }
  /** Whether the input fits the server's limit (counted in UTF-8 bytes, as the server counts). */
  function checkLength() {
    const bytes = encoder.encode(input.value).length;
    const left = MAX - bytes;
    meter.textContent = left >= 0 ? left + ' of ' + MAX + ' bytes left' : -left + ' bytes over the ' + MAX + '-byte limit';
    meter.className = left < 0 ? 'over' : '';
    input.classList.toggle('over', left < 0);
    tooLong.hidden = left >= 0;
    tooLong.textContent = left >= 0 ? '' : 'Too long to send: this message is ' + bytes + ' bytes in UTF-8 and the server accepts at most ' + MAX +
      ' bytes per message (it would close the connection with 1009, message too big).';
    sendButton.disabled = left < 0 || !isOpen();
    return left >= 0;
  }
  function showDeflate(extensions) {
    const on = /permessage-deflate/.test(extensions);
    for (const element of document.querySelectorAll('[data-deflate]')) element.classList.toggle('active', on);
    byId('deflate-note').textContent = on
      ? 'permessage-deflate was negotiated: [Inflate] and [Deflate] are in your connection\\'s chains.'
      : 'permessage-deflate was not negotiated: [Inflate] and [Deflate] are left out.';
  }
  function socketUrl() {
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (name) url.searchParams.set('name', name);
    if (name && token) url.searchParams.set('token', token);
    return url.href;
  }
  function explain(event) {
    let text = 'The server closed the connection with code ' + event.code + ' (' + words(event.code) + ')';
    if (event.code === 1009) text += ': a message was larger than the ' + MAX + ' bytes it accepts per message';
    if (event.reason) text += '. Reason given: "' + event.reason + '"';
    return text + '. Not reconnecting by itself; press Reconnect to continue' + (name ? ' as ' + name : '') + '.';
  }

  function connect() {
    clearTimeout(timer);
    setState('connecting…', false);
    const ws = new WebSocket(socketUrl(), 'chat');
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      notice.hidden = true;
      setState('open', true);
      showDeflate(ws.extensions);
      checkLength();
    };
    ws.onmessage = (event) => {
      received++;
      renderStats();
      const message = JSON.parse(event.data);
      if (message.type === 'welcome') {
        name = message.name;
        token = message.token;
        sessionStorage.setItem(NAME_KEY, name);
        sessionStorage.setItem(TOKEN_KEY, token);
        me.textContent = name;
      }
      add(message.from === 'server' ? message.text : message.from + ': ' + message.text, message.from === 'server' ? 'sys' : '');
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      checkLength();
      if (RECONNECT_CODES.includes(event.code)) {
        const delay = Math.min(500 * 2 ** attempts, 8000);
        attempts++;
        setState('reconnecting…', false);
        showNotice('Connection lost (' + event.code + ', ' + words(event.code) + '); reconnecting in ' + delay / 1000 + ' s' +
          (name ? ' as ' + name : '') + '…', false);
        timer = setTimeout(connect, delay);
      } else {
        setState('closed (' + event.code + ')', false);
        showNotice(explain(event), true);
      }
    };
  }

  reconnectButton.onclick = () => { notice.hidden = true; connect(); };
  input.addEventListener('input', checkLength);
  byId('form').onsubmit = (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text || !checkLength() || !isOpen()) return;
    socket.send(text);
    add('you: ' + text, 'me');
    sent++;
    renderStats();
    input.value = '';
    checkLength();
  };
  if (name) me.textContent = name;
  renderStats();
  checkLength();
  connect();
})();
`;
