// Loads every functions/ entry point the way the Node worker does — `@azure/functions` registering through
// `@azure/functions-core`, here a minimal stand-in — then checks the registrations and calls the registered
// callbacks: the orchestrator through the real durable-functions replay, the activities against Azurite and the
// IoT Hub emulator, the HTTP functions with a real DurableClient talking to a stub of the Durable HTTP API.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import Module from 'node:module';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../../local/iothub';
import { FUNCTION } from '../../src/functionNames';
import { ROUTE } from '../../src/http/routes';
import { rebootInstanceId } from '../../src/domain/operationIds';
import { appServices, type AppServices } from '../../src/services';
import { DEFAULT_REBOOT_REQUEST } from '../../src/domain/rebootRequest';
import type { OperationRecord } from '../../src/domain/operationRecord';
import type { RebootOperationOutput } from '../../src/domain/outcomes';
import { completes, runOrchestration, type OrchestratorHandler } from '../support/durableHistory';

interface Registration {
  metadata: { name: string; bindings: Record<string, Record<string, unknown>> };
  callback: (...args: unknown[]) => unknown;
}
const registrations = new Map<string, Registration>();

/** What the worker provides as `@azure/functions-core` (azure-functions-nodejs-worker's core API), reduced to what registration uses. */
const coreStandIn = {
  version: '3.10.0',
  setProgrammingModel: (): void => undefined,
  getProgrammingModel: (): undefined => undefined,
  registerFunction(metadata: Registration['metadata'], callback: Registration['callback']) {
    if (registrations.has(metadata.name)) throw new Error(`duplicate function ${metadata.name}`);
    registrations.set(metadata.name, { metadata, callback });
    return { dispose: () => registrations.delete(metadata.name) };
  },
  registerHook: () => ({ dispose: () => undefined }),
};
type RequireFn = (this: unknown, id: string) => unknown;
const moduleProto = Module.prototype as unknown as { require: RequireFn };
const originalRequire = moduleProto.require;
moduleProto.require = function (this: unknown, id: string) {
  return id === '@azure/functions-core' ? coreStandIn : originalRequire.call(this, id);
};

let azurite: RunningAzurite;
let iotHub: RunningIotHubEmulator;
let durableApi: http.Server;
let durableBase = '';
const instances = new Map<string, { name: string; input: unknown; runtimeStatus: string }>();
const savedEnv = { ...process.env };
let loadedServices: AppServices | undefined;

/** functions/ next to this test's tree: <root>/functions under tsx, <outDir>/functions when compiled. */
function functionsDir(): string {
  return path.resolve(__dirname, '..', '..', 'functions');
}

before(async () => {
  azurite = await startAzurite();
  iotHub = await startIotHubEmulator();
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
        instances.set(id, { name, input: text === '' ? null : JSON.parse(text), runtimeStatus: 'Pending' });
        return send(202, { id });
      }
      const status = /^\/durabletask\/instances\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && status !== null) {
        const instance = instances.get(status[1]!);
        if (instance === undefined) return send(404);
        return send(instance.runtimeStatus === 'Completed' ? 200 : 202, {
          name: instance.name, instanceId: status[1], runtimeStatus: instance.runtimeStatus, input: instance.input,
          customStatus: null, output: null, createdTime: '2025-01-01T00:00:00Z', lastUpdatedTime: '2025-01-01T00:00:00Z',
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
  });
  for (const file of fs.readdirSync(functionsDir()).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.map'))) {
    // Entry points are loaded by path at run time, as the worker loads package.json `main`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(functionsDir(), file));
  }
  loadedServices = appServices();
});

after(async () => {
  moduleProto.require = originalRequire;
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

test('every function is registered once, with the trigger, route, method and auth level of the design', () => {
  assert.deepEqual([...registrations.keys()].sort(), Object.values(FUNCTION).sort());
  const http = (name: string, route: string, method: string, authLevel: string): void => {
    const trigger = binding(name, 'httpTrigger');
    assert.equal(trigger.route, route, name);
    assert.deepEqual(trigger.methods, [method], name);
    assert.equal(trigger.authLevel, authLevel, name);
  };
  http(FUNCTION.startReboot, ROUTE.startReboot, 'POST', 'function');
  http(FUNCTION.getOperationStatus, ROUTE.operationStatus, 'GET', 'function');
  http(FUNCTION.listDeviceOperations, ROUTE.deviceOperations, 'GET', 'function');
  http(FUNCTION.getRebootReport, ROUTE.rebootReport, 'GET', 'function');
  http(FUNCTION.getOpenApiDocument, ROUTE.openApi, 'GET', 'anonymous');
  binding(FUNCTION.startReboot, 'durableClient');
  binding(FUNCTION.getOperationStatus, 'durableClient');
  binding(FUNCTION.rebootOrchestrator, 'orchestrationTrigger');
  for (const name of [FUNCTION.invokeRebootMethod, FUNCTION.readRebootState, FUNCTION.recordOperation]) binding(name, 'activityTrigger');
});

const quietContext = (name: string, extra: Partial<ConstructorParameters<typeof InvocationContext>[0]> = {}): InvocationContext =>
  new InvocationContext({ functionName: name, invocationId: `${name}-1`, logHandler: () => undefined, ...extra });

test('the registered orchestrator is the replay-wrapped generator: it runs through real history', async () => {
  const handler = registrations.get(FUNCTION.rebootOrchestrator)!.callback as OrchestratorHandler;
  const retry = { firstRetryIntervalMs: 1000, maxAttempts: 2, backoffCoefficient: 2, maxRetryIntervalMs: 5000 };
  const result = await runOrchestration(handler, {
    orchestratorName: FUNCTION.rebootOrchestrator, instanceId: rebootInstanceId('reg-1', 1), startAt: new Date('2025-01-01T00:00:00Z'),
    input: { deviceId: 'reg-1', methodName: 'reboot', request: DEFAULT_REBOOT_REQUEST, retry: { invoke: retry, read: retry, record: retry } },
    makeContext: () => quietContext(FUNCTION.rebootOrchestrator),
    activities: {
      [FUNCTION.recordOperation]: () => completes(null),
      [FUNCTION.invokeRebootMethod]: () => completes({ kind: 'deviceOffline', errorCode: 404103, message: 'offline' }),
    },
  });
  assert.equal((result.output as RebootOperationOutput).outcome, 'DeviceOffline');
});

test('the registered activities reach the real IoT Hub (emulator) and Table storage (Azurite) from app settings', async () => {
  await iotHub.admin.createDevices(['reg-device']);
  iotHub.admin.connectVirtualDevice('reg-device', { onMethod: async (name) => ({ status: 200, payload: `ran ${name}` }) });
  const invoke = registrations.get(FUNCTION.invokeRebootMethod)!.callback;
  const invoked = await invoke({ deviceId: 'reg-device', methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0 },
    quietContext(FUNCTION.invokeRebootMethod)) as { kind: string; response: unknown };
  assert.equal(invoked.kind, 'accepted');
  assert.deepEqual(invoked.response, { status: 200, payload: 'ran reboot' });

  const read = registrations.get(FUNCTION.readRebootState)!.callback;
  const observed = await read({ deviceId: 'reg-device', since: new Date().toISOString() }, quietContext(FUNCTION.readRebootState)) as { kind: string };
  assert.equal(observed.kind, 'observed');

  const record: OperationRecord = {
    deviceId: 'reg-device', instanceId: rebootInstanceId('reg-device', 1), operation: 'reboot', phase: 'invoking', outcome: null,
    requestedAt: '2025-01-01T00:00:00.000Z', acceptedAt: null, completedAt: null, durationMs: null, deadline: '2025-01-01T00:10:00.000Z',
    polls: 0, methodResponse: null, lastReported: null, error: null, updatedAt: '2025-01-01T00:00:00.000Z',
  };
  await registrations.get(FUNCTION.recordOperation)!.callback(record, quietContext(FUNCTION.recordOperation));
  const history = registrations.get(FUNCTION.listDeviceOperations)!.callback;
  const response = await history(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/devices/reg-device/operations' }),
    quietContext(FUNCTION.listDeviceOperations)) as { status: number; jsonBody: { operations: OperationRecord[] } };
  assert.equal(response.status, 200);
  assert.equal(response.jsonBody.operations[0]?.instanceId, record.instanceId);
});

test('start and status through the registered HTTP callbacks with a real DurableClient: 202, then 409 while it runs', async () => {
  const start = registrations.get(FUNCTION.startReboot)!;
  const clientBinding = binding(FUNCTION.startReboot, 'durableClient');
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
  const contextWithClient = (name: string): InvocationContext => {
    const input = { name: String(clientBinding.name), type: 'durableClient' };
    const context = quietContext(name, { options: { trigger: { name: 'req', type: 'httpTrigger' }, extraInputs: [input], extraOutputs: [] } });
    context.extraInputs.set(input, clientData);
    return context;
  };
  const post = (): HttpRequest => new HttpRequest({ method: 'POST', url: "http://localhost:7071/api/devices/reg%23dev'1/reboot?code=fk", body: { string: '{"timeoutSeconds":60}' }, headers: { 'content-type': 'application/json' } });

  const first = await start.callback(post(), contextWithClient(FUNCTION.startReboot)) as HttpResponseInit;
  assert.equal(first.status, 202);
  const instanceId = rebootInstanceId("reg#dev'1", 1);
  assert.equal((first.headers as Record<string, string>).Location, `http://localhost:7071/api/operations/${instanceId}?code=fk`);
  assert.equal(instances.get(instanceId)?.name, FUNCTION.rebootOrchestrator);
  assert.equal((instances.get(instanceId)?.input as { deviceId: string }).deviceId, "reg#dev'1");

  const second = await start.callback(post(), contextWithClient(FUNCTION.startReboot)) as HttpResponseInit;
  assert.equal(second.status, 409, "the real client's 404/202 answers drive the duplicate check");

  const status = registrations.get(FUNCTION.getOperationStatus)!;
  const running = await status.callback(new HttpRequest({ method: 'GET', url: (first.headers as Record<string, string>).Location! }), contextWithClient(FUNCTION.getOperationStatus)) as HttpResponseInit;
  assert.equal(running.status, 202);
  const unknown = await status.callback(new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/operations/${rebootInstanceId('nobody', 1)}` }),
    contextWithClient(FUNCTION.getOperationStatus)) as HttpResponseInit;
  assert.equal(unknown.status, 404, "the real client's 404 error is recognised");
});

test('the anonymous OpenAPI function serves the document', async () => {
  const response = await registrations.get(FUNCTION.getOpenApiDocument)!.callback(
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
  const iotHubSetting = process.env.IOTHUB_CONNECTION_STRING;
  try {
    delete process.env.IOTHUB_CONNECTION_STRING;
    fresh();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.throws(() => require(appSettings), /^ConfigError: Invalid app setting IOTHUB_CONNECTION_STRING: missing/m);
    process.env.IOTHUB_CONNECTION_STRING = 'HostName=h;SharedAccessKeyName=p;SharedAccessKey=%%%';
    fresh();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.throws(() => require(appSettings), (err: unknown) => err instanceof Error && err.message === 'Invalid app setting IOTHUB_CONNECTION_STRING: SharedAccessKey is not base64.');
  } finally {
    process.env.IOTHUB_CONNECTION_STRING = iotHubSetting;
    fresh();
  }
});
