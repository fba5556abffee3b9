// Loads every functions/ entry point the way the Node worker does — `@azure/functions` registering through
// `@azure/functions-core`, here the local host's shim — then checks the registrations and calls the registered
// callbacks: the orchestrator through the real durable-functions replay, the activities against Azurite and the
// IoT Hub emulator, the HTTP functions with a real DurableClient talking to a stub of the Durable HTTP API.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../../local/iothub';
import { ACTIVITY, type ClaimInput, type InvokeInput, type ReadInput, type RecordInput } from '../../src/activities/contracts';
import { operationInstanceId } from '../../src/domain/operationIds';
import type { OperationRecord } from '../../src/domain/operationRecord';
import { DEFAULT_OPERATION_REQUEST } from '../../src/domain/operationRequest';
import { OPERATION_KINDS } from '../../src/domain/operations/operationKind';
import type { OperationOutput } from '../../src/domain/outcomes';
import { FUNCTION, startFunctionName } from '../../src/functionNames';
import { ROLLOUT_ACTIVITY } from '../../src/activities/rolloutContracts';
import { ROLLOUT_FINAL_STATUS } from '../../src/activities/rolloutFinalStatus';
import { FUNCTION_ROLLOUT } from '../../src/rolloutFunctionNames';
import { ROUTE, startRoute } from '../../src/http/routes';
import { UI_ROUTE } from '../../src/http/ui/uiRoutes';
import { CANCEL_EVENT } from '../../src/orchestrations/deviceOperation';
import type { DeviceOperationInput } from '../../src/orchestrations/deviceOperationInput';
import { appServices, type AppServices } from '../../src/services';
import type { RegisteredFunction } from '../../local/host/worker/coreApi';
import { completes, functionsCoreRegistry, loadDurableTestEnvironment } from '../../local/host/testing/durableTestEnvironment';

// The worker's `@azure/functions-core` (the local host's shim, shared with the Durable test environment).
const registry = functionsCoreRegistry();
const registrations = registry.functions;
type Registration = RegisteredFunction;

let azurite: RunningAzurite;
let iotHub: RunningIotHubEmulator;
let durableApi: http.Server;
let durableBase = '';
interface StubInstance { name: string; input: unknown; runtimeStatus: string; output: unknown }
const instances = new Map<string, StubInstance>();
const raised: { instanceId: string; name: string; body: unknown }[] = [];
const savedEnv = { ...process.env };
let loadedServices: AppServices | undefined;

/** functions/ next to this test's tree: <root>/functions under tsx, <outDir>/functions when compiled. */
function functionsDir(): string {
  return path.resolve(__dirname, '..', '..', 'functions');
}

/** The runtime states in which the extension answers a status query with 202 and accepts events. */
const RUNNING = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);

before(async () => {
  azurite = await startAzurite();
  iotHub = await startIotHubEmulator();
  // The Durable extension's HTTP API as DurableClient uses it through rpcBaseUrl: start, status, raise event.
  durableApi = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const send = (status: number, body?: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
    };
    let text = '';
    req.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    req.on('end', () => {
      const started = /^\/durabletask\/orchestrators\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && started !== null) {
        const [, name, id] = started as unknown as [string, string, string];
        const existing = instances.get(decodeURIComponent(id));
        if (existing !== undefined && RUNNING.has(existing.runtimeStatus)) return send(500, { message: 'An instance with this id is already running.' });
        instances.set(decodeURIComponent(id), { name, input: text === '' ? null : JSON.parse(text), runtimeStatus: 'Pending', output: null });
        return send(202, { id });
      }
      const event = /^\/durabletask\/instances\/([^/]+)\/raiseEvent\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && event !== null) {
        const instanceId = decodeURIComponent(event[1]!);
        const instance = instances.get(instanceId);
        if (instance === undefined) return send(404);
        if (!RUNNING.has(instance.runtimeStatus)) return send(410);
        raised.push({ instanceId, name: decodeURIComponent(event[2]!), body: text === '' ? null : JSON.parse(text) });
        return send(202);
      }
      const status = /^\/durabletask\/instances\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && status !== null) {
        const instance = instances.get(decodeURIComponent(status[1]!));
        if (instance === undefined) return send(404);
        return send(RUNNING.has(instance.runtimeStatus) ? 202 : 200, {
          name: instance.name, instanceId: decodeURIComponent(status[1]!), runtimeStatus: instance.runtimeStatus, input: instance.input,
          customStatus: null, output: instance.output, createdTime: '2025-01-01T00:00:00Z', lastUpdatedTime: '2025-01-01T00:00:00Z',
        });
      }
      return send(404);
    });
  });
  await new Promise<void>((resolve) => durableApi.listen(0, '127.0.0.1', resolve));
  durableBase = `http://127.0.0.1:${(durableApi.address() as { port: number }).port}/durabletask/`;

  Object.assign(process.env, {
    IOTHUB_CONNECTION_STRING: iotHub.serviceConnectionString,
    IOTHUB_CA_CERT: iotHub.caCertPem,
    OPERATIONS_STORAGE: azurite.connectionString,
    OPERATIONS_TABLE_NAME: 'RegistrationTest',
    FACTORY_RESET_METHOD_NAME: 'wipeAll',
    // The status route holds a running operation's request this long (the setting reaches the registered route).
    OPERATION_STATUS_HOLD_SECONDS: '1',
  });
  for (const file of fs.readdirSync(functionsDir()).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.map'))) {
    // Entry points are loaded by path at run time, as the worker loads package.json `main`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(functionsDir(), file));
  }
  loadedServices = appServices();
});

after(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await loadedServices?.iotHub.close();
  durableApi.closeAllConnections();
  await new Promise<void>((resolve) => durableApi.close(() => resolve()));
  await iotHub.stop();
  await azurite.stop();
});

const binding = (name: string, type: string): Record<string, unknown> => {
  const registration = registrations.get(name);
  assert.ok(registration, `${name} is registered`);
  const found = Object.values(registration.metadata.bindings).find((b) => b.type === type);
  assert.ok(found, `${name} has a ${type} binding`);
  return found;
};
const callback = (name: string): Registration['callback'] => {
  const registration = registrations.get(name);
  assert.ok(registration, `${name} is registered`);
  return registration.callback;
};

const START_FUNCTIONS = OPERATION_KINDS.map(startFunctionName);
const ACTIVITIES = [ACTIVITY.claimOperation.name, ACTIVITY.invokeDeviceMethod.name, ACTIVITY.readDeviceState.name, ACTIVITY.recordOperation.name, ACTIVITY.notifyCallback.name];

test('every function is registered once: a start function per kind, one orchestration, five activities, the routes', () => {
  assert.deepEqual(START_FUNCTIONS, ['startReboot', 'startFactoryReset', 'startFirmwareUpdate']);
  assert.deepEqual(ACTIVITIES, ['claimOperation', 'invokeDeviceMethod', 'readDeviceState', 'recordOperation', 'notifyCallback']);
  const rollouts = [...Object.values(FUNCTION_ROLLOUT), ...Object.values(ROLLOUT_ACTIVITY).map((a) => a.name), ROLLOUT_FINAL_STATUS.name];
  // The twin-change trigger is registered only when IOTHUB_EVENTS_CONNECTION is set (not here): polling alone.
  const always = Object.values(FUNCTION).filter((name) => name !== FUNCTION.twinChangeEvents);
  assert.deepEqual([...registrations.keys()].sort(), [...always, ...START_FUNCTIONS, ...ACTIVITIES, ...rollouts].sort());
  assert.equal(registrations.size, 21 + 15);
});

test('HTTP triggers: route, method and auth level of the design; durable client where the handler needs one', async (t) => {
  const cases: [string, string, string, string, boolean][] = [
    ...OPERATION_KINDS.map((kind): [string, string, string, string, boolean] => [startFunctionName(kind), startRoute(kind), 'POST', 'function', true]),
    [FUNCTION.getOperationStatus, ROUTE.operationStatus, 'GET', 'function', true],
    [FUNCTION.cancelOperation, ROUTE.cancelOperation, 'POST', 'function', true],
    [FUNCTION.listRunningOperations, ROUTE.runningOperations, 'GET', 'function', false],
    [FUNCTION.listDeviceOperations, ROUTE.deviceOperations, 'GET', 'function', false],
    [FUNCTION.getStatusReport, ROUTE.statusReport, 'GET', 'function', false],
    [FUNCTION.getOpenApiDocument, ROUTE.openApi, 'GET', 'anonymous', false],
    [FUNCTION.unsubscribeCallback, ROUTE.unsubscribeCallback, 'POST', 'function', true],
    [FUNCTION.subscribeCallback, ROUTE.subscribeCallback, 'POST', 'function', true],
    [FUNCTION.getOperationsPage, UI_ROUTE.page, 'GET', 'anonymous', false],
    [FUNCTION.getOperationsPageScript, UI_ROUTE.script, 'GET', 'anonymous', false],
  ];
  assert.deepEqual(cases.map((c) => c[1]), ['devices/{deviceId}/reboot', 'devices/{deviceId}/factoryReset', 'devices/{deviceId}/firmwareUpdate',
    'operations/{instanceId}', 'operations/{instanceId}/cancel', 'operations', 'devices/{deviceId}/operations', 'reports/{operation}', 'openapi.json', 'callbacks/unsubscribe', 'operations/{instanceId}/subscribe', 'ui', 'ui/app.js']);
  for (const [name, route, method, authLevel, durableClient] of cases) {
    await t.test(name, () => {
      const trigger = binding(name, 'httpTrigger');
      assert.equal(trigger.route, route);
      assert.deepEqual(trigger.methods, [method]);
      assert.equal(trigger.authLevel, authLevel);
      const bindings = Object.values(registrations.get(name)!.metadata.bindings);
      assert.equal(bindings.some((b) => b.type === 'durableClient'), durableClient, 'durable client binding');
    });
  }
  await t.test('the callback sweeper: a timer every minute with a durable client', () => {
    const trigger = binding(FUNCTION.sweepCallbacks, 'timerTrigger');
    assert.equal(trigger.schedule, '0 * * * * *');
    assert.ok(Object.values(registrations.get(FUNCTION.sweepCallbacks)!.metadata.bindings).some((b) => b.type === 'durableClient'));
  });
  await t.test('orchestration and activity triggers', () => {
    binding(FUNCTION.deviceOperationOrchestrator, 'orchestrationTrigger');
    binding(FUNCTION.callbackDeliveryOrchestrator, 'orchestrationTrigger');
    for (const name of ACTIVITIES) binding(name, 'activityTrigger');
  });
});

const quietContext = (name: string, extra: Partial<ConstructorParameters<typeof InvocationContext>[0]> = {}): InvocationContext =>
  new InvocationContext({ functionName: name, invocationId: `${name}-1`, logHandler: () => undefined, ...extra });

test('the registered orchestrator is the replay-wrapped generator: it runs through real history', async () => {
  callback(FUNCTION.deviceOperationOrchestrator);
  const retry = { firstRetryIntervalMs: 1000, maxAttempts: 2, backoffCoefficient: 2, maxRetryIntervalMs: 5000 };
  const input: DeviceOperationInput = {
    deviceId: 'reg-1', operation: 'factoryReset', request: DEFAULT_OPERATION_REQUEST, requestedAt: '2025-01-01T00:00:00.000Z',
    retry: { invoke: retry, read: retry, record: retry },
  };
  // The environment runs the registered orchestrator on the local host's engine (no entry points to add).
  const result = await loadDurableTestEnvironment([]).run({
    orchestratorName: FUNCTION.deviceOperationOrchestrator, instanceId: operationInstanceId('factoryReset', 'reg-1', 1), startAt: new Date('2025-01-01T00:00:00Z'),
    input,
    activities: {
      [ACTIVITY.claimOperation.name]: () => completes({ kind: 'claimed' }),
      [ACTIVITY.recordOperation.name]: () => completes(null),
      [ACTIVITY.invokeDeviceMethod.name]: () => completes({ kind: 'deviceOffline', message: 'offline', sentAt: '2025-01-01T00:00:00.000Z' }),
    },
  });
  assert.equal((result.output as OperationOutput).outcome, 'DeviceOffline');
});

test('the registered activities reach the real IoT Hub (emulator) and Table storage (Azurite) from app settings', async () => {
  const deviceId = 'reg-device';
  await iotHub.admin.createDevices([deviceId]);
  const device = iotHub.admin.connectVirtualDevice(deviceId, { onMethod: async (name) => ({ status: 200, payload: `ran ${name}` }) });
  const requestedAt = '2025-01-01T00:00:00.000Z';
  const acquired = await appServices().guard.acquire({
    deviceId, operation: 'factoryReset', requestedAt, instanceIdFor: (n) => operationInstanceId('factoryReset', deviceId, n),
    sequenceHint: async () => 0, holderState: async () => 'active',
  });
  assert.ok(acquired.kind === 'acquired');
  const instanceId = acquired.lease.instanceId;
  const record: OperationRecord = {
    deviceId, instanceId, operation: 'factoryReset', phase: 'starting', outcome: null, delivery: 'notDelivered', requestedAt,
    acceptedAt: null, completedAt: null, durationMs: null, deadline: '2025-01-01T00:10:00.000Z', polls: 0, step: null, firmwareVersion: null,
    methodResponse: null, lastReported: null, deviceActivity: null, error: null, updatedAt: requestedAt,
  };
  const claim = await callback(ACTIVITY.claimOperation.name)({ deviceId, instanceId, record } satisfies ClaimInput, quietContext('claim'));
  assert.deepEqual(claim, { kind: 'claimed' });

  const invokeInput: InvokeInput = { deviceId, instanceId, operation: 'factoryReset', attempt: 1, payload: null, responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0 };
  const invoked = await callback(ACTIVITY.invokeDeviceMethod.name)(invokeInput, quietContext('invoke')) as { kind: string; response: unknown };
  assert.equal(invoked.kind, 'accepted');
  assert.deepEqual(invoked.response, { status: 200, payload: 'ran wipeAll' }, 'the method name from FACTORY_RESET_METHOD_NAME');
  const again = await callback(ACTIVITY.invokeDeviceMethod.name)(invokeInput, quietContext('invoke')) as { kind: string };
  assert.equal(again.kind, 'maybeDelivered', 'the journal holds across registrations: never sent twice');

  device.updateReported({ iothubDM: { factoryReset: { status: 'completed' } } });
  const readInput: ReadInput = { deviceId, operation: 'factoryReset', since: new Date(Date.now() - 60_000).toISOString(), withConnection: true, attempts: 2 };
  const observed = await callback(ACTIVITY.readDeviceState.name)(readInput, quietContext('read')) as { kind: string; state: { values: unknown; connectionStateUpdatedTime: unknown } };
  assert.equal(observed.kind, 'observed');
  assert.deepEqual(observed.state.values, { status: 'completed' });
  assert.equal(typeof observed.state.connectionStateUpdatedTime, 'string');

  const final = { ...record, phase: 'completed' as const, outcome: 'Succeeded' as const, delivery: 'delivered' as const };
  await callback(ACTIVITY.recordOperation.name)({ record: final, release: true } satisfies RecordInput, quietContext('record'));
  assert.equal((await appServices().leases.read(deviceId))?.state, 'free');
  const history = await callback(FUNCTION.listDeviceOperations)(new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/devices/${deviceId}/operations` }),
    quietContext(FUNCTION.listDeviceOperations)) as { status: number; jsonBody: { operations: OperationRecord[] } };
  assert.equal(history.status, 200);
  assert.deepEqual(history.jsonBody.operations.map((o) => [o.instanceId, o.outcome]), [[instanceId, 'Succeeded']]);
  device.disconnect();
});

function clientContext(name: string): InvocationContext {
  const clientBinding = Object.values(registrations.get(name)!.metadata.bindings).find((b) => b.type === 'durableClient')!;
  const clientData = {
    taskHubName: 'TestHub',
    creationUrls: {
      createNewInstancePostUri: `${durableBase}orchestrators/{functionName}[/{instanceId}]?code=SYS`,
      createAndWaitOnNewInstancePostUri: `${durableBase}orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=SYS`,
    },
    managementUrls: Object.fromEntries([
      ['id', 'INSTANCEID'],
      ...['statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'rewindPostUri', 'purgeHistoryDeleteUri', 'restartPostUri', 'suspendPostUri', 'resumePostUri']
        .map((key) => [key, `${durableBase}instances/INSTANCEID?taskHub=TestHub&connection=Storage&code=SYS`]),
    ]),
    baseUrl: durableBase, requiredQueryStringParameters: 'code=SYS', rpcBaseUrl: durableBase,
  };
  const input = { name: String(clientBinding.name), type: 'durableClient' };
  const context = quietContext(name, { options: { trigger: { name: 'req', type: 'httpTrigger' }, extraInputs: [input], extraOutputs: [] } });
  context.extraInputs.set(input, clientData);
  return context;
}

test('start, busy, status and cancel through the registered HTTP callbacks with a real DurableClient', async () => {
  const deviceId = "reg#dev'1";
  const post = (kind: string, text: string): HttpRequest => new HttpRequest({ method: 'POST', url: `http://localhost:7071/api/devices/${encodeURIComponent(deviceId)}/${kind}?code=fk`,
    body: { string: text }, headers: { 'content-type': 'application/json' } });

  const first = await callback('startFirmwareUpdate')(post('firmwareUpdate', '{"timeoutSeconds":60,"payload":{"fwPackageUri":"https://fw.example.com/a.bin"}}'),
    clientContext('startFirmwareUpdate')) as HttpResponseInit;
  assert.equal(first.status, 202);
  const instanceId = operationInstanceId('firmwareUpdate', deviceId, 1);
  const location = (first.headers as Record<string, string>).Location!;
  assert.equal(location, `http://localhost:7071/api/operations/${encodeURIComponent(instanceId)}?code=fk`);
  assert.doesNotMatch(JSON.stringify(first), /SYS|durabletask/, 'no system key, no Durable URL');
  assert.equal(instances.get(instanceId)?.name, FUNCTION.deviceOperationOrchestrator);
  assert.equal((instances.get(instanceId)?.input as DeviceOperationInput).operation, 'firmwareUpdate');

  const second = await callback('startReboot')(post('reboot', '{}'), clientContext('startReboot')) as HttpResponseInit;
  assert.equal(second.status, 409, "the real client's status answer (Pending) drives the busy check across kinds");

  const heldSince = Date.now();
  const running = await callback(FUNCTION.getOperationStatus)(new HttpRequest({ method: 'GET', url: location }), clientContext(FUNCTION.getOperationStatus)) as HttpResponseInit;
  assert.equal(running.status, 202);
  assert.ok(Date.now() - heldSince >= 1000, 'a Pending operation is held for OPERATION_STATUS_HOLD_SECONDS before the 202');
  const unknown = await callback(FUNCTION.getOperationStatus)(new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/operations/${operationInstanceId('reboot', 'nobody', 1)}` }),
    clientContext(FUNCTION.getOperationStatus)) as HttpResponseInit;
  assert.equal(unknown.status, 404, "the real client's 404 error is recognised");

  const cancelUrl = (first.jsonBody as { cancelUrl: string }).cancelUrl;
  instances.get(instanceId)!.runtimeStatus = 'Running';
  const canceling = await callback(FUNCTION.cancelOperation)(new HttpRequest({ method: 'POST', url: cancelUrl }), clientContext(FUNCTION.cancelOperation)) as HttpResponseInit;
  assert.equal(canceling.status, 202);
  assert.deepEqual(raised.map((e) => [e.instanceId, e.name]), [[instanceId, CANCEL_EVENT]]);

  Object.assign(instances.get(instanceId)!, { runtimeStatus: 'Completed', output: { outcome: 'Canceled' } });
  const over = await callback(FUNCTION.cancelOperation)(new HttpRequest({ method: 'POST', url: cancelUrl }), clientContext(FUNCTION.cancelOperation)) as HttpResponseInit;
  assert.equal(over.status, 409);
  assert.equal((over.jsonBody as { outcome: string }).outcome, 'Canceled');
  assert.equal(raised.length, 1);
});

test('the anonymous OpenAPI function serves the document', async () => {
  const response = await callback(FUNCTION.getOpenApiDocument)(
    new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/openapi.json' }), quietContext(FUNCTION.getOpenApiDocument)) as HttpResponseInit;
  assert.equal(response.status, 200);
  assert.equal((response.jsonBody as { swagger: string }).swagger, '2.0');
});

test('a missing or malformed app setting stops the app while it loads, with one line naming the setting', () => {
  const fresh = (): void => {
    for (const key of Object.keys(require.cache)) {
      if (/[\\/](src[\\/](services|config)|functions[\\/]appSettings)\.(js|ts)$/.test(key)) delete require.cache[key];
    }
  };
  const appSettings = path.join(functionsDir(), fs.readdirSync(functionsDir()).find((f) => /^appSettings\.(js|ts)$/.test(f))!);
  const saved = { cs: process.env.IOTHUB_CONNECTION_STRING, method: process.env.FIRMWARE_UPDATE_METHOD_NAME };
  try {
    delete process.env.IOTHUB_CONNECTION_STRING;
    fresh();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.throws(() => require(appSettings), /^ConfigError: Invalid app setting IOTHUB_CONNECTION_STRING: missing/m);
    process.env.IOTHUB_CONNECTION_STRING = saved.cs;
    process.env.FIRMWARE_UPDATE_METHOD_NAME = 'bad name';
    fresh();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.throws(() => require(appSettings), (err: unknown) => err instanceof Error && /^Invalid app setting FIRMWARE_UPDATE_METHOD_NAME: /.test(err.message));
  } finally {
    process.env.IOTHUB_CONNECTION_STRING = saved.cs;
    if (saved.method === undefined) delete process.env.FIRMWARE_UPDATE_METHOD_NAME;
    else process.env.FIRMWARE_UPDATE_METHOD_NAME = saved.method;
    fresh();
  }
});
