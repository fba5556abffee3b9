// The rollouts section of the operations page's script (spliced into operationsPageScript.ts, inside its closure:
// it uses call, show, cell, $ and SECTIONS from there). Running rollouts; one rollout's counters by state,
// failures by reason, a progress chart drawn as plain SVG from counters sampled at each refresh (kept in this
// tab's memory only), its devices filtered by state, a start form and a cancel button. Fields another version
// of the status route may add (currentRate, budget, eta) are shown when present and skipped when absent.
export const ROLLOUTS_SECTION_SCRIPT = String.raw`
  const ROLLOUT_STATES = ['queued', 'inProgress', 'succeeded', 'failed', 'timedOut', 'rejected', 'offline', 'notFound', 'canceled', 'busy', 'unconfirmed'];
  const FAILURE_STATES = ['failed', 'timedOut', 'rejected', 'offline', 'notFound', 'unconfirmed', 'busy', 'canceled'];
  const MAX_SAMPLES = 600;
  const SVG = 'http://www.w3.org/2000/svg';
  const rollouts = { selected: null, samples: new Map() };

  SECTIONS.push({ name: 'rollouts', refresh: refreshRollouts });

  function done(c) { return ROLLOUT_STATES.filter((s) => s !== 'queued' && s !== 'inProgress').reduce((n, s) => n + (c[s] || 0), 0); }
  function failed(c) { return FAILURE_STATES.reduce((n, s) => n + (c[s] || 0), 0); }
  function button(text, label, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  async function refreshRollouts() {
    const page = await call('GET', 'rollouts?pageSize=50');
    const body = $('rollouts');
    body.replaceChildren();
    const shown = page.rollouts.filter((r) => r.state === 'running' || r.rolloutId === rollouts.selected);
    for (const r of shown) {
      const tr = document.createElement('tr');
      tr.dataset.rolloutId = r.rolloutId;
      const total = r.total == null ? '?' : r.total;
      const td = document.createElement('td');
      td.append(button('View', 'View rollout ' + r.rolloutId, () => selectRollout(r.rolloutId)));
      tr.append(cell(r.rolloutId), cell(r.operation), cell(r.state), cell(done(r.counters) + ' / ' + total), cell(r.createdAt), td);
      body.append(tr);
    }
    $('rollouts-empty').hidden = shown.length > 0;
    if (rollouts.selected !== null) await refreshRolloutView();
  }

  function selectRollout(rolloutId) {
    rollouts.selected = rolloutId;
    $('rollout-view').hidden = false;
    $('rollout-device-state').value = '';
    refreshAll().then(() => $('rollout-title').focus());
  }

  async function refreshRolloutView() {
    const id = rollouts.selected;
    const r = await call('GET', 'rollouts/' + encodeURIComponent(id));
    const samples = rollouts.samples.get(id) || [];
    samples.push({ at: Date.now(), counters: r.counters });
    if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
    rollouts.samples.set(id, samples);

    $('rollout-title').textContent = 'Rollout ' + id;
    $('rollout-view').dataset.rolloutId = id;
    $('rollout-view').dataset.state = r.state;
    const facts = [['Operation', r.operation], ['State', r.state], ['Devices', r.total == null ? 'resolving' : r.total],
      ['Wave', r.currentWave + ' of ' + r.waves.length], ['Rate', r.rate ? r.rate.maxPerMinute + '/min' : 'unpaced'],
      ['Current rate', r.currentRate], ['Budget', typeof r.budget === 'object' && r.budget !== null ? JSON.stringify(r.budget) : r.budget],
      ['ETA', r.eta], ['Started', r.createdAt], ['Ended', r.completedAt], ['Reason', r.reason]];
    const dl = $('rollout-facts');
    dl.replaceChildren();
    for (const [name, value] of facts) {
      if (value === undefined || value === null) continue;
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = String(value);
      dd.dataset.fact = name;
      dl.append(dt, dd);
    }

    const box = $('rollout-counters');
    box.replaceChildren();
    for (const s of ROLLOUT_STATES) {
      const div = document.createElement('div');
      div.className = 'counter';
      div.dataset.state = s;
      const b = document.createElement('b');
      b.textContent = String(r.counters[s] || 0);
      div.append(b, document.createTextNode(s));
      box.append(div);
    }
    const reasons = $('rollout-failures');
    reasons.replaceChildren();
    for (const s of FAILURE_STATES.filter((s) => (r.counters[s] || 0) > 0)) {
      const li = document.createElement('li');
      li.dataset.state = s;
      li.textContent = s + ': ' + r.counters[s];
      reasons.append(li);
    }
    if (reasons.children.length === 0) reasons.append(Object.assign(document.createElement('li'), { textContent: 'No failures.' }));
    drawChart(samples, r.total || 0);
    $('rollout-cancel').disabled = r.state !== 'running' || r.cancelRequested;
    await refreshRolloutDevices(id);
  }

  /** Done, succeeded and failed devices over time, one polyline each, 0..total on the y axis. */
  function drawChart(samples, total) {
    const svg = $('rollout-chart');
    const W = 600, H = 160, P = 24;
    svg.replaceChildren();
    const first = samples[0].at, span = Math.max(1, samples[samples.length - 1].at - first), top = Math.max(1, total);
    const x = (at) => P + ((at - first) / span) * (W - 2 * P);
    const y = (n) => H - P - (n / top) * (H - 2 * P);
    const axis = document.createElementNS(SVG, 'path');
    axis.setAttribute('d', 'M' + P + ' ' + P + 'V' + (H - P) + 'H' + (W - P));
    axis.setAttribute('stroke', '#888');
    axis.setAttribute('fill', 'none');
    svg.append(axis);
    const series = [['done', '#1b1b1b', done], ['succeeded', '#107c10', (c) => c.succeeded || 0], ['failed', '#a4262c', failed]];
    for (const [name, colour, value] of series) {
      const line = document.createElementNS(SVG, 'polyline');
      line.dataset.series = name;
      line.setAttribute('points', samples.map((s) => x(s.at).toFixed(1) + ',' + y(value(s.counters)).toFixed(1)).join(' '));
      line.setAttribute('stroke', colour);
      line.setAttribute('stroke-width', '2');
      line.setAttribute('fill', 'none');
      svg.append(line);
    }
    const last = samples[samples.length - 1].counters;
    const summary = 'Progress over ' + Math.round(span / 1000) + ' s (' + samples.length + ' samples): ' + done(last) + ' of ' + total
      + ' done, ' + (last.succeeded || 0) + ' succeeded, ' + failed(last) + ' failed.';
    svg.setAttribute('aria-label', summary);
    $('rollout-chart-summary').textContent = summary;
  }

  async function refreshRolloutDevices(id) {
    const state = $('rollout-device-state').value;
    const page = await call('GET', 'rollouts/' + encodeURIComponent(id) + '/devices?pageSize=100' + (state ? '&state=' + encodeURIComponent(state) : ''));
    const body = $('rollout-devices');
    body.replaceChildren();
    for (const d of page.devices) {
      const tr = document.createElement('tr');
      tr.dataset.deviceId = d.deviceId;
      tr.append(cell(d.deviceId), cell(d.wave), cell(d.state), cell(d.outcome), cell(d.instanceId), cell(d.startedAt));
      body.append(tr);
    }
    $('rollout-devices-more').hidden = page.continuationToken == null;
  }

  $('rollout-device-state').addEventListener('change', () => { if (rollouts.selected !== null) refreshAll(); });
  $('rollout-cancel').addEventListener('click', async () => {
    const id = rollouts.selected;
    $('rollout-cancel').disabled = true;
    try {
      await call('POST', 'rollouts/' + encodeURIComponent(id) + '/cancel');
      show('Cancel requested for rollout ' + id + ': queued devices will not start; devices in progress finish.', 'info');
      refreshAll();
    } catch (err) { show(err.message, 'error'); }
  });
  $('rollout-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const operation = $('rollout-operation').value;
    const deviceIds = $('rollout-devices-input').value.split(/[\s,]+/).filter((id) => id !== '');
    const body = { operation, target: { deviceIds } };
    const parameters = {};
    if (operation === 'firmwareUpdate') parameters.payload = { fwPackageUri: $('rollout-fw').value.trim() };
    if ($('rollout-poll').value.trim() !== '') parameters.pollIntervalSeconds = Number($('rollout-poll').value);
    if (Object.keys(parameters).length > 0) body.parameters = parameters;
    const waves = $('rollout-waves').value.split(/[\s,]+/).filter((w) => w !== '').map(Number);
    if (waves.length > 0) body.waves = waves;
    const rate = $('rollout-rate').value.trim();
    if (rate !== '') body.rate = { maxPerMinute: Number(rate) };
    try {
      const started = await call('POST', 'rollouts', body);
      show('Started rollout ' + started.rolloutId + ' on ' + started.total + ' device(s).', 'info');
      selectRollout(started.rolloutId);
    } catch (err) { show(err.message, 'error'); }
  });
`;
