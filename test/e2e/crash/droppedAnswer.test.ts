// Issue 8, crash test (c): the hub delivers the method, then the connection carrying its answer is reset (a
// TLS-terminating proxy between the app and the hub drops the answer of each device's first call; the device is
// disarmed the moment it has the method, so its later requests and the twin reads pass). Each device must receive
// the method exactly once, and the outcome must be right or explicitly uncertain. CRASH_OPERATION / CRASH_DEVICES
// as in the kill tests.
import { test } from 'node:test';
import { checkInvariants } from '../../support/crash/invariants';
import { runScenario, scenarioOptions } from '../../support/crash/scenario';

const options = scenarioOptions('dropAnswer');

test(`the hub's answer is lost after delivery for ${options.deviceCount} '${options.operation}' calls`,
  { timeout: 360_000 }, async (t) => {
    const result = await runScenario(options);
    await checkInvariants(t, result);
  });
