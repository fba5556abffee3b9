// Loads the app like the Node worker's startApp.ts: read package.json, expand `main`, load each entry
// point (require, or import() for ES modules), then run the appStart hooks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CoreLog, FunctionRegistry } from './coreApi';
import { expandEntryPointPattern, hasMagic } from './glob';
import { runHooks } from './hooks';

interface PackageJson {
  main?: string;
  type?: string;
}

function readPackageJson(appRoot: string, log: CoreLog): PackageJson {
  try {
    return JSON.parse(fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as PackageJson;
  } catch (err) {
    log('warning', 'system', `Worker failed to load package.json: ${(err as Error).message}`);
    return {};
  }
}

function isEsModule(file: string, pkg: PackageJson): boolean {
  return file.endsWith('.mjs') || (pkg.type === 'module' && !file.endsWith('.cjs'));
}

// A real dynamic import that TypeScript's CommonJS output must not turn into require().
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export async function loadApp(appRoot: string, registry: FunctionRegistry, log: CoreLog): Promise<void> {
  const pkg = readPackageJson(appRoot, log);
  const pattern = pkg.main || 'index.js';
  const files = expandEntryPointPattern(appRoot, pattern);
  if (files.length === 0) {
    const reason = hasMagic(pattern) ? 'Found zero files matching the supplied pattern' : 'File does not exist';
    throw new Error(`Worker was unable to load entry point "${pattern}": ${reason}`);
  }
  for (const file of files) {
    const full = path.join(appRoot, file);
    try {
      if (isEsModule(file, pkg)) await dynamicImport(pathToFileURL(full).href);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- entry points load like the worker's loadScriptFile
      else require(full);
    } catch (err) {
      throw new Error(`Worker was unable to load entry point "${file}": ${(err as Error).message}`);
    }
  }
  warnOnSecondLibraryCopy(appRoot, log);
  await runHooks(registry.hooksFor('appStart'), {
    get hookData() {
      return registry.appLevelOnlyHookData;
    },
    get appHookData() {
      return registry.appHookData;
    },
    functionAppDirectory: appRoot,
  });
  registry.startupComplete = true;
}

/** Two copies of @azure/functions break `instanceof HttpResponse` in durable-functions (research §6.13). */
function warnOnSecondLibraryCopy(appRoot: string, log: CoreLog): void {
  try {
    const appCopy = require.resolve('@azure/functions', { paths: [appRoot] });
    const durable = require.resolve('durable-functions', { paths: [appRoot] });
    const durableCopy = require.resolve('@azure/functions', { paths: [path.dirname(durable)] });
    if (appCopy !== durableCopy) {
      log('warning', 'system', `Two copies of @azure/functions are loaded (${appCopy} and ${durableCopy}); HTTP responses built by durable-functions may be rejected.`);
    }
  } catch {
    // The app does not use durable-functions, or resolves it differently: nothing to compare.
  }
}
