// The OpenAPI document against the Power Platform custom-connector schema (stricter than Swagger 2.0: unknown
// x-ms-* extensions are rejected), plus the connector conventions that schema cannot express: every operation has
// a summary, a description and a response schema for its success answers.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildOpenApiDocument } from '../../../src/http/openApiDocument';
import { loadConnectorValidator } from '../../support/connectorSchema';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const validate = loadConnectorValidator();
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operations(doc: Doc): Array<{ name: string; op: Doc }> {
  return Object.entries(doc.paths as Doc).flatMap(([route, item]) =>
    Object.entries(item as Doc).filter(([method]) => METHODS.includes(method)).map(([method, op]) => ({ name: `${method.toUpperCase()} ${route}`, op: op as Doc })));
}

test('the served document passes the Power Platform connector schema, for https and http hosts', async (t) => {
  for (const [host, scheme] of [['devices-app.azurewebsites.net', 'https'], ['127.0.0.1:7071', 'http']] as const) {
    await t.test(`${scheme}://${host}`, () => {
      const problems = validate(buildOpenApiDocument(host, scheme));
      assert.deepEqual(problems, [], JSON.stringify(problems, null, 2));
    });
  }
});

test('the connector schema check can fail: an unknown x-ms extension and a bad x-ms-visibility are refused', async (t) => {
  const cases: Array<{ name: string; spoil: (doc: Doc) => void }> = [
    { name: 'unknown x-ms-* on an operation', spoil: (doc) => { doc.paths['/operations/{instanceId}'].get['x-ms-made-up'] = true; } },
    { name: 'x-ms-visibility outside its enum', spoil: (doc) => { doc.paths['/operations/{instanceId}'].get['x-ms-visibility'] = 'hidden'; } },
    { name: 'unknown top-level property', spoil: (doc) => { doc.extra = 1; } },
  ];
  for (const { name, spoil } of cases) {
    await t.test(name, () => {
      const doc = buildOpenApiDocument('h.example', 'https') as Doc;
      spoil(doc);
      assert.notDeepEqual(validate(doc), []);
    });
  }
});

test('every operation has a short summary, a description, a visibility and a schema for each 2xx answer', async (t) => {
  const doc = buildOpenApiDocument('h.example', 'https') as Doc;
  for (const { name, op } of operations(doc)) {
    await t.test(name, () => {
      assert.equal(typeof op.summary, 'string', 'summary');
      assert.ok(op.summary.length <= 80 && !op.summary.endsWith('.'), `summary "${op.summary}" is a short title`);
      assert.equal(typeof op.description, 'string', 'description');
      assert.ok(['important', 'advanced', 'internal'].includes(op['x-ms-visibility']), 'x-ms-visibility');
      for (const [code, response] of Object.entries(op.responses as Doc)) {
        if (code.startsWith('2')) assert.ok((response as Doc).schema, `${code} has a schema`);
      }
      for (const parameter of op.parameters ?? []) {
        if (parameter.in !== 'body') assert.equal(typeof parameter['x-ms-summary'], 'string', `parameter ${parameter.name} has x-ms-summary`);
        assert.equal(typeof parameter.description, 'string', `parameter ${parameter.name} has a description`);
      }
    });
  }
});
