// The console's line formats: one readable line per operation transition, function logs, host and emulator
// problems on stderr, JSON objects with --json, nothing with --quiet, and never a secret.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatEmulatorLine, formatHostEntry } from '../../../local/cli/consoleLog';
import type { HostLogEntry } from '../../../local/host';
import { operationEventLine } from '../../../src/telemetry/operationEvent';

const AT = new Date('2026-03-01T10:00:04.455Z');
const ids = { instanceId: 'reboot-sim-001-1', deviceId: 'sim-001', operation: 'reboot' };

function appEntry(message: string): HostLogEntry {
  return { level: 'information', category: 'user', functionName: 'rebootDevice', message };
}

describe('formatHostEntry, text', () => {
  const cases: Array<[string, string, string]> = [
    ['started', operationEventLine({ ...ids, transition: 'started' }), '10:00:04.455  reboot sim-001  started  [reboot-sim-001-1]'],
    ['method accepted', operationEventLine({ ...ids, transition: 'method-accepted', status: 200 }), '10:00:04.455  reboot sim-001  method accepted (200)  [reboot-sim-001-1]'],
    ['method refused', operationEventLine({ ...ids, transition: 'method-refused', status: 403, outcome: 'Rejected' }), '10:00:04.455  reboot sim-001  method refused (403) -> Rejected  [reboot-sim-001-1]'],
    ['device progress', operationEventLine({ ...ids, transition: 'progress', reported: 'rebooting', polls: 1 }), '10:00:04.455  reboot sim-001  device reports rebooting  [reboot-sim-001-1]'],
    ['outcome', operationEventLine({ ...ids, transition: 'completed', outcome: 'Succeeded', polls: 2 }), '10:00:04.455  reboot sim-001  -> Succeeded after 2 poll(s)  [reboot-sim-001-1]'],
    ['another operation kind', operationEventLine({ ...ids, operation: 'firmwareUpdate', transition: 'completed', outcome: 'Failed' }), '10:00:04.455  firmwareUpdate sim-001  -> Failed  [reboot-sim-001-1]'],
  ];
  for (const [name, message, expected] of cases) {
    test(name, () => assert.deepEqual(formatHostEntry(appEntry(message), 'text', AT), { stream: 'stdout', text: expected }));
  }

  test("a function's own log line, with its function name", () => {
    assert.deepEqual(formatHostEntry({ level: 'information', category: 'user', functionName: 'startReboot', message: 'Started reboot reboot-sim-001-1' }, 'text', AT),
      { stream: 'stdout', text: '10:00:04.455  user: [startReboot] Started reboot reboot-sim-001-1' });
  });

  test('a host error goes to stderr with its level', () => {
    assert.deepEqual(formatHostEntry({ level: 'error', category: 'http', message: 'POST /api/devices/sim-001/reboot answered 500' }, 'text', AT),
      { stream: 'stderr', text: '10:00:04.455  ERROR http: POST /api/devices/sim-001/reboot answered 500' });
  });

  test('host chatter and debug lines are not shown', () => {
    assert.equal(formatHostEntry({ level: 'information', category: 'host', message: 'Local host listening' }, 'text', AT), null);
    assert.equal(formatHostEntry({ level: 'debug', category: 'clock', message: 'Virtual clock skips 5 ms' }, 'text', AT), null);
    assert.equal(formatHostEntry({ level: 'debug', category: 'user', functionName: 'f', message: 'detail' }, 'text', AT), null);
  });

  test('JSON that is not an operation event is shown as the plain message', () => {
    const line = formatHostEntry(appEntry('{"event":"other","instanceId":"x"}'), 'text', AT);
    assert.equal(line?.text, '10:00:04.455  user: [rebootDevice] {"event":"other","instanceId":"x"}');
  });
});

describe('formatHostEntry, json', () => {
  test('an operation event becomes one JSON object with time and source', () => {
    const line = formatHostEntry(appEntry(operationEventLine({ ...ids, transition: 'completed', outcome: 'Rejected' })), 'json', AT);
    assert.equal(line?.stream, 'stdout');
    assert.deepEqual(JSON.parse(line!.text), { time: AT.toISOString(), source: 'app', event: 'operation', ...ids, transition: 'completed', outcome: 'Rejected' });
  });

  test('a host problem keeps level, category and function', () => {
    const line = formatHostEntry({ level: 'warning', category: 'http', functionName: 'f', message: 'GET /api/x answered 401' }, 'json', AT);
    assert.equal(line?.stream, 'stderr');
    assert.deepEqual(JSON.parse(line!.text), { time: AT.toISOString(), source: 'host', level: 'warning', category: 'http', function: 'f', message: 'GET /api/x answered 401' });
  });
});

describe('quiet and secrets', () => {
  test('--quiet prints nothing, not even errors', () => {
    assert.equal(formatHostEntry({ level: 'error', category: 'host', message: 'boom' }, 'quiet', AT), null);
    assert.equal(formatHostEntry(appEntry(operationEventLine({ ...ids, transition: 'started' })), 'quiet', AT), null);
    assert.equal(formatEmulatorLine('https: GET /twins/x answered 500 ServerError', 'quiet', AT), null);
  });

  for (const mode of ['text', 'json'] as const) {
    test(`keys are scrubbed (${mode})`, () => {
      const host = formatHostEntry({ level: 'error', category: 'host', message: 'GET /api/x?code=SECRETKEY1 failed; AccountKey=SECRETKEY2;' }, mode, AT);
      const hub = formatEmulatorLine('mqtt: refused CONNECT: SharedAccessKey=SECRETKEY3', mode, AT);
      for (const line of [host, hub]) assert.doesNotMatch(line?.text ?? '', /SECRETKEY/);
    });
  }
});

describe('formatEmulatorLine', () => {
  const cases: Array<[string, string, 'stdout' | 'stderr' | null]> = [
    ['an error it answered', 'https: GET /twins/sim-001 answered 500 ServerError', 'stderr'],
    ['refused credentials', 'https: POST /twins/sim-001/methods answered 401 IotHubUnauthorizedAccess', 'stderr'],
    ['a refused device connection', 'mqtt: refused CONNECT from "sim-009": bad key', 'stderr'],
    ['a device going away', 'mqtt: closing the connection of "sim-001": client disconnected', 'stdout'],
    ['its start line (in the banner already)', 'iothub emulator: https on 127.0.0.1:1, mqtts on 127.0.0.1:2', null],
  ];
  for (const [name, line, stream] of cases) {
    test(name, () => assert.equal(formatEmulatorLine(line, 'text', AT)?.stream ?? null, stream));
  }

  test('text and JSON shapes', () => {
    assert.equal(formatEmulatorLine('https: GET /x answered 503', 'text', AT)?.text, '10:00:04.455  WARNING iothub: https: GET /x answered 503');
    assert.deepEqual(JSON.parse(formatEmulatorLine('https: GET /x answered 503', 'json', AT)!.text),
      { time: AT.toISOString(), source: 'iothub', level: 'warning', message: 'https: GET /x answered 503' });
  });
});
