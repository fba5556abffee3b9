// local.settings.json `Values` become environment variables, without overwriting variables that are
// already set (what Core Tools does).
import * as fs from 'node:fs';
import * as path from 'node:path';

export function readLocalSettingsValues(appRoot: string): Record<string, string> {
  const file = path.join(appRoot, 'local.settings.json');
  if (!fs.existsSync(file)) return {};
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(json.Values ?? {})) {
    if (value !== null && value !== undefined) values[key] = String(value);
  }
  return values;
}

/** Layering: the process environment wins over local.settings.json; `extra` (host options) wins over both. */
export function buildAppEnvironment(base: NodeJS.ProcessEnv, localValues: Record<string, string>, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [key, value] of Object.entries(localValues)) {
    if (env[key] === undefined) env[key] = value;
  }
  Object.assign(env, extra);
  return env;
}
