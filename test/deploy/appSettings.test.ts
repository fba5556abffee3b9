// Every app setting the app or the host reads is either set by the Bicep or documented as optional on Azure.
// The lists come from src/config.ts at test time, so a new setting fails here until it is deployed or documented.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bicepAppSettingNames, configSettingNames, readmeOptionalSettings } from './appSettingNames';

const bicep = new Set(bicepAppSettingNames());
const documented = new Set(readmeOptionalSettings());

/** Set by the Bicep, or as an identity-based connection (`<name>__credential`, `__clientId`, `__*ServiceUri`). */
function setByBicep(name: string): boolean {
  return bicep.has(name) || [...bicep].some((key) => key.startsWith(`${name}__`));
}

describe('app settings on Azure', () => {
  for (const block of ['SETTING', 'HOST_SETTING'] as const) {
    describe(`src/config.ts ${block}`, () => {
      for (const name of configSettingNames(block)) {
        test(name, () => {
          assert.ok(setByBicep(name) || documented.has(name),
            `${name} is read by the app but neither set in infra/app/function-app.bicep nor listed in README "App settings on Azure"`);
        });
      }
    });
  }

  test('the identity-based storage connection is complete', () => {
    for (const suffix of ['credential', 'clientId', 'blobServiceUri', 'queueServiceUri', 'tableServiceUri']) {
      assert.ok(bicep.has(`AzureWebJobsStorage__${suffix}`), `AzureWebJobsStorage__${suffix}`);
    }
  });

  test('the app reaches the hub and the table by identity, never by connection string', () => {
    for (const name of ['IOTHUB_HOST_NAME', 'OPERATIONS_TABLE_ENDPOINT', 'AZURE_CLIENT_ID']) assert.ok(bicep.has(name), `${name} is set`);
    for (const name of ['IOTHUB_CONNECTION_STRING', 'OPERATIONS_STORAGE', 'AzureWebJobsStorage']) assert.ok(!bicep.has(name), `${name} is not set`);
  });

  test('nothing documented as optional is also set by the Bicep (one source of truth per setting)', () => {
    for (const name of documented) assert.ok(!bicep.has(name), `${name} is both set and listed as optional`);
  });
});
