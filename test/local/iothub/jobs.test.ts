// IoT Hub jobs through the unmodified service SDK's JobClient (PUT/GET /jobs/v2/{id}, POST …/cancel, GET
// /jobs/v2/query) and per-device job records through Registry.createQuery on devices.jobs, after the SDK's e2e
// job_client.js: a job answers `queued`, runs, and ends `completed` or `cancelled`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client as DeviceClient } from 'azure-iot-device';
import { jobOf, jobReaching, openDeviceClient, serviceErrors, useIotHubEmulator } from '../../support/iothub';

// Job JSON is read field by field; a wrong name fails the assertion.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

describe('IoT Hub jobs', () => {
  const hub = useIotHubEmulator();

  it('runs a scheduled device method on the devices a query selects, with statistics and per-device records', async () => {
    const { emulator, service } = hub;
    await emulator.admin.createDevices(['job-a1', 'job-a2', 'job-a3'], { tags: { site: 'north' } });
    await emulator.admin.createDevices(['job-b1'], { tags: { site: 'south' } });
    const devices: DeviceClient[] = [];
    try {
      for (const id of ['job-a1', 'job-a2', 'job-b1']) {
        const device = await openDeviceClient(emulator, id);
        device.onDeviceMethod('reboot', (request, response) => {
          response.send(200, { rebooted: id, delay: (request.payload as { delay: number }).delay }, () => undefined);
        });
        devices.push(device);
      }
      // job-a3 is registered but never connects: its part of the job fails (404103).
      const { jobStatus: created } = await service.jobs.scheduleDeviceMethod(
        'reboot-north', "tags.site = 'north'", { methodName: 'reboot', payload: { delay: 1 }, responseTimeoutInSeconds: 5 }, new Date(), 120,
      );
      assert.equal(created.jobId, 'reboot-north');
      assert.equal(created.status, 'queued');
      assert.equal(created.type, 'scheduleDeviceMethod');

      const done = await jobReaching(service.jobs, 'reboot-north', 'completed');
      assert.deepEqual(done.deviceJobStatistics, { deviceCount: 3, failedCount: 1, succeededCount: 2, runningCount: 0, pendingCount: 0 });
      assert.ok(Date.parse(done.endTime) >= Date.parse(done.startTime));

      const { result: records } = await service.registry.createQuery("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'reboot-north'").next();
      const byDevice = new Map((records as Loose[]).map((record) => [record.deviceId, record]));
      assert.deepEqual([...byDevice.keys()], ['job-a1', 'job-a2', 'job-a3']);
      assert.deepEqual(byDevice.get('job-a1')?.outcome, { deviceMethodResponse: { status: 200, payload: { rebooted: 'job-a1', delay: 1 } } });
      assert.equal(byDevice.get('job-a1')?.status, 'completed');
      assert.equal(byDevice.get('job-a1')?.jobType, 'scheduleDeviceMethod');
      assert.equal(byDevice.get('job-a3')?.status, 'failed');
      assert.equal(byDevice.get('job-a3')?.error.code, 'DeviceNotOnline');

      const { result: failures } = await service.registry.createQuery("SELECT * FROM devices.jobs WHERE devices.jobs.status = 'failed'").next();
      assert.deepEqual((failures as Loose[]).map((record) => record.deviceId), ['job-a3']);
    } finally {
      await Promise.all(devices.map((device) => device.close()));
    }
  });

  it('runs a scheduled twin update (the e2e patch shape, etag * and an empty reported section)', async () => {
    const { emulator, service } = hub;
    await emulator.admin.createDevices(['twin-job-1', 'twin-job-2'], { tags: { ring: 'canary' } });
    await service.jobs.scheduleTwinUpdate(
      'canary-config', "tags.ring = 'canary'",
      { etag: '*', tags: { wave: 1 }, properties: { desired: { fw: '2.0' }, reported: {} } }, new Date(), 120,
    );
    const done = await jobReaching(service.jobs, 'canary-config', 'completed');
    assert.equal(done.deviceJobStatistics.succeededCount, 2);
    for (const id of ['twin-job-1', 'twin-job-2']) {
      const { responseBody: twin } = await service.registry.getTwin(id);
      assert.equal((twin.tags as Loose).wave, 1);
      assert.equal((twin.properties as Loose).desired.fw, '2.0');
    }
  });

  it('answers queued for a job that starts later, cancels it, and lists jobs by type and status', async () => {
    const { service } = hub;
    const { jobStatus: later } = await service.jobs.scheduleTwinUpdate(
      'later-job', "deviceId = 'nobody'", { etag: '*', tags: {}, properties: { desired: {}, reported: {} } }, new Date(Date.now() + 3_600_000), 120,
    );
    assert.equal(later.status, 'queued');
    const { jobStatus: cancelled } = await service.jobs.cancelJob('later-job');
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await jobOf(service.jobs, 'later-job')).status, 'cancelled');

    const { result: cancelledUpdates } = await service.jobs.createQuery('scheduleUpdateTwin', 'cancelled').next();
    assert.deepEqual((cancelledUpdates as Loose[]).map((job) => job.jobId), ['later-job']);
    const { result: methodJobs } = await service.jobs.createQuery('scheduleDeviceMethod').next();
    assert.ok((methodJobs as Loose[]).every((job) => job.type === 'scheduleDeviceMethod'));

    const pages: string[] = [];
    const query = service.jobs.createQuery(undefined, undefined, 1);
    // The promise form of next() without an argument restarts from page one (azure-iothub query.js), so the
    // token is passed back explicitly.
    while (query.hasMoreResults && pages.length < 50) {
      pages.push(...((await query.next(query.continuationToken)).result as Loose[]).map((job) => job.jobId as string));
    }
    assert.ok(pages.length >= 2 && new Set(pages).size === pages.length, `paged one by one: ${pages.join(', ')}`);
  });

  it('refuses what the hub refuses', async (t) => {
    const { service } = hub;
    const cases = [
      { name: 'a job id with characters outside letters, digits and dash', run: () => service.jobs.scheduleDeviceMethod('bad_id', "deviceId = 'x'", { methodName: 'm' }) },
      { name: 'an invalid query condition', run: () => service.jobs.scheduleDeviceMethod('bad-query', 'deviceId = ', { methodName: 'm' }) },
      { name: 'a twin update of reported properties', run: () => service.jobs.scheduleTwinUpdate('bad-reported', "deviceId = 'x'", { properties: { reported: { a: 1 } } }) },
    ];
    for (const { name, run } of cases) {
      await t.test(name, async () => {
        await assert.rejects(run(), serviceErrors.ArgumentError);
      });
    }
    await t.test('an existing job id', async () => {
      await service.jobs.scheduleTwinUpdate('twice', "deviceId = 'nobody'", { tags: { a: 1 } }, new Date(Date.now() + 60_000), 60);
      await assert.rejects(service.jobs.scheduleTwinUpdate('twice', "deviceId = 'nobody'", { tags: { a: 1 } }), serviceErrors.DeviceAlreadyExistsError);
      await service.jobs.cancelJob('twice');
    });
    await t.test('an unknown job', async () => {
      await assert.rejects(service.jobs.getJob('no-such-job'), (error: Error & { response?: { statusCode?: number } }) => error.response?.statusCode === 404);
    });
  });
});
