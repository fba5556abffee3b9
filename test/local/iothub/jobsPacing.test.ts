// Jobs under the S1 quota: a job reaches its devices no faster than the documented "jobs device operations" throttle
// (10/s on S1, iot-hub-devguide-quotas-throttling.md), one job runs at a time (429004 for a second), and cancelling a
// running job stops the devices not yet reached. Devices are in-process virtual devices so a 30-device job costs
// nothing but its pacing; the schedule, reads and cancel go through the unmodified JobClient.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpStatus, jobReaching, useIotHubEmulator } from '../../support/iothub';
import { elementAt } from '../../support/elementAt';

const DEVICES = 30;
/** S1's jobs device operations per second, and the bucket's one-second burst. */
const S1_JOB_RATE = 10;

describe('IoT Hub jobs under the S1 quota', () => {
  const hub = useIotHubEmulator({ quota: { tier: 'S1', units: 1 } });

  it('invokes the devices at the documented 10/s, refuses a second concurrent job, and cancels a running one', async (t) => {
    const { emulator, service } = hub;
    const ids = Array.from({ length: DEVICES }, (_, i) => `paced-${String(i).padStart(2, '0')}`);
    await emulator.admin.createDevices(ids, { tags: { fleet: 'paced' } });
    const calledAt: number[] = [];
    for (const id of ids) {
      emulator.admin.connectVirtualDevice(id, {
        onMethod: async () => {
          calledAt.push(performance.now());
          return { status: 200, payload: null };
        },
      });
    }

    await service.jobs.scheduleDeviceMethod('paced-reboot', "tags.fleet = 'paced'", { methodName: 'reboot', responseTimeoutInSeconds: 5 }, new Date(), 60);
    const second = await service.jobs.scheduleDeviceMethod('second-job', "tags.fleet = 'paced'", { methodName: 'reboot' }).then(() => undefined, (e: unknown) => e);
    assert.equal(httpStatus(second), 429);
    assert.equal((second as { response?: { headers?: Record<string, string> } }).response?.headers?.['iothub-errorcode'], 'ThrottlingMaxActiveJobCountExceeded');

    const done = await jobReaching(service.jobs, 'paced-reboot', 'completed', 10_000);
    assert.equal(done.deviceJobStatistics.succeededCount, DEVICES);
    assert.equal(calledAt.length, DEVICES);
    // After the one-second burst, each device waits for the throttle: the steady rate is the documented one.
    const steady = calledAt.slice(S1_JOB_RATE);
    const rate = (steady.length - 1) / ((elementAt(steady, -1) - elementAt(steady, 0)) / 1000);
    t.diagnostic(`jobs pacing on S1: ${rate.toFixed(2)} device operations/s after the burst (documented ${S1_JOB_RATE}/s)`);
    assert.ok(rate > S1_JOB_RATE * 0.8 && rate < S1_JOB_RATE * 1.2, `measured ${rate.toFixed(2)}/s`);

    // A second job may start now; cancel it once it is under way.
    calledAt.length = 0;
    await service.jobs.scheduleDeviceMethod('cancelled-reboot', "tags.fleet = 'paced'", { methodName: 'reboot', responseTimeoutInSeconds: 5 }, new Date(), 60);
    await jobReaching(service.jobs, 'cancelled-reboot', 'running');
    const { jobStatus: cancelled } = await service.jobs.cancelJob('cancelled-reboot');
    assert.equal(cancelled.status, 'cancelled');
    const reached = cancelled.deviceJobStatistics.succeededCount + cancelled.deviceJobStatistics.runningCount;
    assert.ok(reached < DEVICES, `only the devices reached before the cancel ran (${reached})`);
    assert.equal(cancelled.deviceJobStatistics.pendingCount, 0);
    const { result: records } = await service.registry.createQuery("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'cancelled-reboot' AND devices.jobs.status = 'cancelled'").next();
    assert.equal(records.length, DEVICES - reached);
  });

  it('fails the devices a paced job cannot reach within maxExecutionTimeInSeconds', async () => {
    const { service } = hub;
    // 1 s at S1: the burst of 10 and about 10 more; the rest fail.
    await service.jobs.scheduleDeviceMethod('short-reboot', "tags.fleet = 'paced'", { methodName: 'reboot', responseTimeoutInSeconds: 5 }, new Date(), 1);
    const done = await jobReaching(service.jobs, 'short-reboot', 'completed');
    const { succeededCount, failedCount, deviceCount } = done.deviceJobStatistics;
    assert.equal(deviceCount, DEVICES);
    assert.equal(succeededCount + failedCount, DEVICES);
    assert.ok(succeededCount >= S1_JOB_RATE && failedCount > 0, `succeeded ${succeededCount}, failed ${failedCount}`);
    const { result: failed } = await service.registry.createQuery("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'short-reboot' AND devices.jobs.status = 'failed'").next();
    assert.equal(failed.length, failedCount);
    assert.match(String((failed[0] as { error: { description: string } }).error.description), /maxExecutionTimeInSeconds/);
  });
});
