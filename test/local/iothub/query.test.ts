// POST /devices/query through the SDK's Query object: paging over several pages with x-ms-continuation,
// x-ms-item-type, projections and aggregates, and bad queries → 400 ArgumentError naming the problem.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../../../local/iothub/index';
import { type ServiceClients, restCall, serviceClients, serviceErrors } from '../../support/iothub';

describe('twin queries over REST', () => {
  let emulator: RunningIotHubEmulator;
  let service: ServiceClients;
  const ids = Array.from({ length: 25 }, (_, i) => `q-${String(i).padStart(2, '0')}`);

  before(async () => {
    emulator = await startIotHubEmulator();
    service = serviceClients(emulator);
    // Created out of order: results come back sorted by deviceId all the same.
    await emulator.admin.createDevices([...ids].reverse(), { tags: { fleet: 'blue' } });
    await emulator.admin.createDevices(['other-1'], { tags: { fleet: 'red' } });
    for (const id of ids.slice(0, 10)) {
      const virtual = emulator.admin.connectVirtualDevice(id, { onMethod: async () => ({ status: 200, payload: null }) });
      virtual.updateReported({ firmware: id < 'q-05' ? '1.0' : '2.0' });
    }
  });
  after(async () => {
    service.close();
    await emulator.stop();
  });

  it('pages through SELECT * results with the SDK (≥3 pages), in deviceId order, as twins', async () => {
    const query = service.registry.createQuery("SELECT * FROM devices WHERE tags.fleet = 'blue'", 10);
    const pages: string[][] = [];
    while (query.hasMoreResults) {
      const { result, message: response } = await query.nextAsTwin();
      pages.push(result.map((twin) => twin.deviceId));
      assert.equal(response.headers['x-ms-item-type'], 'twin');
      assert.equal(response.headers['x-ms-continuation'] === undefined, !query.hasMoreResults, 'the header is absent exactly on the last page');
    }
    assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
    assert.deepEqual(pages.flat(), ids);
  });

  it('filters on reported properties and connection state, and projects with next()', async () => {
    const query = service.registry.createQuery("SELECT deviceId, properties.reported.firmware AS fw FROM devices WHERE properties.reported.firmware = '1.0' AND connectionState = 'Connected'");
    const { result, message: response } = await query.next();
    assert.equal(response.headers['x-ms-item-type'], 'raw');
    assert.deepEqual(result, ids.slice(0, 5).map((deviceId) => ({ deviceId, fw: '1.0' })));
    assert.equal(query.hasMoreResults, false);
  });

  it('counts with GROUP BY', async () => {
    const { result } = await service.registry.createQuery('SELECT tags.fleet AS fleet, COUNT() AS n FROM devices GROUP BY tags.fleet').next();
    const byFleet = Object.fromEntries((result as { fleet: string; n: number }[]).map((row) => [row.fleet, row.n]));
    assert.deepEqual(byFleet, { blue: 25, red: 1 });
  });

  it('answers bad queries with 400 / 400004 naming the problem', async () => {
    await assert.rejects(service.registry.createQuery('SELEKT * FROM devices').next(), (error: Error & { responseBody?: string; response?: { headers: Record<string, string> } }) => {
      assert.ok(error instanceof serviceErrors.ArgumentError);
      assert.equal(error.response?.headers['iothub-errorcode'], 'ArgumentInvalid');
      assert.match(String(error.responseBody), /ErrorCode:ArgumentInvalid;Invalid query: .+/);
      return true;
    });
    const noBody = await restCall(emulator, 'POST', '/devices/query', { body: { sql: 'x' } });
    assert.equal(noBody.status, 400);
    const badPageSize = await restCall(emulator, 'POST', '/devices/query', { body: { query: 'SELECT * FROM devices' }, headers: { 'x-ms-max-item-count': 'many' } });
    assert.equal(badPageSize.status, 400);
    const badToken = await restCall(emulator, 'POST', '/devices/query', { body: { query: 'SELECT * FROM devices' }, headers: { 'x-ms-continuation': '%%%' } });
    assert.equal(badToken.status, 400);
    assert.match((badToken.body as { Message: string }).Message, /continuation/);
  });
});
