// The OpenAPI 2.0 document, validated with @apidevtools/swagger-parser (schema and semantic checks), and
// checked against what the handlers actually do.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { HttpRequest } from '@azure/functions';
import { OPERATION_REQUEST_FIELDS } from '../../../src/domain/operationRequest';
import { MAX_FW_PACKAGE_URI_LENGTH } from '../../../src/domain/operations/firmwareUpdate';
import { OPERATION_KINDS } from '../../../src/domain/operations/operationKind';
import { DELIVERIES, OUTCOMES } from '../../../src/domain/outcomes';
import { buildOpenApiDocument, getOpenApiDocument } from '../../../src/http/openApiDocument';
import { ROUTE, ROUTE_PREFIX, startRoute } from '../../../src/http/routes';
import { ROLLOUT_ROUTE } from '../../../src/http/rolloutRoutes';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('served document is valid Swagger 2.0 for the host and scheme it was requested on', async () => {
  const response = getOpenApiDocument(new HttpRequest({ method: 'GET', url: 'https://devices-app.azurewebsites.net/api/openapi.json' }));
  assert.equal(response.status, 200);
  const doc = response.jsonBody as Doc;
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.host, 'devices-app.azurewebsites.net');
  assert.deepEqual(doc.schemes, ['https']);
  assert.equal(doc.basePath, `/${ROUTE_PREFIX}`);
  // validate() dereferences in place; give it a copy.
  const validated = await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)));
  assert.equal((validated as Doc).info.title, 'IoT device management');
  const local = buildOpenApiDocument('localhost:7071', 'http');
  await SwaggerParser.validate(JSON.parse(JSON.stringify(local)));
  assert.deepEqual(local.schemes, ['http']);
});

test('paths are exactly the registered routes (a start route per kind), each operation with a unique operationId', () => {
  const doc = buildOpenApiDocument('h', 'https') as Doc;
  const expected = [...Object.values(ROUTE), ...OPERATION_KINDS.map(startRoute), ...Object.values(ROLLOUT_ROUTE)].map((route) => `/${route}`).sort();
  assert.deepEqual(Object.keys(doc.paths).sort(), expected);
  const ids = Object.values(doc.paths).flatMap((item) => Object.entries(item as Doc).filter(([key]) => !key.startsWith('x-')).map(([, op]) => (op as Doc).operationId));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(OPERATION_KINDS.map((kind) => doc.paths[`/devices/{deviceId}/${kind}`].post.operationId), ['StartReboot', 'StartFactoryReset', 'StartFirmwareUpdate']);
  assert.deepEqual(Object.keys(doc.paths['/operations/{instanceId}/cancel']), ['post']);
});

test('the long-running start is described the way Logic Apps follows it: 202 with Location and Retry-After, status 202/200', async (t) => {
  const doc = buildOpenApiDocument('h', 'https') as Doc;
  for (const kind of OPERATION_KINDS) {
    await t.test(kind, () => {
      const start = doc.paths[`/devices/{deviceId}/${kind}`].post;
      assert.ok(start.responses['202'].headers.Location);
      assert.ok(start.responses['202'].headers['Retry-After']);
      assert.deepEqual(start.responses['202'].schema, { $ref: '#/definitions/OperationAccepted' });
      for (const code of ['400', '401', '409', '413', '415']) assert.ok(start.responses[code], code);
      const bodyParameter = start.parameters.find((p: Doc) => p.in === 'body');
      assert.equal(bodyParameter.required, kind === 'firmwareUpdate');
    });
  }
  const status = doc.paths['/operations/{instanceId}'].get;
  assert.ok(status.responses['202'].headers.Location);
  assert.ok(status.responses['200'] && status.responses['404']);
  const cancel = doc.paths['/operations/{instanceId}/cancel'].post;
  for (const code of ['202', '404', '409']) assert.ok(cancel.responses[code], code);
  assert.deepEqual(doc.paths['/openapi.json'].get.security, [], 'the document itself is anonymous');
  assert.deepEqual(doc.security, [{ functionKey: [] }]);
  assert.equal(doc.securityDefinitions.functionKey.name, 'x-functions-key');
});

test('the accepted body is exactly what the start answers: ids and our own URLs, nothing of Durable', () => {
  const accepted = (buildOpenApiDocument('h', 'https') as Doc).definitions.OperationAccepted;
  assert.deepEqual(Object.keys(accepted.properties).sort(), ['cancelUrl', 'deviceId', 'instanceId', 'operation', 'statusUrl']);
  assert.deepEqual(accepted.required.sort(), ['cancelUrl', 'deviceId', 'instanceId', 'operation', 'statusUrl']);
  assert.doesNotMatch(JSON.stringify(buildOpenApiDocument('h', 'https')), /durabletask|runtime\/webhooks|statusQueryGetUri|sendEventPostUri/);
});

test('the request schemas match the validator: same fields, ranges and defaults; no extra fields; firmware needs fwPackageUri', () => {
  const definitions = (buildOpenApiDocument('h', 'https') as Doc).definitions;
  for (const name of ['OperationRequest', 'FirmwareUpdateRequest']) {
    const schema = definitions[name];
    assert.equal(schema.additionalProperties, false, name);
    assert.deepEqual(Object.keys(schema.properties).sort(), ['payload', 'callbackUrl', ...OPERATION_REQUEST_FIELDS.map((f) => f.name)].sort(), name);
    for (const field of OPERATION_REQUEST_FIELDS) {
      const property = schema.properties[field.name];
      assert.deepEqual([property.minimum, property.maximum, property.default], [field.min, field.max, field.defaultValue], `${name}.${field.name}`);
    }
  }
  const firmware = definitions.FirmwareUpdateRequest;
  assert.deepEqual(firmware.required, ['payload']);
  assert.deepEqual(firmware.properties.payload.required, ['fwPackageUri']);
  assert.equal(firmware.properties.payload.properties.fwPackageUri.maxLength, MAX_FW_PACKAGE_URI_LENGTH);
});

test('outcomes, deliveries and kinds in the schemas are the code\'s own lists', () => {
  const definitions = (buildOpenApiDocument('h', 'https') as Doc).definitions;
  assert.deepEqual(definitions.OperationResult.properties.outcome.enum, [...OUTCOMES]);
  assert.deepEqual(definitions.OperationResult.properties.delivery.enum, [...DELIVERIES]);
  assert.deepEqual(definitions.OperationFinished.properties.outcome.enum, [...OUTCOMES]);
  assert.deepEqual(definitions.OperationAccepted.properties.operation.enum, [...OPERATION_KINDS]);
  const report = (buildOpenApiDocument('h', 'https') as Doc).paths['/reports/{operation}'].get;
  assert.deepEqual(report.parameters.find((p: Doc) => p.name === 'operation').enum, [...OPERATION_KINDS]);
});
