/**
 * The embeddable web-chat widget: one script tag, no dependencies.
 *
 *   <script src="https://api.example.com/webchat/<channelId>/widget.js" async></script>
 *
 * It keeps a visitor id in localStorage, talks to /webchat/<channelId>/ws, reconnects with
 * backoff, and resends messages not yet acknowledged (the server dedupes them by their client id).
 * Text is always inserted with textContent: nothing a customer or an agent types becomes markup.
 */
export function widgetScript(o: { channelId: string; title: string; greeting: string }): string {
  const settings = JSON.stringify(o).replace(/</g, '\\u003c');
  return `(function () {
  'use strict';
  var S = ${settings};
  if (window.__switchboardChat && window.__switchboardChat[S.channelId]) return;
  window.__switchboardChat = window.__switchboardChat || {};
  var script = document.currentScript;
  var origin = script ? new URL(script.src).origin : location.origin;
  var storeKey = 'switchboard-visitor-' + S.channelId;
  var visitor = localStorage.getItem(storeKey);
  if (!visitor) {
    visitor = 'v-' + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
    localStorage.setItem(storeKey, visitor);
  }
  var pending = {};
  var shown = {};
  var ws = null;
  var delay = 500;

  var root = document.createElement('div');
  root.setAttribute('data-switchboard-chat', S.channelId);
  root.style.cssText = 'position:fixed;right:16px;bottom:16px;z-index:2147483000;font:14px system-ui,sans-serif';
  var button = document.createElement('button');
  button.type = 'button';
  button.textContent = S.title;
  button.style.cssText = 'border:0;border-radius:20px;padding:10px 16px;background:#2563eb;color:#fff;cursor:pointer';
  var panel = document.createElement('div');
  panel.hidden = true;
  panel.style.cssText = 'width:320px;height:420px;background:#fff;border:1px solid #ddd;border-radius:8px;display:flex;flex-direction:column;box-shadow:0 4px 16px rgba(0,0,0,.15)';
  var header = document.createElement('div');
  header.textContent = S.title;
  header.style.cssText = 'padding:10px;font-weight:600;border-bottom:1px solid #eee';
  var log = document.createElement('div');
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  log.style.cssText = 'flex:1;overflow:auto;padding:10px';
  var form = document.createElement('form');
  form.style.cssText = 'display:flex;border-top:1px solid #eee';
  var input = document.createElement('input');
  input.placeholder = 'Type a message';
  input.setAttribute('aria-label', 'Message');
  input.maxLength = 4000;
  input.style.cssText = 'flex:1;border:0;padding:10px;outline:none';
  var send = document.createElement('button');
  send.type = 'submit';
  send.textContent = 'Send';
  send.style.cssText = 'border:0;background:none;color:#2563eb;padding:0 12px;cursor:pointer';
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(button);
  button.addEventListener('click', function () {
    panel.hidden = !panel.hidden;
    panel.style.display = panel.hidden ? 'none' : 'flex';
    if (!panel.hidden) input.focus();
  });
  panel.style.display = 'none';

  function bubble(text, mine, key) {
    if (key && shown[key]) return;
    if (key) shown[key] = true;
    var row = document.createElement('div');
    row.style.cssText = 'margin:4px 0;display:flex;justify-content:' + (mine ? 'flex-end' : 'flex-start');
    var b = document.createElement('span');
    b.textContent = text;
    b.style.cssText = 'max-width:80%;padding:6px 10px;border-radius:12px;white-space:pre-wrap;word-break:break-word;background:' + (mine ? '#2563eb;color:#fff' : '#f1f5f9;color:#111');
    row.appendChild(b);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }
  if (S.greeting) bubble(S.greeting, false, 'greeting');

  function flush() {
    if (!ws || ws.readyState !== 1) return;
    Object.keys(pending).forEach(function (id) {
      ws.send(JSON.stringify({ type: 'message', clientMessageId: id, text: pending[id] }));
    });
  }
  function connect() {
    var url = origin.replace(/^http/, 'ws') + '/webchat/' + encodeURIComponent(S.channelId) + '/ws?visitor=' + encodeURIComponent(visitor);
    ws = new WebSocket(url);
    ws.onopen = function () { delay = 500; flush(); };
    ws.onmessage = function (e) {
      var f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      if (f.type === 'history') {
        // A reconnect resends the history: redraw rather than append twice.
        while (log.firstChild) log.removeChild(log.firstChild);
        shown = {};
        if (S.greeting) bubble(S.greeting, false, 'greeting');
        f.messages.forEach(function (m) { bubble(m.text, m.direction === 'inbound', m.id); });
        Object.keys(pending).forEach(function (id) { bubble(pending[id], true, null); });
      }
      else if (f.type === 'message') bubble(f.text, f.direction === 'inbound', f.id);
      else if (f.type === 'ack') delete pending[f.clientMessageId];
    };
    ws.onclose = function (e) {
      if (e.code >= 4400 && e.code < 4500) return; // refused for good (unknown channel, origin)
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var id = 'c' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    pending[id] = text;
    bubble(text, true, null);
    input.value = '';
    flush();
  });
  function mount() { document.body.appendChild(root); connect(); }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
  window.__switchboardChat[S.channelId] = { visitor: visitor };
})();
`;
}
