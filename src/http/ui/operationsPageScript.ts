// The operations page's script (GET /api/ui/app.js): plain browser JavaScript, no build step. Every call goes to
// the app's own API with the function key in the x-functions-key header; the key lives in sessionStorage only.
// Sections are independent entries of SECTIONS, each with its own refresh; the rollouts section
// (rolloutsSectionScript.ts) is spliced in after them.
import { ROLLOUTS_SECTION_SCRIPT } from './rolloutsSectionScript';

export const OPERATIONS_PAGE_SCRIPT = String.raw`'use strict';
(() => {
  const REFRESH_SECONDS = 2;
  const KEY_ITEM = 'deviceOperations.functionKey';
  const api = location.pathname.replace(/\/ui\/?$/, '');
  const $ = (id) => document.getElementById(id);
  const state = { historyDevice: null, seen: new Map() };

  function key() { return sessionStorage.getItem(KEY_ITEM); }
  function show(text, kind) { const m = $('message'); m.textContent = text; m.className = 'banner ' + kind; m.hidden = text === ''; }
  function cell(text) { const td = document.createElement('td'); td.textContent = text == null ? '' : String(text); return td; }

  async function call(method, path, body) {
    const response = await fetch(api + '/' + path, {
      method, headers: Object.assign({ 'x-functions-key': key() || '' }, body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      sessionStorage.removeItem(KEY_ITEM);
      $('app').hidden = true;
      $('key-state').textContent = '';
      throw new Error('The function key was refused (HTTP 401). Enter a valid function key.');
    }
    const text = await response.text();
    const json = text === '' ? null : JSON.parse(text);
    if (response.status >= 400) throw new Error((json && json.error && json.error.message) || ('HTTP ' + response.status));
    return json;
  }

  const SECTIONS = [
    { name: 'running', refresh: refreshRunning },
    { name: 'history', refresh: refreshHistory },
  ];

  async function refreshRunning() {
    const page = await call('GET', 'operations?state=running');
    const body = $('running');
    body.replaceChildren();
    for (const op of page.operations) {
      const status = await call('GET', 'operations/' + encodeURIComponent(op.instanceId)).catch(() => null);
      const custom = status && status.customStatus;
      const tr = document.createElement('tr');
      tr.dataset.instanceId = op.instanceId;
      tr.append(cell(op.instanceId), cell(op.deviceId), cell(op.operation), cell(op.state),
        cell(custom ? custom.phase + (custom.step ? ' / ' + custom.step : '') : ''), cell(op.requestedAt));
      const td = document.createElement('td');
      const button = document.createElement('button');
      button.textContent = 'Cancel';
      button.addEventListener('click', () => cancel(op.instanceId, button));
      td.append(button);
      tr.append(td);
      body.append(tr);
      state.seen.set(op.instanceId, null);
    }
    $('running-empty').hidden = page.operations.length > 0;
    renderCounters(page.operations.length);
  }

  async function refreshHistory() {
    if (state.historyDevice === null) return;
    const page = await call('GET', 'devices/' + encodeURIComponent(state.historyDevice) + '/operations?top=50');
    const body = $('history');
    body.replaceChildren();
    for (const op of page.operations) {
      const tr = document.createElement('tr');
      tr.dataset.instanceId = op.instanceId;
      tr.append(cell(op.instanceId), cell(op.operation), cell(op.phase), cell(op.outcome), cell(op.delivery), cell(op.requestedAt),
        cell(op.durationMs == null ? '' : (op.durationMs / 1000).toFixed(1) + ' s'));
      body.append(tr);
      if (op.outcome) state.seen.set(op.instanceId, op.outcome);
    }
  }

  function renderCounters(running) {
    const counts = { Running: running };
    for (const outcome of state.seen.values()) if (outcome) counts[outcome] = (counts[outcome] || 0) + 1;
    const box = $('counters');
    box.replaceChildren();
    for (const [name, count] of Object.entries(counts)) {
      const div = document.createElement('div');
      div.className = 'counter';
      div.dataset.outcome = name;
      const b = document.createElement('b');
      b.textContent = String(count);
      div.append(b, document.createTextNode(name));
      box.append(div);
    }
    $('counters-note').textContent = 'Running now, and the outcomes of the operations shown in the device history.';
  }

  async function cancel(instanceId, button) {
    button.disabled = true;
    try {
      await call('POST', 'operations/' + encodeURIComponent(instanceId) + '/cancel');
      show('Cancel requested for ' + instanceId + '.', 'info');
    } catch (err) { show(err.message, 'error'); }
  }

  async function refreshAll() {
    if (!key()) return;
    try {
      for (const section of SECTIONS) await section.refresh();
      $('app').hidden = false;
      $('key-state').textContent = 'Key in use (this tab only).';
      if ($('message').classList.contains('error')) show('', '');
    } catch (err) { show(err.message, 'error'); }
  }

${ROLLOUTS_SECTION_SCRIPT}
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_ITEM, $('key').value.trim());
    $('key').value = '';
    show('', '');
    refreshAll();
  });
  $('forget-key').addEventListener('click', () => { sessionStorage.removeItem(KEY_ITEM); $('app').hidden = true; $('key-state').textContent = ''; });
  $('history-form').addEventListener('submit', (event) => { event.preventDefault(); state.historyDevice = $('history-device').value.trim(); refreshAll(); });
  $('start-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const kind = $('start-kind').value;
    const body = kind === 'firmwareUpdate' ? { payload: { fwPackageUri: $('start-fw').value.trim() } } : {};
    try {
      const started = await call('POST', 'devices/' + encodeURIComponent($('start-device').value.trim()) + '/' + kind, body);
      show('Started ' + started.instanceId + '.', 'info');
      refreshAll();
    } catch (err) { show(err.message, 'error'); }
  });
  $('refresh-seconds').textContent = String(REFRESH_SECONDS);
  setInterval(refreshAll, REFRESH_SECONDS * 1000);
  refreshAll();
})();
`;
