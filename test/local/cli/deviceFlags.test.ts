import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFlags, UsageError } from '../../../local/cli/args';
import { BEHAVIOUR_FLAGS, deviceBehaviours, deviceTags } from '../../../local/cli/deviceFlags';

const FLEET = ['sim-001', 'sim-002', 'sim-003', 'sim-004', 'sim-005'];

describe('device behaviour flags', () => {
  const cases: Array<[string, string, string]> = [
    ['--reject', 'reject', 'reject'],
    ['--offline', 'offline', 'offline'],
    ['--never-returns', 'never-returns', 'neverReturn'],
    ['--report-failure', 'report-failure', 'reportFailed'],
  ];
  for (const [name, flag, kind] of cases) {
    test(`${name} gives the listed devices the ${kind} behaviour`, () => {
      const behaviours = deviceBehaviours({ [flag]: 'sim-002, sim-004' }, FLEET);
      assert.deepEqual(Object.keys(behaviours).sort(), ['sim-002', 'sim-004']);
      assert.equal(behaviours['sim-002']?.kind, kind);
    });
  }

  test('a device outside the fleet, or given two behaviours, is a usage error', () => {
    assert.throws(() => deviceBehaviours({ reject: 'sim-009' }, FLEET), UsageError);
    assert.throws(() => deviceBehaviours({ reject: 'sim-002', offline: 'sim-002' }, FLEET), /already has a behaviour/);
  });

  test('--tags parses name=value pairs and refuses anything else', () => {
    assert.deepEqual(deviceTags('site=north, line=3'), { site: 'north', line: '3' });
    assert.equal(deviceTags(undefined), undefined);
    assert.throws(() => deviceTags('site'), UsageError);
  });

  test('switches take no value and default to off', () => {
    const spec = { ...BEHAVIOUR_FLAGS, quiet: { kind: 'bool', description: 'q' } } as const;
    assert.equal(parseFlags([], spec).quiet, false);
    assert.equal(parseFlags(['--quiet'], spec).quiet, true);
    assert.equal(parseFlags(['--quiet', '--reject', 'sim-001'], spec).reject, 'sim-001');
    assert.throws(() => parseFlags(['--quiet=yes'], spec), /takes no value/);
  });
});
