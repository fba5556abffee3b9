// Bulk registry operations through the unmodified SDK (Registry.addDevices / updateDevices / removeDevices, which
// POST /devices with an importMode per device): all succeed → 200 and isSuccessful; otherwise 400 with one error
// per failed device, the others applied.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpStatus, serviceErrors, useIotHubEmulator } from '../../support/iothub';

interface BulkResult {
  isSuccessful: boolean;
  errors: { deviceId: string; errorCode: string; errorStatus: string }[];
}

function bulkResultOf(error: unknown): BulkResult {
  const body = (error as { responseBody?: unknown }).responseBody;
  return (typeof body === 'string' ? JSON.parse(body) : body) as BulkResult;
}

describe('bulk registry operations', () => {
  const hub = useIotHubEmulator();

  it('adds, updates and removes devices in bulk', async () => {
    const { registry } = hub.service;
    const ids = ['bulk-1', 'bulk-2', 'bulk-3'];
    const added = await registry.addDevices(ids.map((deviceId) => ({ deviceId, status: 'disabled' as const })));
    assert.deepEqual({ ...added.responseBody, warnings: undefined }, { isSuccessful: true, errors: [], warnings: undefined });
    for (const id of ids) {
      const { responseBody: device } = await registry.get(id);
      assert.equal(device.status, 'disabled');
      assert.match(String(device.authentication?.symmetricKey?.primaryKey), /^[A-Za-z0-9+/]{43}=$/, 'keys generated');
    }
    const keyBefore = (await registry.get('bulk-1')).responseBody.authentication?.symmetricKey?.primaryKey;

    const updated = await registry.updateDevices(ids.map((deviceId) => ({ deviceId, status: 'enabled' as const })), true);
    assert.equal(updated.responseBody.isSuccessful, true);
    for (const id of ids) assert.equal((await registry.get(id)).responseBody.status, 'enabled');
    assert.equal((await registry.get('bulk-1')).responseBody.authentication?.symmetricKey?.primaryKey, keyBefore, 'an update without keys keeps them');

    const removed = await registry.removeDevices(ids.map((deviceId) => ({ deviceId })), true);
    assert.equal(removed.responseBody.isSuccessful, true);
    for (const id of ids) await assert.rejects(registry.get(id), serviceErrors.DeviceNotFoundError);
  });

  it('reports per-device errors with 400 and applies the rest', async (t) => {
    const { registry } = hub.service;
    await registry.create({ deviceId: 'bulk-existing' });
    const etag = (await registry.get('bulk-existing')).responseBody.etag;
    const cases = [
      {
        name: 'create over an existing id',
        run: () => registry.addDevices([{ deviceId: 'bulk-existing' }, { deviceId: 'bulk-new' }]),
        failed: [{ deviceId: 'bulk-existing', errorCode: 'DeviceAlreadyExists' }],
        exists: { 'bulk-new': true },
      },
      {
        name: 'update of a missing device',
        run: () => registry.updateDevices([{ deviceId: 'bulk-missing', status: 'disabled' }, { deviceId: 'bulk-new', status: 'disabled' }], true),
        failed: [{ deviceId: 'bulk-missing', errorCode: 'DeviceNotFound' }],
        exists: { 'bulk-missing': false },
      },
      {
        name: 'update with a stale etag',
        run: () => registry.updateDevices([{ deviceId: 'bulk-existing', status: 'disabled', etag: 'c3RhbGU=' } as never], false),
        failed: [{ deviceId: 'bulk-existing', errorCode: 'EtagDoesNotMatch' }],
        exists: { 'bulk-existing': true },
      },
      {
        name: 'forced remove ignores the etag; a missing device fails',
        run: () => registry.removeDevices([{ deviceId: 'bulk-existing', etag: 'c3RhbGU=' } as never, { deviceId: 'bulk-gone' }], true),
        failed: [{ deviceId: 'bulk-gone', errorCode: 'DeviceNotFound' }],
        exists: { 'bulk-existing': false },
      },
    ];
    for (const { name, run, failed, exists } of cases) {
      await t.test(name, async () => {
        const error = await run().then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof serviceErrors.ArgumentError, `expected a 400 ArgumentError, got ${String(error)}`);
        assert.equal(httpStatus(error), 400);
        const result = bulkResultOf(error);
        assert.equal(result.isSuccessful, false);
        assert.deepEqual(result.errors.map(({ deviceId, errorCode }) => ({ deviceId, errorCode })), failed);
        for (const [id, present] of Object.entries(exists)) {
          assert.equal(await registry.get(id).then(() => true, () => false), present, id);
        }
      });
    }
    await t.test('remove with a stale etag fails, with the current one succeeds', async () => {
      await registry.create({ deviceId: 'bulk-etag' });
      const current = (await registry.get('bulk-etag')).responseBody.etag;
      const stale = await registry.removeDevices([{ deviceId: 'bulk-etag', etag: 'c3RhbGU=' } as never], false).then(() => undefined, (e: unknown) => e);
      assert.deepEqual(bulkResultOf(stale).errors.map((e) => e.errorCode), ['EtagDoesNotMatch']);
      const { responseBody } = await registry.removeDevices([{ deviceId: 'bulk-etag', etag: current } as never], false);
      assert.equal(responseBody.isSuccessful, true);
      assert.equal(await registry.get('bulk-etag').then(() => 'present', () => 'gone'), 'gone');
    });
    assert.ok(etag);
  });
});
