// The Logic Apps workflow samples in examples/logic-app: parsed as JSON, and every request they make checked
// against the app — method and URL match a route of the OpenAPI document (itself checked against the registered
// functions), start bodies pass the app's own request validation, the webhook passes listCallbackUrl() to
// subscribe and unsubscribe, the waits outlast the operation's deadline, and the branches read fields and values
// that the final status (polling) or the callback (webhook) carries.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CALLBACK_STATUSES } from '../../src/domain/callbacks/callbackStatus';
import { parseOperationRequest } from '../../src/domain/operationRequest';
import { operationDefinition } from '../../src/domain/operations/registry';
import { isOperationKind } from '../../src/domain/operations/operationKind';
import { OUTCOMES } from '../../src/domain/outcomes';
import { takeCallbackUrl } from '../../src/http/callbackSubscription';
import { buildOpenApiDocument } from '../../src/http/openApiDocument';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SAMPLES = path.resolve(__dirname, '..', '..', '..', 'examples', 'logic-app');
const BASE = 'https://devices-app.azurewebsites.net';
const DEVICE = "line#3?o'hara";
const doc = buildOpenApiDocument('devices-app.azurewebsites.net', 'https') as Json;

interface SampleRequest { action: string; role: string; method: string; uri: string; headers: Json; body: unknown; timeout: string | undefined }

function load(file: string): Json {
  return JSON.parse(fs.readFileSync(path.join(SAMPLES, file), 'utf8')) as Json;
}

/** Every action, nested ones (If, Switch, Scope) included. */
function allActions(actions: Json | undefined): Array<[string, Json]> {
  return Object.entries(actions ?? {}).flatMap(([name, action]) => [
    [name, action as Json] as [string, Json],
    ...allActions((action as Json).actions), ...allActions((action as Json).else?.actions), ...allActions((action as Json).default?.actions),
    ...Object.values((action as Json).cases ?? {}).flatMap((c) => allActions((c as Json).actions)),
  ]);
}

function requests(definition: Json): SampleRequest[] {
  return allActions(definition.actions).flatMap(([name, action]) => {
    const timeout = action.limit?.timeout as string | undefined;
    if (action.type === 'Http') return [{ action: name, role: 'request', ...action.inputs, timeout }];
    if (action.type === 'HttpWebhook') {
      return (['subscribe', 'unsubscribe'] as const).map((role) => ({ action: name, role, ...action.inputs[role], timeout }));
    }
    return [];
  });
}

/** The URL as Logic Apps would send it for DEVICE on BASE. */
function resolveUri(uri: string): URL {
  const text = uri.replace("@{parameters('appBaseUrl')}", BASE).replace(/@\{encodeUriComponent\([^}]*\)\}/g, encodeURIComponent(DEVICE));
  assert.ok(!text.includes('@{'), `${uri}: an expression this test does not know`);
  return new URL(text);
}

/** The OpenAPI path template a request matches, with its route values. */
function route(method: string, url: URL): { template: string; values: Record<string, string> } {
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    if (!(method.toLowerCase() in (item as Json))) continue;
    const names: string[] = [];
    const pattern = new RegExp(`^${doc.basePath}${template.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_, name: string) => { names.push(name); return '([^/]+)'; })}$`);
    const match = pattern.exec(url.pathname);
    if (match !== null) return { template, values: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)])) };
  }
  assert.fail(`${method} ${url.pathname} matches no route of the app`);
}

/** A sample body with its expressions replaced by the values a run would send. */
function concrete(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && value.includes('@')) return key === 'fwPackageUri' ? 'https://firmware.example.com/3.0.0.bin' : 'sample';
  if (Array.isArray(value)) return value.map((v) => concrete(v));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, concrete(v, k)]));
  return value;
}

function isoSeconds(duration: string): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(duration);
  assert.ok(match !== null, `limit.timeout ${duration} is an ISO 8601 duration`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

const SAMPLE_FILES = [
  { file: 'reboot-with-polling.json', kind: 'reboot', actionType: 'Http', branchField: 'outcome', values: OUTCOMES as readonly string[], result: 'OperationResult' },
  { file: 'firmware-update-with-webhook.json', kind: 'firmwareUpdate', actionType: 'HttpWebhook', branchField: 'status', values: CALLBACK_STATUSES as readonly string[], result: 'OperationCallback' },
];

test('examples/logic-app holds exactly the documented samples, each a workflow definition', () => {
  assert.deepEqual(fs.readdirSync(SAMPLES).sort(), SAMPLE_FILES.map((s) => s.file).sort());
  for (const { file } of SAMPLE_FILES) {
    const definition = load(file).definition as Json;
    assert.match(definition.$schema, /Microsoft\.Logic\/schemas\/2016-06-01\/workflowdefinition\.json#$/, file);
    assert.equal(definition.triggers.manual.type, 'Request', file);
  }
});

for (const sample of SAMPLE_FILES) {
  test(`${sample.file}: its requests match the app's routes, methods and bodies`, async (t) => {
    const definition = load(sample.file).definition as Json;
    const made = requests(definition);
    assert.ok(made.length > 0);
    for (const request of made) {
      await t.test(`${request.action} ${request.role}`, () => {
        const url = resolveUri(request.uri);
        assert.equal(url.origin, BASE);
        const { template, values } = route(request.method, url);
        assert.equal(request.headers['x-functions-key'], "@{parameters('functionKey')}", 'the function key comes from a secure parameter');
        assert.match(request.headers['Content-Type'], /^application\/json/);
        if (request.role === 'unsubscribe') {
          assert.equal(template, '/callbacks/unsubscribe');
          assert.equal((request.body as Json).callbackUrl, '@{listCallbackUrl()}');
          const allowed = Object.keys(doc.definitions.UnsubscribeRequest.properties);
          for (const field of Object.keys(request.body as Json)) assert.ok(allowed.includes(field), field);
          return;
        }
        const kind = template.split('/').pop()!;
        assert.ok(isOperationKind(kind), `${template} is a start route`);
        assert.equal(kind, sample.kind);
        assert.equal(values.deviceId, DEVICE, 'the device id travels percent-encoded');
        const { callback, rest } = takeCallbackUrl(request.body);
        if (sample.actionType === 'HttpWebhook') assert.equal(callback, '@{listCallbackUrl()}', 'subscribe passes listCallbackUrl()');
        else assert.equal(callback, undefined, 'the polling sample asks for no callback');
        const parsed = parseOperationRequest(concrete(rest), operationDefinition(kind).payloadRule);
        assert.ok(request.timeout !== undefined, 'the action has limit.timeout');
        assert.ok(isoSeconds(request.timeout) > parsed.timeoutSeconds, 'the action waits longer than the operation may take');
      });
    }
    await t.test('the workflow branches on a field and values the app sends', () => {
      const text = JSON.stringify(definition);
      const fields = [...text.matchAll(/body\('[^']+'\)\?\['(\w+)'\]/g)].map((m) => m[1]!);
      assert.ok(fields.includes(sample.branchField), `branches on ${sample.branchField}`);
      const properties = { ...doc.definitions[sample.result].properties, ...doc.definitions.OperationResult.properties };
      for (const field of fields) assert.ok(field in properties, `${field} is a field of ${sample.result}`);
      const compared = [
        ...[...text.matchAll(/"equals":\["@body\('[^']+'\)\?\['\w+'\]","(\w+)"\]/g)].map((m) => m[1]!),
        ...Object.values(allActions(definition.actions).find(([, a]) => a.type === 'Switch')?.[1].cases ?? {}).map((c) => (c as Json).case as string),
      ];
      assert.ok(compared.length > 0);
      for (const value of compared) assert.ok(sample.values.includes(value), `${value} is a ${sample.branchField} the app sends`);
    });
  });
}
