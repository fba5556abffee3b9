// azure.yaml against the fields azd documents (https://learn.microsoft.com/azure/developer/azure-developer-cli/azd-schema,
// schema https://raw.githubusercontent.com/Azure/azure-dev/main/schemas/v1.0/azure.yaml.json), and against this project.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, readRepoFile } from './repoRoot';

const TOP_LEVEL = ['name', 'resourceGroup', 'metadata', 'infra', 'services', 'pipeline', 'hooks', 'requiredVersions', 'state', 'platform', 'workflows', 'cloud', 'resources'];
const INFRA = ['provider', 'path', 'module', 'layers'];
const SERVICE = ['apiVersion', 'resourceGroup', 'resourceName', 'project', 'image', 'host', 'language', 'module', 'dist', 'remoteBuild', 'docker', 'k8s', 'config', 'uses', 'env', 'hooks'];
const HOSTS = ['appservice', 'containerapp', 'function', 'springapp', 'staticwebapp', 'aks', 'ai.endpoint'];
const LANGUAGES = ['dotnet', 'csharp', 'fsharp', 'py', 'python', 'js', 'ts', 'java', 'go', 'golang', 'docker'];

interface AzureYaml {
  name: string;
  infra?: Record<string, unknown>;
  services: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

const doc = parse(readRepoFile('azure.yaml')) as AzureYaml;

describe('azure.yaml', () => {
  test('uses only documented top-level and infra fields', () => {
    for (const key of Object.keys(doc)) assert.ok(TOP_LEVEL.includes(key), key);
    for (const key of Object.keys(doc.infra ?? {})) assert.ok(INFRA.includes(key), `infra.${key}`);
    assert.match(doc.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  test('infra points at main.bicep and its parameters file', () => {
    const dir = String(doc.infra?.path ?? 'infra');
    const module = String(doc.infra?.module ?? 'main');
    assert.equal(doc.infra?.provider ?? 'bicep', 'bicep');
    assert.ok(fs.existsSync(path.join(REPO_ROOT, dir, `${module}.bicep`)));
    const parameters = JSON.parse(readRepoFile(`${dir}/${module}.parameters.json`)) as { parameters: Record<string, { value: string }> };
    assert.equal(parameters.parameters.environmentName?.value, '${AZURE_ENV_NAME}');
    assert.equal(parameters.parameters.location?.value, '${AZURE_LOCATION}');
    const bicep = readRepoFile(`${dir}/${module}.bicep`);
    for (const name of Object.keys(parameters.parameters)) assert.match(bicep, new RegExp(`^param ${name} `, 'm'), `parameter ${name} is declared`);
  });

  for (const [name, service] of Object.entries(doc.services)) {
    describe(`service ${name}`, () => {
      test('uses only documented fields and values', () => {
        for (const key of Object.keys(service)) assert.ok(SERVICE.includes(key), key);
        assert.ok(HOSTS.includes(String(service.host)), String(service.host));
        assert.ok(LANGUAGES.includes(String(service.language)), String(service.language));
        assert.equal(typeof (service.remoteBuild ?? false), 'boolean');
      });

      test('deploys what npm run package stages, as-is', () => {
        assert.equal(service.host, 'function');
        assert.equal(service.remoteBuild, false, 'the staged package already holds its production node_modules');
        assert.equal(service.dist, '.deploy/app');
        const pkg = JSON.parse(readRepoFile(path.join(String(service.project), 'package.json'))) as { scripts: Record<string, string> };
        assert.match(pkg.scripts.package ?? '', /dist\/scripts\/package\.js/);
        assert.match(readRepoFile('scripts/packageApp.ts'), /path\.join\(outDir, 'app'\)/);
      });

      test('the function app carries the azd-service-name tag azd looks for', () => {
        assert.match(readRepoFile('infra/main.bicep'), new RegExp(`'azd-service-name': '${name}'`));
      });
    });
  }
});
