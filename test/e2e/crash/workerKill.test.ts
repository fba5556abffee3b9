// Issue 8, crash test (b): kill -9 of the language worker only (the host restarts it) while direct-method calls
// are in flight. Same properties as the host kill: every operation ends, exactly one delivery per device, right
// (or explicitly uncertain) outcomes, one history row per operation. CRASH_OPERATION / CRASH_DEVICES as there.
import { test } from 'node:test';
import { checkInvariants } from '../../support/crash/invariants';
import { runScenario, scenarioOptions } from '../../support/crash/scenario';

const options = scenarioOptions('killWorker');

test(`kill -9 of the language worker while ${options.deviceCount} '${options.operation}' calls are in flight`,
  { timeout: 360_000 }, async (t) => {
    const result = await runScenario(options);
    await checkInvariants(t, result);
  });
