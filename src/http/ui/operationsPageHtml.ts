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
      <input id="start-device" placeholder="device id" required>
      <select id="start-kind"><option>reboot</option><option>factoryReset</option><option>firmwareUpdate</option></select>
      <input id="start-fw" placeholder="firmware https URL (firmwareUpdate)" size="40">
      <button type="submit">Start</button>
    </form></section>
  <section id="section-history"><h2>Device history</h2>
    <form id="history-form"><input id="history-device" placeholder="device id" required><button type="submit">Show</button></form>
    <table><thead><tr><th>Operation</th><th>Kind</th><th>Phase</th><th>Outcome</th><th>Delivery</th><th>Requested</th><th>Duration</th></tr></thead>
    <tbody id="history"></tbody></table></section>
</main>
<p class="muted">Refreshes every <span id="refresh-seconds"></span> s. Rollouts will appear here as a section of their own.</p>
<script src="ui/app.js"></script>
</body>
</html>
`;
