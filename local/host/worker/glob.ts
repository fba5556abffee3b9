// Expands package.json `main` the way the Node worker does with globby (src/startApp.ts): a pattern
// relative to the app root, `*` within a path segment, `**` across segments, `?` for one character.
import * as fs from 'node:fs';
import * as path from 'node:path';

function segmentToRegExp(segment: string): RegExp {
  let source = '';
  for (const ch of segment) {
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function hasMagic(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** Files under `root` matching `pattern`, as POSIX paths relative to root, sorted. */
export function expandEntryPointPattern(root: string, pattern: string): string[] {
  const segments = pattern.replace(/\\/g, '/').replace(/^\.\//, '').split('/').filter((s) => s !== '' && s !== '.');
  const results = new Set<string>();
  const walk = (dir: string, rel: string, index: number): void => {
    const segment = segments[index];
    if (segment === undefined) {
      if (fs.existsSync(dir) && fs.statSync(dir).isFile()) results.add(rel);
      return;
    }
    if (segment === '**') {
      walk(dir, rel, index + 1);
      for (const entry of safeReadDir(dir)) {
        if (entry.isDirectory() && entry.name !== 'node_modules') {
          walk(path.join(dir, entry.name), rel ? `${rel}/${entry.name}` : entry.name, index);
        }
      }
      return;
    }
    if (!hasMagic(segment)) {
      walk(path.join(dir, segment), rel ? `${rel}/${segment}` : segment, index + 1);
      return;
    }
    const re = segmentToRegExp(segment);
    for (const entry of safeReadDir(dir)) {
      if (re.test(entry.name)) walk(path.join(dir, entry.name), rel ? `${rel}/${entry.name}` : entry.name, index + 1);
    }
  };
  walk(root, '', 0);
  return [...results].sort();
}

function safeReadDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
