// IoT Edge scopes through the unmodified service SDK, after the SDK's own e2e tests (registry.js "Can create an edge
// and device scope relationship", "Can create nested Edge devices"): generated and immutable for edge devices,
// inherited by leaf devices, visible on the twin and in queries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fields, httpStatus, useIotHubEmulator } from '../../support/iothub';

describe('IoT Edge device scopes', () => {
  const hub = useIotHubEmulator();

  it('gives an edge device a generated scope and a leaf device its parent scope', async () => {
    const { registry } = hub.service;
    const { responseBody: edge } = await registry.create({ deviceId: 'edge-1', capabilities: { iotEdge: true } });
    const edgeScope = fields(edge).deviceScope as string;
    assert.equal(edgeScope, `ms-azure-iot-edge://edge-1-${fields(edge).generationId as string}`);

    const { responseBody: leaf } = await registry.create({ deviceId: 'leaf-1', deviceScope: edgeScope } as never);
    assert.equal(fields(leaf).deviceScope, edgeScope);
    assert.deepEqual(fields(leaf).parentScopes, [edgeScope]);

    const { responseBody: twin } = await registry.getTwin('leaf-1');
    assert.equal(fields(twin).deviceScope, edgeScope);
    const { result: children } = await registry.createQuery(`SELECT deviceId FROM devices WHERE deviceScope = '${edgeScope}' AND capabilities.iotEdge = false`).nextAsTwin();
    assert.deepEqual(children.map((row) => row.deviceId), ['leaf-1']);
  });

  it('refuses to change a scope to one no edge device owns, and an edge device\'s own scope', async (t) => {
    const { registry } = hub.service;
    const { responseBody: edge } = await registry.create({ deviceId: 'edge-2', capabilities: { iotEdge: true } });
    const { responseBody: leaf } = await registry.create({ deviceId: 'leaf-2', deviceScope: fields(edge).deviceScope } as never);
    const cases = [
      { name: 'leaf device to an unknown scope', device: { ...leaf, deviceScope: 'ms-azure-iot-edge://nobody-1' } },
      { name: 'edge device to another scope', device: { ...edge, deviceScope: 'ms-azure-iot-edge://edge-2-0' } },
    ];
    for (const { name, device } of cases) {
      await t.test(name, async () => {
        await assert.rejects(registry.update(device as never), (error) => httpStatus(error) === 400);
      });
    }
    assert.equal(fields((await registry.get('edge-2')).responseBody).deviceScope, fields(edge).deviceScope);
    assert.equal(fields((await registry.get('leaf-2')).responseBody).deviceScope, fields(edge).deviceScope);
  });

  it('nests edge devices through parentScopes and keeps the scope through an update that sends it back', async () => {
    const { registry } = hub.service;
    const { responseBody: root } = await registry.create({ deviceId: 'edge-root', capabilities: { iotEdge: true } });
    const rootScope = fields(root).deviceScope as string;
    const { responseBody: child } = await registry.create({ deviceId: 'edge-child', capabilities: { iotEdge: true }, parentScopes: [rootScope] } as never);
    const childScope = fields(child).deviceScope as string;
    assert.notEqual(childScope, rootScope);
    assert.deepEqual(fields(child).parentScopes, [rootScope]);
    const { responseBody: leaf } = await registry.create({ deviceId: 'leaf-nested', deviceScope: childScope, parentScopes: [childScope] } as never);
    assert.deepEqual(fields(leaf).parentScopes, [childScope]);

    const { responseBody: updated } = await registry.update({ ...child, status: 'disabled' } as never);
    assert.equal(fields(updated).deviceScope, childScope);
    await assert.rejects(
      registry.create({ deviceId: 'edge-orphan', capabilities: { iotEdge: true }, parentScopes: ['ms-azure-iot-edge://missing-1'] } as never),
      (error) => httpStatus(error) === 400,
    );
  });
});
