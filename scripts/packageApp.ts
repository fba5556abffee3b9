// Builds the deployment package for Flex Consumption: the compiled app, host.json, a trimmed package.json and the
// production dependencies. It is zipped (what `az functionapp deployment source config-zip` and One Deploy take) and,
// optionally, staged as a folder (what azd zips itself: `dist` in azure.yaml). Nothing from local/, test/, bench/,
// scripts/ or devDependencies goes in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ZipFile } from 'yazl';
import { productionPackageFolders } from './productionDependencies';

export interface PackageOptions {
  /** Where .deploy/app.zip (and .deploy/app) go. Default: <root>/.deploy. */
  outDir?: string;
  /** Also copy the files into <outDir>/app. Default true. */
  stage?: boolean;
}

export interface PackageResult {
  zipPath: string;
  stageDir: string | null;
  /** Archive paths, sorted. */
  entries: string[];
  zipBytes: number;
}

/** Compiled folders that run on Azure (package.json `main` is dist/functions/*.js; those import dist/src). */
const APP_FOLDERS = ['dist/functions', 'dist/src'];
/** Fixed entry time: the same inputs give the same zip bytes. */
const ENTRY_TIME = new Date(Date.UTC(2020, 0, 1));
/** Type declarations, source maps, TypeScript sources and Markdown are never loaded at run time. */
const NOT_RUNTIME = /(\.d\.[cm]?ts|\.[cm]?ts|\.map|\.md)$/i;

interface PackageJson {
  name: string;
  version: string;
  main?: string;
  type?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** One file of the package: its bytes come from `source`, or from `content` for generated files. */
interface Entry {
  archivePath: string;
  source?: string;
  content?: Buffer;
}

export async function packageApp(root: string, options: PackageOptions = {}): Promise<PackageResult> {
  const outDir = options.outDir ?? path.join(root, '.deploy');
  const entries = collectEntries(root);
  const zipPath = path.join(outDir, 'app.zip');
  fs.mkdirSync(outDir, { recursive: true });
  fs.rmSync(zipPath, { force: true });
  let stageDir: string | null = null;
  if (options.stage !== false) {
    stageDir = path.join(outDir, 'app');
    fs.rmSync(stageDir, { recursive: true, force: true });
    for (const entry of entries) {
      const target = path.join(stageDir, ...entry.archivePath.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (entry.content !== undefined) fs.writeFileSync(target, entry.content);
      else fs.copyFileSync(entry.source!, target);
    }
  }
  await writeZip(entries, zipPath);
  return { zipPath, stageDir, entries: entries.map((e) => e.archivePath), zipBytes: fs.statSync(zipPath).size };
}

function collectEntries(root: string): Entry[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
  if (pkg.main !== 'dist/functions/*.js') throw new Error(`package.json "main" is ${JSON.stringify(pkg.main)}; packaging expects "dist/functions/*.js".`);
  for (const folder of APP_FOLDERS) {
    if (!fs.existsSync(path.join(root, folder))) throw new Error(`${folder} is missing: run npm run build first.`);
  }
  // Only what the Functions host and the worker read: no scripts, no devDependencies.
  const deployed: PackageJson = { name: pkg.name, version: pkg.version, main: pkg.main, engines: pkg.engines, dependencies: pkg.dependencies };
  if (pkg.type !== undefined) deployed.type = pkg.type;
  const entries: Entry[] = [
    { archivePath: 'package.json', content: Buffer.from(`${JSON.stringify(deployed, null, 2)}\n`) },
    { archivePath: 'host.json', source: path.join(root, 'host.json') },
  ];
  for (const folder of APP_FOLDERS) {
    walk(root, folder, (name) => name.endsWith('.js'), new Set(), entries);
  }
  for (const folder of productionPackageFolders(root)) {
    // Nested node_modules are lock entries of their own, added only if they are production ones too.
    walk(root, folder, (name) => !NOT_RUNTIME.test(name), new Set(['node_modules']), entries);
  }
  return entries.sort((a, b) => (a.archivePath < b.archivePath ? -1 : a.archivePath > b.archivePath ? 1 : 0));
}

function walk(root: string, relative: string, keepFile: (name: string) => boolean, skipDirs: ReadonlySet<string>, out: Entry[]): void {
  for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
    const child = `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) walk(root, child, keepFile, new Set(), out);
    } else if (entry.isSymbolicLink()) {
      throw new Error(`${child} is a symbolic link; a zip deployment would not keep it.`);
    } else if (entry.isFile() && keepFile(entry.name)) {
      out.push({ archivePath: child, source: path.join(root, ...child.split('/')) });
    }
  }
}

async function writeZip(entries: readonly Entry[], zipPath: string): Promise<void> {
  const zip = new ZipFile();
  for (const entry of entries) {
    if (entry.content !== undefined) {
      zip.addBuffer(entry.content, entry.archivePath, { mtime: ENTRY_TIME, mode: 0o100644 });
    } else {
      const mode = fs.statSync(entry.source!).mode;
      zip.addFile(entry.source!, entry.archivePath, { mtime: ENTRY_TIME, mode });
    }
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(zipPath);
    out.on('close', () => resolve());
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
}
