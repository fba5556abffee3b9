// Identity registry through the unmodified azure-iothub Registry: CRUD, generated keys, ETags, invalid ids,
// statistics, and device ids full of URL-special characters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fields, restCall, serviceErrors as errors, useIotHubEmulator } from '../../support/iothub';

const SPECIAL_ID = "dev#?%'():=@$;.x";

describe('identity registry over REST', () => {
  const hub = useIotHubEmulator();

  it('creates a device with generated SAS keys and reads it back', async () => {
    const { responseBody: created, httpResponse } = await hub.service.registry.create({ deviceId: 'crud-1' });
    assert.equal(httpResponse.statusCode, 200);
    assert.match(String(httpResponse.headers['content-type']), /^application\/json; charset=utf-8$/);
    assert.equal(created.deviceId, 'crud-1');
    assert.equal(created.status, 'enabled');
    assert.equal(created.connectionState, 'Disconnected');
    assert.equal(fields(created.authentication).type, 'sas');
    const keys = created.authentication?.symmetricKey;
    assert.equal(Buffer.from(String(keys?.primaryKey), 'base64').length, 32);
    assert.equal(Buffer.from(String(keys?.secondaryKey), 'base64').length, 32);
    assert.notEqual(keys?.primaryKey, keys?.secondaryKey);
    assert.ok(created.etag && created.generationId);

    const { responseBody: read } = await hub.service.registry.get('crud-1');
    assert.equal(read.etag, created.etag);
    assert.deepEqual(read.authentication, created.authentication);
  });

  it('keeps keys the caller supplies', async () => {
    const primaryKey = Buffer.alloc(32, 1).toString('base64');
    const secondaryKey = Buffer.alloc(16, 2).toString('base64');
    const { responseBody } = await hub.service.registry.create({
      deviceId: 'crud-keys',
      authentication: { symmetricKey: { primaryKey, secondaryKey } },
    } as never);
    assert.equal(responseBody.authentication?.symmetricKey?.primaryKey, primaryKey);
    assert.equal(responseBody.authentication?.symmetricKey?.secondaryKey, secondaryKey);
    await assert.rejects(
      hub.service.registry.create({ deviceId: 'crud-badkey', authentication: { symmetricKey: { primaryKey: 'c2hvcnQ=', secondaryKey: '' } } } as never),
      errors.ArgumentError,
    );
  });

  it('refuses to create a device twice (409001 → DeviceAlreadyExistsError)', async () => {
    await hub.service.registry.create({ deviceId: 'crud-dup' });
    await assert.rejects(hub.service.registry.create({ deviceId: 'crud-dup' }), (error: Error & { response?: { headers: Record<string, string> }; responseBody?: string }) => {
      assert.ok(error instanceof errors.DeviceAlreadyExistsError);
      assert.equal(error.response?.headers['iothub-errorcode'], 'DeviceAlreadyExists');
      assert.match(String(error.responseBody), /ErrorCode:DeviceAlreadyExists;/);
      return true;
    });
  });

  it('updates with If-Match "*" and keeps keys the update leaves out', async () => {
    const { responseBody: created } = await hub.service.registry.create({ deviceId: 'crud-upd' });
    const { responseBody: disabled } = await hub.service.registry.update({ deviceId: 'crud-upd', status: 'disabled' });
    assert.equal(disabled.status, 'disabled');
    assert.notEqual(disabled.etag, created.etag);
    assert.deepEqual(disabled.authentication?.symmetricKey, created.authentication?.symmetricKey);
    assert.notEqual(disabled.statusUpdatedTime, '0001-01-01T00:00:00Z');
    const { responseBody: enabled } = await hub.service.registry.update({ deviceId: 'crud-upd', status: 'enabled' });
    assert.equal(enabled.status, 'enabled');
  });

  it('honours If-Match with an etag on PUT and DELETE /devices (412001)', async () => {
    const { responseBody: created } = await hub.service.registry.create({ deviceId: 'crud-etag' });
    const put = (etag: string) =>
      restCall(hub.emulator, 'PUT', '/devices/crud-etag', { body: { deviceId: 'crud-etag', status: 'disabled' }, headers: { 'if-match': `"${etag}"` } });
    const ok = await put(String(created.etag));
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers.etag), /^".+"$/);
    const stale = await put(String(created.etag));
    assert.equal(stale.status, 412);
    assert.equal(stale.headers['iothub-errorcode'], 'PreconditionFailed');
    assert.match(String((stale.body as { Message: string }).Message), /^ErrorCode:PreconditionFailed;/);
    const staleDelete = await restCall(hub.emulator, 'DELETE', '/devices/crud-etag', { headers: { 'if-match': `"${String(created.etag)}"` } });
    assert.equal(staleDelete.status, 412);
    const current = (ok.body as { etag: string }).etag;
    const deleted = await restCall(hub.emulator, 'DELETE', '/devices/crud-etag', { headers: { 'if-match': `"${current}"` } });
    assert.equal(deleted.status, 204);
  });

  it('deletes a device, and get/delete of a missing device give DeviceNotFoundError (404001)', async () => {
    await hub.service.registry.create({ deviceId: 'crud-del' });
    const { httpResponse } = await hub.service.registry.delete('crud-del');
    assert.equal(httpResponse.statusCode, 204);
    await assert.rejects(hub.service.registry.get('crud-del'), errors.DeviceNotFoundError);
    await assert.rejects(hub.service.registry.delete('crud-del'), (error: Error & { response?: { headers: Record<string, string> } }) => {
      assert.ok(error instanceof errors.DeviceNotFoundError);
      assert.equal(error.response?.headers['iothub-errorcode'], 'DeviceNotFound');
      return true;
    });
  });

  it('rejects invalid device ids with 400 (ArgumentError)', async () => {
    for (const deviceId of ['invalid/name', 'with space', 'x'.repeat(129), 'ünïcode']) {
      await assert.rejects(hub.service.registry.create({ deviceId }), errors.ArgumentError, deviceId);
    }
  });

  it('handles device ids with # ? % \' ( ) : = @ $ ; through REST paths', async () => {
    const { responseBody } = await hub.service.registry.create({ deviceId: SPECIAL_ID });
    assert.equal(responseBody.deviceId, SPECIAL_ID);
    assert.equal((await hub.service.registry.get(SPECIAL_ID)).responseBody.deviceId, SPECIAL_ID);
    const { responseBody: twin } = await hub.service.registry.getTwin(SPECIAL_ID);
    assert.equal(twin.deviceId, SPECIAL_ID);
    await hub.service.registry.updateTwin(SPECIAL_ID, { tags: { special: true } }, '*');
    assert.deepEqual((await hub.service.registry.getTwin(SPECIAL_ID)).responseBody.tags, { special: true });
    await hub.service.registry.delete(SPECIAL_ID);
    await assert.rejects(hub.service.registry.get(SPECIAL_ID), errors.DeviceNotFoundError);
  });

  it('lists devices and reports statistics', async () => {
    await hub.service.registry.create({ deviceId: 'stats-off', status: 'disabled' });
    const { responseBody: list } = await hub.service.registry.list();
    const ids = list.map((d) => d.deviceId);
    assert.ok(ids.includes('crud-1') && ids.includes('stats-off'));
    const { responseBody: stats } = await hub.service.registry.getRegistryStatistics();
    assert.equal(stats.totalDeviceCount, list.length);
    assert.equal(stats.disabledDeviceCount, list.filter((d) => d.status === 'disabled').length);
    assert.equal(stats.enabledDeviceCount, stats.totalDeviceCount - stats.disabledDeviceCount);
  });
});
