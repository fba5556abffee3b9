// The packages a deployment needs, read from package-lock.json: every installed package that is not dev-only.
// npm marks dev-only entries with `dev: true` (https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json#packages),
// so the lock file, not a fresh `npm install`, decides: packaging stays offline and matches what the tests ran.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface LockEntry {
  dev?: boolean;
  link?: boolean;
  optional?: boolean;
}

interface LockFile {
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}

/** Relative folders (`node_modules/a`, `node_modules/a/node_modules/b`) of the production packages present on disk. */
export function productionPackageFolders(root: string): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as LockFile;
  if (lock.packages === undefined || (lock.lockfileVersion ?? 0) < 2) {
    throw new Error('package-lock.json has no "packages" section (lockfileVersion 2 or later is needed); run npm install with npm 7+.');
  }
  const folders: string[] = [];
  for (const [folder, entry] of Object.entries(lock.packages)) {
    if (folder === '' || entry.dev === true) continue;
    if (entry.link === true) throw new Error(`${folder} is a linked package; packaging copies real folders only.`);
    if (!fs.existsSync(path.join(root, folder, 'package.json'))) {
      // Optional packages for other platforms are listed but not installed.
      if (entry.optional === true) continue;
      throw new Error(`${folder} is a production dependency but is not installed; run npm ci first.`);
    }
    folders.push(folder);
  }
  return folders.sort();
}
