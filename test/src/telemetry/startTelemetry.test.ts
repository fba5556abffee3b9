// Telemetry through the real Azure Monitor distro, with an in-memory exporter beside its own: invocation spans
// carry device, instance, operation and outcome; keys never appear.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type * as httpModule from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext, PreInvocationContext, type FunctionHandler } from '@azure/functions';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { shutdownAzureMonitor } from '@azure/monitor-opentelemetry';
import { ATTR } from '../../../src/telemetry/attributes';
import { entraAuthentication, startTelemetry, TELEMETRY_SETTING } from '../../../src/telemetry/startTelemetry';

const SECRET = 'c2VjcmV0LWZ1bmN0aW9uLWtleQ==';
const memory = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(memory);
const hooks: Array<(context: PreInvocationContext) => void> = [];
let target: httpModule.Server;
let http: typeof httpModule;

/** Runs one invocation through the registered hooks, as the worker does, and returns the handler's result. */
async function invoke(functionName: string, trigger: string, input: unknown, handler: FunctionHandler): Promise<unknown> {
  const invocationContext = new InvocationContext({ functionName, invocationId: `inv-${functionName}`, options: { trigger: { type: trigger, name: 'input' } } });
  const pre = new PreInvocationContext({ invocationContext, inputs: [input], functionCallback: handler });
  for (const hook of hooks) hook(pre);
  return pre.functionHandler(input, invocationContext);
}

/** Finished spans with this name, once the processor has handed every ended span to the exporter. */
async function spansNamed(name: string): Promise<ReadableSpan[]> {
  await processor.forceFlush();
  return memory.getFinishedSpans().filter((span) => span.name === name);
}

function everyAttributeText(): string {
  return JSON.stringify(memory.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes })));
}

describe('startTelemetry', () => {
  before(async () => {
    // No network: statsbeat and the cloud resource detectors would call out; the ingestion endpoint refuses.
    process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';
    process.env.OTEL_NODE_RESOURCE_DETECTORS = 'env';
    const started = startTelemetry({
      [TELEMETRY_SETTING.connectionString]: 'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:1/',
    }, { preInvocation: (hook) => hooks.push(hook) }, { spanProcessors: [processor], offlineStorage: false });
    assert.equal(started, true);
    // Loaded through require after the distro started: its HTTP instrumentation patches CommonJS require only
    // (a dynamic import() would hand out the unpatched ESM namespace).
    http = createRequire(__filename)('http') as typeof httpModule;
    target = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    // The final export fails by design (nothing listens at the ingestion endpoint); the spans were checked in memory.
    await shutdownAzureMonitor().catch(() => undefined);
    target.closeAllConnections();
    await new Promise((resolve) => target.close(resolve));
  });

  test('is off without a connection string, and registers nothing', () => {
    const registered: unknown[] = [];
    for (const env of [{}, { [TELEMETRY_SETTING.connectionString]: '  ' }]) {
      assert.equal(startTelemetry(env, { preInvocation: (hook) => registered.push(hook) }), false);
    }
    assert.deepEqual(registered, []);
  });

  test('an activity span carries device, instance, operation, phase and outcome', async () => {
    const record = { deviceId: 'sim-001', instanceId: 'reboot-sim-001-1', operation: 'reboot', phase: 'completed', outcome: 'Succeeded', lastReported: { secret: SECRET } };
    await invoke('recordOperation', 'activityTrigger', record, () => undefined);
    const [span] = await spansNamed('recordOperation');
    assert.ok(span);
    assert.equal(span.attributes[ATTR.deviceId], 'sim-001');
    assert.equal(span.attributes[ATTR.instanceId], 'reboot-sim-001-1');
    assert.equal(span.attributes[ATTR.operation], 'reboot');
    assert.equal(span.attributes[ATTR.phase], 'completed');
    assert.equal(span.attributes[ATTR.outcome], 'Succeeded');
    assert.equal(span.attributes[ATTR.invocationId], 'inv-recordOperation');
  });

  test('a method result is recorded by kind and status, never by payload', async () => {
    const result = await invoke('invokeDeviceMethod', 'activityTrigger', { deviceId: 'sim-002', operation: 'reboot', payload: { token: SECRET } },
      () => Promise.resolve({ kind: 'rejected', response: { status: 403, payload: { key: SECRET } } }));
    assert.equal((result as { kind: string }).kind, 'rejected', 'the handler result passes through unchanged');
    const [span] = await spansNamed('invokeDeviceMethod');
    assert.equal(span?.attributes[ATTR.methodResult], 'rejected');
    assert.equal(span?.attributes[ATTR.methodStatus], 403);
    assert.equal(span?.attributes[ATTR.deviceId], 'sim-002');
  });

  test('an HTTP invocation: route ids as dimensions, its dependency call a child, the key scrubbed from the URL', async () => {
    const port = (target.address() as AddressInfo).port;
    const request = new HttpRequest({ method: 'GET', url: `http://localhost/api/operations/reboot-sim-003-1?code=${SECRET}`, params: { instanceId: 'reboot-sim-003-1' } });
    await invoke('getOperationStatus', 'httpTrigger', request, () => new Promise((resolve, reject) => {
      http.get(`http://127.0.0.1:${port}/twins/sim-003?code=${SECRET}&api-version=2021-04-12`, (res) => {
        res.resume().on('end', () => resolve({ status: 200 }));
      }).on('error', reject);
    }));
    const [span] = await spansNamed('getOperationStatus');
    assert.equal(span?.attributes[ATTR.instanceId], 'reboot-sim-003-1');
    const client = memory.getFinishedSpans().find((s) => s.parentSpanContext?.spanId === span?.spanContext().spanId);
    assert.ok(client, `a child span of the invocation: ${memory.getFinishedSpans().map((s) => s.name).join(', ')}`);
    assert.equal(client.spanContext().traceId, span?.spanContext().traceId);
    assert.match(JSON.stringify(client.attributes), /code=\[REDACTED\]/);
    assert.ok(!everyAttributeText().includes(SECRET), 'no span attribute holds the key');
  });

  test('a failure ends the span as an error with the error type only', async () => {
    await assert.rejects(invoke('readDeviceState', 'activityTrigger', { deviceId: 'sim-004' }, () => {
      throw new TypeError(`cannot read ${SECRET}`);
    }), TypeError);
    const [span] = await spansNamed('readDeviceState');
    assert.equal(span?.status.code, 2);
    assert.equal(span?.attributes[ATTR.errorType], 'TypeError');
    assert.ok(!everyAttributeText().includes(SECRET));
  });

  test('orchestrator invocations (replays) get no span and keep their handler', async () => {
    const handler: FunctionHandler = () => 'state';
    const invocationContext = new InvocationContext({ functionName: 'deviceOperation', options: { trigger: { type: 'orchestrationTrigger', name: 'context' } } });
    const pre = new PreInvocationContext({ invocationContext, inputs: [{}], functionCallback: handler });
    for (const hook of hooks) hook(pre);
    assert.equal(pre.functionHandler, handler);
    assert.equal((await spansNamed('deviceOperation')).length, 0);
  });
});

describe('entraAuthentication', () => {
  const cases: Array<[string | undefined, { clientId: string | undefined } | null]> = [
    [undefined, null],
    ['ClientId=1111;Authorization=AAD', { clientId: '1111' }],
    ['Authorization=AAD', { clientId: undefined }],
    ['authorization=aad; clientid=2222', { clientId: '2222' }],
    ['ClientId=1111', null],
  ];
  for (const [value, expected] of cases) {
    test(String(value), () => assert.deepEqual(entraAuthentication(value), expected));
  }
});
