// The pure judges of every operation kind: one reading of the reported section (values + the hub's $metadata
// times) against the hub-clock reference time `since` (when the method was sent). Device-written times never count.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FACTORY_RESET } from '../../../src/domain/operations/factoryReset';
import { FIRMWARE_UPDATE, judgeFirmwareUpdate, MAX_FW_PACKAGE_URI_LENGTH, requireFirmwarePackage } from '../../../src/domain/operations/firmwareUpdate';
import { REBOOT } from '../../../src/domain/operations/reboot';
import { allOperations, operationDefinition, OPERATIONS } from '../../../src/domain/operations/registry';
import type { Verdict } from '../../../src/domain/operations/verdict';
import { OPERATION_KINDS } from '../../../src/domain/operations/operationKind';
import { SectionReading, SECTION_TIME, type ReportedSection } from '../../../src/domain/reportedSection';
import { RequestError } from '../../../src/domain/requestError';

const SINCE = '2025-05-01T12:00:00.000Z';
const BEFORE = '2025-05-01T11:59:59.000Z';
const AFTER = '2025-05-01T12:00:05.000Z';
const LATER = '2025-05-01T12:00:09.000Z';

/** A section whose every field was written at `at` (or per field when `at` is an object). */
function reading(values: Record<string, unknown> | null, at: string | Record<string, string>, extra: Partial<ReportedSection> = {}): SectionReading {
  const lastUpdated: Record<string, string> = {};
  if (values !== null) {
    for (const key of Object.keys(values)) {
      const time = typeof at === 'string' ? at : at[key];
      if (time !== undefined) lastUpdated[key] = time;
    }
    if (typeof at !== 'string' && at[SECTION_TIME] !== undefined) lastUpdated[SECTION_TIME] = at[SECTION_TIME];
  }
  return new SectionReading({ values, lastUpdated, connectionState: 'Connected', connectionStateUpdatedTime: null, reportedVersion: 1, ...extra }, SINCE);
}

interface Case { name: string; reading: SectionReading; expect: Partial<Verdict> & { state: Verdict['state'] } }

async function table(t: { test: (name: string, fn: () => void) => Promise<void> }, judge: (r: SectionReading) => Verdict, cases: Case[]): Promise<void> {
  for (const c of cases) {
    await t.test(c.name, () => {
      const verdict = judge(c.reading);
      for (const [key, value] of Object.entries(c.expect)) assert.deepEqual(verdict[key as keyof Verdict], value, `${key} of ${JSON.stringify(verdict)}`);
    });
  }
}

test('the registry: one definition per kind with its section, method-name setting and default method name', () => {
  assert.deepEqual(allOperations().map((d) => d.kind), [...OPERATION_KINDS]);
  assert.deepEqual(allOperations().map((d) => [d.section, d.defaultMethodName, d.methodNameSetting]), [
    ['reboot', 'reboot', 'REBOOT_METHOD_NAME'],
    ['factoryReset', 'factoryReset', 'FACTORY_RESET_METHOD_NAME'],
    ['firmwareUpdate', 'firmwareUpdate', 'FIRMWARE_UPDATE_METHOD_NAME'],
  ]);
  for (const kind of OPERATION_KINDS) assert.equal(operationDefinition(kind), OPERATIONS[kind]);
  assert.ok(Object.isFrozen(OPERATIONS) && Object.isFrozen(REBOOT));
  assert.equal(REBOOT.payloadRule, undefined);
  assert.equal(FACTORY_RESET.payloadRule, undefined);
  assert.equal(FIRMWARE_UPDATE.payloadRule, requireFirmwarePackage);
});

for (const [definition, completedField, startedField] of [[REBOOT, 'lastReboot', 'startedRebootTime'], [FACTORY_RESET, 'lastFactoryReset', 'startedFactoryResetTime']] as const) {
  test(`${definition.kind}: our status schema, the tutorial's ${completedField}, the SDK sample's ${startedField} + reconnect`, async (t) => {
    const where = `iothubDM.${definition.section}`;
    await table(t, definition.judge, [
      { name: 'fresh status completed', reading: reading({ status: 'completed', [completedField]: '1999-01-01T00:00:00Z' }, AFTER),
        expect: { state: 'completed', reportedAt: AFTER, step: 'completed', evidence: `${where}.status is completed` } },
      { name: 'status compared case-insensitively, raw kept as the step', reading: reading({ status: 'Completed' }, AFTER), expect: { state: 'completed', step: 'Completed' } },
      { name: 'fresh status failed with a fresh reason', reading: reading({ status: 'failed', reason: 'watchdog' }, AFTER),
        expect: { state: 'failed', reason: 'watchdog', reportedAt: AFTER } },
      { name: 'fresh failed, stale reason (a previous failure\'s)', reading: reading({ status: 'failed', reason: 'old' }, { status: AFTER, reason: BEFORE }),
        expect: { state: 'failed', reason: null } },
      { name: 'in-progress status is authoritative over a fresh completion field', reading: reading({ status: 'restarting', [completedField]: 'x' }, AFTER),
        expect: { state: 'pending', acted: true, waitingFor: 'completion', step: 'restarting' } },
      { name: 'a report stored exactly at since counts (>=)', reading: reading({ status: 'completed' }, SINCE), expect: { state: 'completed' } },
      { name: 'stale status completed (a previous operation), whatever the device clock says',
        reading: reading({ status: 'completed', [completedField]: '2099-01-01T00:00:00Z' }, BEFORE),
        expect: { state: 'pending', acted: false, waitingFor: 'report', step: null } },
      { name: `tutorial: fresh ${completedField}`, reading: reading({ [completedField]: 'device time' }, AFTER),
        expect: { state: 'completed', reportedAt: AFTER, step: null, evidence: `${where}.${completedField} was reported` } },
      { name: `tutorial: stale ${completedField}`, reading: reading({ [completedField]: 'device time' }, BEFORE), expect: { state: 'pending', acted: false } },
      { name: `sample: fresh ${startedField}, connection time unknown`, reading: reading({ [startedField]: 'device time' }, AFTER),
        expect: { state: 'pending', acted: true, waitingFor: 'reconnect' } },
      { name: `sample: fresh ${startedField}, reconnected after it`,
        reading: reading({ [startedField]: 'device time' }, AFTER, { connectionStateUpdatedTime: LATER }),
        expect: { state: 'completed', reportedAt: LATER, evidence: `device reconnected after ${where}.${startedField}` } },
      { name: `sample: connected since before ${startedField} (never went away)`,
        reading: reading({ [startedField]: 'device time' }, AFTER, { connectionStateUpdatedTime: BEFORE }), expect: { state: 'pending', waitingFor: 'reconnect' } },
      { name: `sample: disconnected after ${startedField} (still away)`,
        reading: reading({ [startedField]: 'device time' }, AFTER, { connectionState: 'Disconnected', connectionStateUpdatedTime: LATER }),
        expect: { state: 'pending', waitingFor: 'reconnect' } },
      { name: 'no section at all', reading: reading(null, AFTER), expect: { state: 'pending', acted: false, waitingFor: 'report' } },
      { name: 'no section, but the connection changed since: the device acted', reading: reading(null, AFTER, { connectionStateUpdatedTime: AFTER }),
        expect: { state: 'pending', acted: true, waitingFor: 'report' } },
      { name: 'an unrelated fresh field: the device acted, no verdict', reading: reading({ note: 'hello' }, AFTER), expect: { state: 'pending', acted: true, waitingFor: 'report' } },
      { name: 'no $metadata to judge by: never fresh', reading: reading({ status: 'completed' }, {}), expect: { state: 'pending', acted: false } },
      { name: "the section's own $lastUpdated stands in for a field without one", reading: reading({ status: 'completed' }, { [SECTION_TIME]: AFTER }),
        expect: { state: 'completed' } },
    ]);
  });

  test(`${definition.kind}: a connection-time read is asked for only when the verdict waits for it`, () => {
    assert.equal(definition.needsConnectionTime(reading({ [startedField]: 'x' }, AFTER)), true);
    assert.equal(definition.needsConnectionTime(reading({ [startedField]: 'x' }, AFTER, { connectionStateUpdatedTime: BEFORE })), false, 'already known');
    assert.equal(definition.needsConnectionTime(reading({ [startedField]: 'x' }, AFTER, { connectionState: 'Disconnected' })), false, 'away: nothing to ask yet');
    assert.equal(definition.needsConnectionTime(reading({ status: 'completed' }, AFTER)), false);
    assert.equal(definition.needsConnectionTime(reading(null, AFTER)), false);
  });
}

test("the kinds read their own fields only: a reboot's lastReboot does not complete a factory reset", () => {
  assert.equal(FACTORY_RESET.judge(reading({ lastReboot: 'x' }, AFTER)).state, 'pending');
  assert.equal(REBOOT.judge(reading({ lastFactoryReset: 'x' }, AFTER)).state, 'pending');
  assert.equal(REBOOT.judge(reading({ lastFirmwareUpdate: 'x' }, AFTER)).state, 'pending');
});

test('firmwareUpdate: every status of the Microsoft sample, ours, and the version the device reports', async (t) => {
  await table(t, judgeFirmwareUpdate, [
    ...['downloading', 'download complete', 'applying', 'Applying', 'waiting'].map((status): Case => ({
      name: `in progress: ${status}`, reading: reading({ status }, AFTER),
      expect: { state: 'pending', acted: true, waitingFor: 'completion', step: status, evidence: `iothubDM.firmwareUpdate.status is ${JSON.stringify(status)}` },
    })),
    ...['apply firmware image complete', 'Apply Firmware Image Complete', 'completed'].map((status): Case => ({
      name: `completed: ${status}`, reading: reading({ status }, AFTER), expect: { state: 'completed', step: status, reportedAt: AFTER },
    })),
    { name: 'Download image failed with a fresh reason', reading: reading({ status: 'Download image failed', reason: 'HTTP 404 from the image server' }, AFTER),
      expect: { state: 'failed', step: 'Download image failed', reason: 'HTTP 404 from the image server' } },
    { name: 'Apply image failed without a reason: the status is the reason', reading: reading({ status: 'Apply image failed' }, AFTER),
      expect: { state: 'failed', step: 'Apply image failed', reason: 'Apply image failed' } },
    { name: 'failed with a stale reason: the status is the reason', reading: reading({ status: 'failed', reason: 'old' }, { status: AFTER, reason: BEFORE }),
      expect: { state: 'failed', reason: 'failed' } },
    { name: 'a stale completion (the previous update) is not this one', reading: reading({ status: 'apply firmware image complete' }, BEFORE),
      expect: { state: 'pending', acted: false, waitingFor: 'report', step: null } },
    { name: 'lastFirmwareUpdate reported (no status)', reading: reading({ lastFirmwareUpdate: 'device time', fwVersion: '2.0.0' }, AFTER),
      expect: { state: 'completed', step: null, firmwareVersion: '2.0.0', evidence: 'iothubDM.firmwareUpdate.lastFirmwareUpdate was reported' } },
    { name: 'nothing reported', reading: reading(null, AFTER), expect: { state: 'pending', acted: false, waitingFor: 'report' } },
    { name: 'a status that is not a string is no status', reading: reading({ status: 3 }, AFTER), expect: { state: 'pending', acted: true, waitingFor: 'report' } },
  ]);
  await t.test('firmware version: firmwareVersion, then fwVersion, currentFwVersion, version', () => {
    const done = (values: Record<string, unknown>): Verdict => judgeFirmwareUpdate(reading({ status: 'apply firmware image complete', ...values }, AFTER));
    const version = (v: Verdict): string | undefined => (v.state === 'completed' ? v.firmwareVersion : 'not completed');
    assert.equal(version(done({ version: '4', currentFwVersion: '3', fwVersion: '2', firmwareVersion: '1' })), '1');
    assert.equal(version(done({ version: '4', currentFwVersion: '3', fwVersion: '2' })), '2');
    assert.equal(version(done({ version: '4', currentFwVersion: '3' })), '3');
    assert.equal(version(done({ version: '4' })), '4');
    assert.equal(version(done({})), undefined);
    assert.equal('firmwareVersion' in done({}), false, 'absent, not undefined-valued');
    assert.equal(version(done({ firmwareVersion: '', fwVersion: 7, currentFwVersion: 'x'.repeat(129), version: '1.2.3' })), '1.2.3', 'empty, non-string and over-long values are skipped');
  });
  await t.test('never needs the connection time', () => {
    assert.equal(FIRMWARE_UPDATE.needsConnectionTime(reading({ startedRebootTime: 'x' }, AFTER)), false);
  });
});

test('firmwareUpdate payload rule: an https fwPackageUri of at most 2048 characters without user info', async (t) => {
  const ok = ['https://fw.example.com/image.bin', 'https://fw.example.com:8443/a/b?sig=x&se=1#frag', `https://h.example/${'a'.repeat(MAX_FW_PACKAGE_URI_LENGTH - 18)}`];
  for (const uri of ok) {
    await t.test(`accepted: ${uri.slice(0, 50)}`, () => {
      const payload = { fwPackageUri: uri, extra: 1 };
      assert.equal(requireFirmwarePackage(payload), payload, 'the payload goes to the device as given');
    });
  }
  const bad: [string, unknown][] = [
    ['no payload', null], ['a string payload', 'https://x'], ['an array', [{ fwPackageUri: 'https://x' }]], ['no fwPackageUri', {}],
    ['empty fwPackageUri', { fwPackageUri: '' }], ['a number', { fwPackageUri: 42 }], ['http', { fwPackageUri: 'http://fw.example.com/i.bin' }],
    ['ftp', { fwPackageUri: 'ftp://fw.example.com/i.bin' }], ['file', { fwPackageUri: 'file:///etc/passwd' }], ['relative', { fwPackageUri: '/image.bin' }],
    ['user and password', { fwPackageUri: 'https://user:secret@fw.example.com/i.bin' }], ['user only', { fwPackageUri: 'https://user@fw.example.com/i.bin' }],
    ['too long', { fwPackageUri: `https://h.example/${'a'.repeat(MAX_FW_PACKAGE_URI_LENGTH)}` }], ['javascript', { fwPackageUri: 'javascript:alert(1)' }],
  ];
  for (const [name, payload] of bad) {
    await t.test(`refused: ${name}`, () => {
      assert.throws(() => requireFirmwarePackage(payload), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.problem, 'invalid');
        assert.equal(err.target, 'payload.fwPackageUri');
        assert.ok(!err.message.includes('secret'), 'never echoes the URI');
        return true;
      });
    });
  }
});
