// The OpenAPI 2.0 document, validated with @apidevtools/swagger-parser (schema and semantic checks), and
// checked against what the handlers actually do.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { HttpRequest } from '@azure/functions';
import { REBOOT_REQUEST_FIELDS } from '../../../src/domain/rebootRequest';
import { buildOpenApiDocument, getOpenApiDocument } from '../../../src/http/openApiDocument';
import { ROUTE, ROUTE_PREFIX } from '../../../src/http/routes';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('served document is valid Swagger 2.0 for the host and scheme it was requested on', async () => {
  const response = getOpenApiDocument(new HttpRequest({ method: 'GET', url: 'https://reboot-app.azurewebsites.net/api/openapi.json' }));
  assert.equal(response.status, 200);
  const doc = response.jsonBody as Doc;
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.host, 'reboot-app.azurewebsites.net');
  assert.deepEqual(doc.schemes, ['https']);
  assert.equal(doc.basePath, `/${ROUTE_PREFIX}`);
  // validate() dereferences in place; give it a copy.
  const validated = await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)));
  assert.equal((validated as Doc).info.title, 'IoT device reboot');
  const local = buildOpenApiDocument('localhost:7071', 'http');
  await SwaggerParser.validate(JSON.parse(JSON.stringify(local)));
  assert.deepEqual(local.schemes, ['http']);
});

test('paths are exactly the registered routes, each with a unique operationId', () => {
  const doc = buildOpenApiDocument('h', 'https') as Doc;
  const expected = Object.values(ROUTE).map((route) => `/${route}`).sort();
  assert.deepEqual(Object.keys(doc.paths).sort(), expected);
  const ids = Object.values(doc.paths).flatMap((item) => Object.values(item as Doc).map((op) => (op as Doc).operationId));
  assert.equal(new Set(ids).size, ids.length);
});

test('the long-running start is described the way Logic Apps follows it: 202 with Location and Retry-After, status 202/200', () => {
  const doc = buildOpenApiDocument('h', 'https') as Doc;
  const start = doc.paths['/devices/{deviceId}/reboot'].post;
  assert.ok(start.responses['202'].headers.Location);
  assert.ok(start.responses['202'].headers['Retry-After']);
  for (const code of ['400', '401', '409', '413']) assert.ok(start.responses[code], code);
  const status = doc.paths['/operations/{instanceId}'].get;
  assert.ok(status.responses['202'].headers.Location);
  assert.ok(status.responses['200']);
  assert.ok(status.responses['404']);
  assert.deepEqual(doc.paths['/openapi.json'].get.security, [], 'the document itself is anonymous');
  assert.deepEqual(doc.securityDefinitions.functionKey, { type: 'apiKey', in: 'header', name: 'x-functions-key', description: doc.securityDefinitions.functionKey.description });
});

test('the request schema matches the validator: same fields, ranges and defaults; no extra fields allowed', () => {
  const schema = (buildOpenApiDocument('h', 'https') as Doc).definitions.RebootRequest;
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties).sort(), ['payload', ...REBOOT_REQUEST_FIELDS.map((f) => f.name)].sort());
  for (const field of REBOOT_REQUEST_FIELDS) {
    const property = schema.properties[field.name];
    assert.deepEqual([property.minimum, property.maximum, property.default], [field.min, field.max, field.defaultValue], field.name);
  }
});
