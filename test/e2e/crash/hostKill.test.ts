// Issue 8, crash test (a): kill -9 of the whole local Functions host while direct-method calls are in flight,
// then a new host on the same Azurite storage. Every accepted operation must end, each device must have received
// its method exactly once, outcomes must be right (or explicitly uncertain), one history row per operation.
// The operation kind comes from CRASH_OPERATION (reboot | factoryReset | firmwareUpdate; default reboot) and the
// fleet size from CRASH_DEVICES (default 50).
import { test } from 'node:test';
import { checkInvariants } from '../../support/crash/invariants';
import { runScenario, scenarioOptions } from '../../support/crash/scenario';

const options = scenarioOptions('killHost');

test(`kill -9 of the host while ${options.deviceCount} '${options.operation}' calls are in flight, then a restart on the same storage`,
  { timeout: 360_000 }, async (t) => {
    const result = await runScenario(options);
    await checkInvariants(t, result);
  });
