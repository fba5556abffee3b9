// Control for the crash tests: the same harness (host in its own process, Azurite on disk, slow MQTT devices,
// the proxy in the path but never armed) with no crash at all. Every property the crash tests check must hold
// here, on the current code too; if this fails, the harness is wrong, not the app.
import { test } from 'node:test';
import { checkInvariants } from '../../support/crash/invariants';
import { runScenario, scenarioOptions } from '../../support/crash/scenario';

const options = scenarioOptions('none', { deviceCount: 8, viaProxy: true });

test(`control: ${options.deviceCount} '${options.operation}' operations through the harness and the disarmed proxy, no crash`,
  { timeout: 180_000 }, async (t) => {
    const result = await runScenario(options);
    await checkInvariants(t, result);
  });
