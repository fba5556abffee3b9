// The operations page's HTML (GET /api/ui): plain HTML, no build step. Its script is served separately
// (operationsPageScript.ts) so the Content-Security-Policy can forbid inline scripts. The page holds no key: it
// asks for the function key and keeps it in sessionStorage only.
export const OPERATIONS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Device operations</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
  h1 { font-size: 1.4rem; margin: 0 0 1rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; }
  th { background: #f3f3f3; } form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
  .banner { padding: .6rem .8rem; border-radius: 4px; margin: .5rem 0; } .error { background: #fde7e9; color: #a4262c; } .info { background: #e6f2fb; }
  .counters { display: flex; gap: .75rem; flex-wrap: wrap; } .counter { border: 1px solid #ddd; border-radius: 4px; padding: .4rem .7rem; min-width: 6rem; }
  .counter b { display: block; font-size: 1.3rem; } .muted { color: #666; } [hidden] { display: none !important; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; } dl.facts dt { color: #666; } dl.facts dd { margin: 0; }
  svg.chart { width: 100%; max-width: 600px; height: auto; border: 1px solid #ddd; border-radius: 4px; }
  :focus-visible { outline: 2px solid #0063b1; outline-offset: 2px; }
</style>
</head>
<body>
<h1>Device operations</h1>
<form id="key-form" autocomplete="off">
  <label for="key">Function key</label>
  <input id="key" name="key" type="password" size="40" required>
  <button type="submit">Use key</button>
  <button type="button" id="forget-key">Forget key</button>
  <span id="key-state" class="muted"></span>
</form>
<div id="message" class="banner" role="alert" hidden></div>
<main id="app" hidden>
  <section id="section-counters"><h2>Counters by outcome</h2><div id="counters" class="counters"></div>
    <p class="muted" id="counters-note"></p></section>
  <section id="section-running"><h2>Running operations</h2>
    <table><thead><tr><th>Operation</th><th>Device</th><th>Kind</th><th>State</th><th>Phase / step</th><th>Requested</th><th></th></tr></thead>
    <tbody id="running"></tbody></table><p class="muted" id="running-empty">None.</p></section>
  <section id="section-start"><h2>Start an operation</h2>
    <form id="start-form">
      <label for="start-device" class="sr-only">Device id</label><input id="start-device" placeholder="device id" required>
      <label for="start-kind" class="sr-only">Operation</label>
      <select id="start-kind"><option>reboot</option><option>factoryReset</option><option>firmwareUpdate</option></select>
      <label for="start-fw" class="sr-only">Firmware package URL</label><input id="start-fw" placeholder="firmware https URL (firmwareUpdate)" size="40">
      <button type="submit">Start</button>
    </form></section>
  <section id="section-history"><h2>Device history</h2>
    <form id="history-form"><label for="history-device" class="sr-only">Device id</label><input id="history-device" placeholder="device id" required><button type="submit">Show</button></form>
    <table><thead><tr><th>Operation</th><th>Kind</th><th>Phase</th><th>Outcome</th><th>Delivery</th><th>Requested</th><th>Duration</th></tr></thead>
    <tbody id="history"></tbody></table></section>
  <section id="section-rollouts" aria-labelledby="rollouts-heading"><h2 id="rollouts-heading">Rollouts</h2>
    <table><caption class="sr-only">Running rollouts</caption>
    <thead><tr><th scope="col">Rollout</th><th scope="col">Operation</th><th scope="col">State</th><th scope="col">Done</th><th scope="col">Started</th><th scope="col"></th></tr></thead>
    <tbody id="rollouts"></tbody></table><p class="muted" id="rollouts-empty">No rollout is running.</p>
    <div id="rollout-view" hidden>
      <h3 id="rollout-title" tabindex="-1"></h3>
      <dl id="rollout-facts" class="facts"></dl>
      <button type="button" id="rollout-cancel">Cancel rollout</button>
      <h4>Devices by state</h4><div id="rollout-counters" class="counters" role="status" aria-live="polite"></div>
      <h4>Failures by reason</h4><ul id="rollout-failures"></ul>
      <h4>Progress over time</h4>
      <svg id="rollout-chart" class="chart" role="img" viewBox="0 0 600 160" aria-label="Progress chart"></svg>
      <p class="muted"><span id="rollout-chart-summary"></span> Black: done, green: succeeded, red: failed; sampled at each refresh while this tab is open.</p>
      <h4>Devices</h4>
      <label for="rollout-device-state">Show devices in state</label>
      <select id="rollout-device-state"><option value="">all</option><option>queued</option><option>inProgress</option><option>succeeded</option>
        <option>failed</option><option>timedOut</option><option>rejected</option><option>offline</option><option>notFound</option>
        <option>canceled</option><option>busy</option><option>unconfirmed</option></select>
      <table><caption class="sr-only">Devices of the rollout</caption>
      <thead><tr><th scope="col">Device</th><th scope="col">Wave</th><th scope="col">State</th><th scope="col">Outcome</th><th scope="col">Operation</th><th scope="col">Started</th></tr></thead>
      <tbody id="rollout-devices"></tbody></table><p class="muted" id="rollout-devices-more" hidden>First 100 shown.</p>
    </div>
    <h3>Start a rollout</h3>
    <form id="rollout-form">
      <label for="rollout-operation">Operation</label>
      <select id="rollout-operation"><option>reboot</option><option>factoryReset</option><option>firmwareUpdate</option></select>
      <label for="rollout-devices-input">Device ids</label>
      <textarea id="rollout-devices-input" rows="2" cols="40" required placeholder="ids separated by spaces, commas or lines"></textarea>
      <label for="rollout-waves">Waves (%)</label><input id="rollout-waves" size="10" placeholder="e.g. 10, 50">
      <label for="rollout-rate">Max devices per minute</label><input id="rollout-rate" type="number" min="1" size="6">
      <label for="rollout-poll">Poll interval (s)</label><input id="rollout-poll" type="number" min="1" size="4">
      <label for="rollout-fw">Firmware package URL</label><input id="rollout-fw" size="30" placeholder="firmwareUpdate only">
      <button type="submit">Start rollout</button>
    </form></section>
</main>
<p class="muted">Refreshes every <span id="refresh-seconds"></span> s.</p>
<script src="ui/app.js"></script>
</body>
</html>
`;
