// Unit tests of the transport-independent device program (power states, one operation at a time, stop)
// over a fake link; the real transports are exercised against the emulator in the other files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { createStackClock } from '../../../local/clock/index.js';
import { DeviceProgram, type DeviceLink, type DeviceLinkHooks, type DeviceProgramOptions, type MethodAnswer } from '../../../local/devices/index.js';
import { elementAt } from '../../support/elementAt';

/** Emits `open` and `close` when the device connects and disconnects. */
class FakeLink extends EventEmitter implements DeviceLink {
  readonly transport = 'virtual' as const;
  isOpen = false;
  opens = 0;
  closes = 0;
  failNextOpens = 0;
  readonly reported: Record<string, unknown>[] = [];
  constructor(readonly hooks: DeviceLinkHooks) {
    super();
  }
  async open(): Promise<void> {
    this.opens++;
    if (this.failNextOpens > 0) {
      this.failNextOpens--;
      throw new Error('connection refused');
    }
    this.isOpen = true;
    this.emit('open');
  }
  async close(): Promise<void> {
    if (this.isOpen) {
      this.closes++;
      this.isOpen = false;
      this.emit('close');
    }
  }
  async reportProperties(patch: Record<string, unknown>): Promise<void> {
    if (!this.isOpen) throw new Error('not connected');
    this.reported.push(patch);
  }
  /** Delivers a method and resolves with the device's answer. */
  invoke(methodName: string, payload: unknown = null): Promise<{ status: number; payload: unknown }> {
    return new Promise((resolve) => {
      const answer: MethodAnswer = async (status, p) => resolve({ status, payload: p });
      this.hooks.onMethod(methodName, payload, answer);
    });
  }
  drop(): void {
    this.isOpen = false;
    this.hooks.onConnectionLost(new Error('socket hang up'));
  }
}

function device(options: Partial<DeviceProgramOptions> = {}): { program: DeviceProgram; link: FakeLink } {
  let link!: FakeLink;
  const program = new DeviceProgram({ deviceId: 'unit-1', timings: { rebootDurationMs: 30 }, ...options }, (hooks) => (link = new FakeLink(hooks)));
  return { program, link };
}


test('a normal reboot leaves the device up with the rebooting and completed reports recorded', async () => {
  const { program, link } = device();
  await program.start();
  assert.equal(program.powerState, 'up');
  assert.deepEqual(await link.invoke('reboot'), { status: 200, payload: 'Reboot started' });
  assert.equal(program.currentOperation, 'reboot');
  await program.whenIdle();
  assert.equal(program.powerState, 'up');
  assert.equal(link.opens, 2);
  assert.equal(link.closes, 1);
  const statuses = program.reports.map((r) => ((r.patch.iothubDM as Record<string, Record<string, unknown>>).reboot)?.status);
  assert.deepEqual(statuses, ['rebooting', 'completed']);
  await program.stop();
});

test('a second method during a running operation is answered 409 with the operation name', async () => {
  const { program, link } = device({ timings: { rebootDurationMs: 200 } });
  await program.start();
  await link.invoke('reboot');
  const second = await link.invoke('firmwareUpdate', { fwPackageUri: 'https://secureurl' });
  assert.deepEqual(second, { status: 409, payload: { message: 'Another device management operation is in progress', operation: 'reboot' } });
  await program.stop();
});

test('neverReturn leaves the device dead; a later non-offline behaviour powers it on again', async () => {
  const { program, link } = device({ behaviour: { kind: 'neverReturn' } });
  await program.start();
  await link.invoke('reboot');
  await program.whenIdle();
  assert.equal(program.powerState, 'dead');
  assert.equal(link.isOpen, false);
  await program.setBehaviour({ kind: 'normal' });
  assert.equal(program.powerState, 'up');
  assert.equal(link.isOpen, true);
  await program.stop();
});

test('offline: start() does not connect; setBehaviour(offline) disconnects a running device', async () => {
  const off = device({ behaviour: { kind: 'offline' } });
  await off.program.start();
  assert.equal(off.link.opens, 0);
  assert.equal(off.program.powerState, 'off');

  const { program, link } = device();
  await program.start();
  await program.setBehaviour({ kind: 'offline' });
  assert.equal(link.isOpen, false);
  assert.equal(program.powerState, 'off');
  await program.stop();
  await off.program.stop();
});

test('start() rejects when the first connection fails and leaves the device off', async () => {
  const { program, link } = device();
  link.failNextOpens = 1;
  await assert.rejects(program.start(), /connection refused/);
  assert.equal(program.powerState, 'off');
  await program.stop();
});

test('a dropped connection is re-established by the device itself, with retries', async () => {
  // On the virtual clock the backoffs between attempts (100 ms, 200 ms) are skipped: nothing is in flight then.
  const clock = createStackClock('virtual');
  const { program, link } = device({ clock });
  await program.start();
  link.failNextOpens = 2;
  const before = clock.now();
  const reopened = once(link, 'open');
  link.drop();
  await reopened;
  assert.equal(link.opens, 4); // first open, two refused, one accepted
  assert.ok(clock.now() - before >= 300, 'two backoffs passed on the device clock');
  // Once the link is open the connect loop marks the device up in the same turn of promises.
  await program.whenIdle();
  assert.equal(program.powerState, 'up');
  await program.stop();
  clock.dispose();
});

test('a reboot lasts rebootDurationMs on the device clock, not on the wall clock', async () => {
  // On the virtual clock the minute the device is down is skipped: nothing is in flight while it sleeps.
  const clock = createStackClock('virtual');
  const { program, link } = device({ clock, timings: { rebootDurationMs: 60_000 } });
  await program.start();
  const wall = Date.now();
  const down = once(link, 'close').then(() => program.powerState);
  await link.invoke('reboot');
  assert.equal(await down, 'restarting');
  await program.whenIdle();
  assert.ok(Date.now() - wall < 10_000, `took ${Date.now() - wall} ms of wall time`);
  assert.equal(link.isOpen, true);
  const statuses = link.reported.map((p) => (p.iothubDM as { reboot?: { status?: string } }).reboot?.status);
  assert.deepEqual(statuses, ['rebooting', 'completed']);
  assert.equal(program.reports.length, 2);
  assert.ok(Date.parse(program.reports[1]!.at) - Date.parse(program.reports[0]!.at) >= 60_000, 'reported times follow the device clock');
  await program.stop();
  clock.dispose();
});

test('stop() during a reboot ends the sequence: the device does not come back', async () => {
  const { program, link } = device({ timings: { rebootDurationMs: 10_000 } });
  await program.start();
  const down = once(link, 'close');
  await link.invoke('reboot');
  await down;
  assert.equal(program.powerState, 'restarting');
  await program.stop();
  assert.equal(program.powerState, 'stopped');
  assert.equal(program.currentOperation, undefined);
  assert.equal(link.isOpen, false);
  assert.equal(link.opens, 1);
  await assert.rejects(program.start(), /was stopped/);
});

test('reported timestamps follow the device clock offset', async () => {
  const { program, link } = device({ clockOffsetMs: -3_600_000 });
  await program.start();
  const before = Date.now();
  await link.invoke('reboot');
  await program.whenIdle();
  const started = Date.parse(String(((elementAt(link.reported, 0).iothubDM as Record<string, Record<string, unknown>>).reboot)?.startedRebootTime));
  assert.ok(started <= before - 3_500_000, `startedRebootTime ${new Date(started).toISOString()} is an hour behind`);
  await program.stop();
});
