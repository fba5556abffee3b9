// Reads setting names from the sources at test time, so settings added later are checked too.
import { readRepoFile } from './repoRoot';

/** `name: 'VALUE'` pairs of `export const <block> = Object.freeze({ ... })` in src/config.ts. */
export function configSettingNames(block: 'SETTING' | 'HOST_SETTING'): string[] {
  const source = readRepoFile('src/config.ts');
  const match = new RegExp(`export const ${block} = Object\\.freeze\\(\\{([\\s\\S]*?)\\}`).exec(source);
  if (match === null) throw new Error(`src/config.ts no longer declares "export const ${block} = Object.freeze({ … })"; update this reader.`);
  const names = [...match[1]!.matchAll(/\w+\s*:\s*'([^']+)'/g)].map((m) => m[1]!);
  if (names.length === 0) throw new Error(`src/config.ts ${block} lists no settings.`);
  return names;
}

/** Keys of the app settings objects in infra/app/function-app.bicep (`NAME: value` lines inside `var …Settings = {`). */
export function bicepAppSettingNames(): string[] {
  const source = readRepoFile('infra/app/function-app.bicep');
  const names: string[] = [];
  for (const block of source.matchAll(/var \w+Settings = [^{]*\{([\s\S]*?)\n\}/g)) {
    for (const line of block[1]!.split('\n')) {
      const key = /^\s+([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(line);
      if (key) names.push(key[1]!);
    }
  }
  if (names.length === 0) throw new Error('infra/app/function-app.bicep sets no app settings that this reader can find.');
  return names;
}

/** Setting names in the first column of the README table under "### App settings on Azure". */
export function readmeOptionalSettings(): string[] {
  const readme = readRepoFile('README.md');
  const start = readme.indexOf('### App settings on Azure');
  if (start < 0) throw new Error('README.md has no "### App settings on Azure" section.');
  const section = readme.slice(start, readme.indexOf('\n#', start + 1));
  return [...section.matchAll(/^\| `([A-Za-z_][A-Za-z0-9_.]*)` \|/gm)].map((m) => m[1]!);
}
