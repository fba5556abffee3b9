// The operations page in real headless Chromium (Debian's chromium through playwright-core) against the local
// stack: it loads with the key, shows a running operation and counters that change, cancels an operation, and
// says clearly when the key is wrong; a rollout started from the page shows its counters changing, samples its
// progress chart, filters its devices by state and is canceled from its view. Waits are for page content (Playwright's auto-waiting) or for the API's
// answer (following Retry-After), never for time. A screenshot is saved in dist/test-artifacts (git-ignored).
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { OperationsApi } from './support/operationsApi';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SCREENSHOT = path.resolve(__dirname, '..', '..', 'test-artifacts', 'operations-page.png');
const ROLLOUT_SCREENSHOT = path.resolve(__dirname, '..', '..', 'test-artifacts', 'operations-page-rollout.png');
const DEVICES = { running: 'ui-never', done: 'ui-done' };
const ROLLOUT_DEVICES = Array.from({ length: 8 }, (_, i) => `ui-ro-${i + 1}`);

let stack: LocalStack;
let api: OperationsApi;
let browser: BrowserContext;
let userDataDir: string;


describe('operations page in headless Chromium', () => {
  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    // One device per rollout batch, so a rollout's counters move one step at a time while the page watches.
    stack = await startLocalStack({ deviceIds: [...Object.values(DEVICES), ...ROLLOUT_DEVICES], behaviours: { [DEVICES.running]: { kind: 'neverReturn' } },
      rebootDurationMs: 300, env: { ROLLOUT_BATCH_SIZE: '1' }, log: 'silent' });
    api = new OperationsApi(stack);
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-page-chromium-'));
    // A new user-data-dir per run: no profile, cookies or storage from elsewhere.
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: FLAGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  test('loads with the key, shows a running operation and the counters change, cancels it', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/api/ui`);
    assert.equal(await page.title(), 'Device operations');
    await page.fill('#key', stack.functionKey);
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    assert.equal(await page.evaluate<number>('Object.keys(sessionStorage).length'), 1, 'the key is in sessionStorage');
    assert.equal(await page.evaluate<number>('localStorage.length'), 0, 'and not in localStorage');

    // A finished operation shows in the device history and its outcome in the counters.
    const done = await api.run('reboot', DEVICES.done);
    assert.equal(done.outcome, 'Succeeded');
    await page.fill('#history-device', DEVICES.done);
    await page.click('#history-form button[type=submit]');
    await page.waitForSelector(`#history tr[data-instance-id="${done.instanceId}"]`);
    await page.waitForSelector('#counters [data-outcome="Succeeded"] b:text-is("1")');

    // A running operation appears (live refresh), the Running counter goes up, and Cancel stops it.
    await page.waitForSelector('#counters [data-outcome="Running"] b:text-is("0")');
    const { body: running } = await api.accepted('reboot', DEVICES.running, { timeoutSeconds: 600 });
    const row = `#running tr[data-instance-id="${running.instanceId}"]`;
    await page.waitForSelector(row);
    await page.waitForSelector('#counters [data-outcome="Running"] b:text-is("1")');
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.click(`${row} button`);
    await page.waitForSelector('#message:has-text("Cancel requested")');
    const final = await api.follow(running.statusUrl);
    assert.equal(final.outcome, 'Canceled');
    await page.waitForSelector(row, { state: 'detached' });
    await page.waitForSelector('#counters [data-outcome="Running"] b:text-is("0")');
    assert.ok(fs.statSync(SCREENSHOT).size > 0);
  });

  test('a rollout started from the page: counters change live, the chart samples them, devices filter by state, Cancel stops it', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/api/ui`);
    await page.fill('#key', stack.functionKey);
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');

    await page.selectOption('#rollout-operation', 'reboot');
    await page.fill('#rollout-devices-input', ROLLOUT_DEVICES.join('\n'));
    // 20/min: one device every 3 s, so devices are still queued when Cancel is pressed (the window starts devices
    // at the paced rate without waiting for earlier ones).
    await page.fill('#rollout-rate', '20');
    await page.fill('#rollout-poll', '1');
    await page.click('#rollout-form button[type=submit]');
    const started = await page.waitForSelector('#message.info:has-text("Started rollout")');
    const rolloutId = /rollout-[0-9a-f]{32}/.exec((await started.textContent()) ?? '')![0];
    await page.waitForSelector(`#rollout-view[data-rollout-id="${rolloutId}"]:not([hidden])`);
    await page.waitForSelector(`#rollouts tr[data-rollout-id="${rolloutId}"]`);
    // Keyboard: the row's View button works with Enter and moves focus to the rollout's heading.
    await page.focus(`#rollouts tr[data-rollout-id="${rolloutId}"] button`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#rollout-title:focus');
    await page.waitForSelector('#rollout-facts [data-fact="Rate"]:text-is("20/min")');

    // The counters move while the page is open: succeeded leaves 0, then changes again (and queued goes down).
    // Devices finish together at the paced rate, so a refresh may see succeeded jump by more than one.
    const succeededCell = '#rollout-counters [data-state="succeeded"] b';
    await page.waitForSelector(`${succeededCell}:not(:text-is("0"))`);
    const first = Number(await page.textContent(succeededCell));
    assert.ok(first > 0 && first < ROLLOUT_DEVICES.length, `the first change is not the end (${first})`);
    await page.waitForSelector(`${succeededCell}:not(:text-is("0")):not(:text-is("${first}"))`);
    assert.ok(Number(await page.textContent(succeededCell)) > first, 'succeeded only grows');
    const queued = Number(await page.textContent('#rollout-counters [data-state="queued"] b'));
    assert.ok(queued < ROLLOUT_DEVICES.length, `queued went down (${queued})`);
    const points = await page.getAttribute('#rollout-chart polyline[data-series="succeeded"]', 'points');
    assert.ok((points ?? '').trim().split(' ').length >= 2, 'the chart has one point per refresh');
    assert.match(await page.getAttribute('#rollout-chart', 'aria-label') ?? '', /succeeded/);

    // The device list filtered by state shows only succeeded devices.
    await page.selectOption('#rollout-device-state', 'succeeded');
    await page.waitForSelector('#rollout-devices td:nth-child(3):not(:text-is("succeeded"))', { state: 'detached' });
    await page.waitForSelector('#rollout-devices tr:nth-child(2)');
    const states = await page.locator('#rollout-devices td:nth-child(3)').allTextContents();
    assert.ok(states.length >= 2 && states.every((state) => state === 'succeeded'), states.join());
    fs.mkdirSync(path.dirname(ROLLOUT_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: ROLLOUT_SCREENSHOT, fullPage: true });

    // Cancel: queued devices never start; the view ends canceled, with the rest counted canceled.
    await page.click('#rollout-cancel');
    await page.waitForSelector('#message.info:has-text("Cancel requested for rollout")');
    await page.waitForSelector(`#rollout-view[data-state="canceled"]`);
    const canceled = Number(await page.textContent('#rollout-counters [data-state="canceled"] b'));
    const succeeded = Number(await page.textContent('#rollout-counters [data-state="succeeded"] b'));
    assert.ok(canceled > 0 && succeeded + canceled === ROLLOUT_DEVICES.length, `succeeded ${succeeded} + canceled ${canceled}`);
    await page.waitForSelector(`#rollouts tr[data-rollout-id="${rolloutId}"] td:nth-child(3):text-is("canceled")`);
    assert.ok(fs.statSync(ROLLOUT_SCREENSHOT).size > 0);
  });

  test('a wrong key is reported clearly and not kept', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/api/ui`);
    await page.evaluate('sessionStorage.clear()');
    await page.fill('#key', 'not-the-key');
    await page.click('#key-form button[type=submit]');
    const message = await page.waitForSelector('#message.error:has-text("function key was refused")');
    assert.match((await message.textContent()) ?? '', /HTTP 401/);
    assert.equal(await page.isHidden('#app'), true);
    assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
  });
});
