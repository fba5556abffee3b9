// The operations page in real headless Chromium (Debian's chromium through playwright-core) against the local
// stack: it loads with the key, shows a running operation and counters that change, cancels an operation, and
// says clearly when the key is wrong. Waits are for page content (Playwright's auto-waiting) or for the API's
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
const DEVICES = { running: 'ui-never', done: 'ui-done' };

let stack: LocalStack;
let api: OperationsApi;
let browser: BrowserContext;
let userDataDir: string;


describe('operations page in headless Chromium', () => {
  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    stack = await startLocalStack({ deviceIds: Object.values(DEVICES), behaviours: { [DEVICES.running]: { kind: 'neverReturn' } }, rebootDurationMs: 300, log: 'silent' });
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
