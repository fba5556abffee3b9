// A small, strict flag parser for the local CLIs: `--name value` or `--name=value`; unknown flags are errors
// so a typo never silently falls back to a default.
export type FlagSpec = Record<string, { description: string; kind: 'int' | 'string' | 'bool'; default?: number | string }>;
export type ParsedFlags<S extends FlagSpec> = {
  [K in keyof S]: S[K]['kind'] extends 'int' ? number | undefined : S[K]['kind'] extends 'bool' ? boolean : string | undefined;
};

export class UsageError extends Error {}

export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): ParsedFlags<S> {
  const result: Record<string, number | string | boolean | undefined> = {};
  for (const [name, flag] of Object.entries(spec)) result[name] = flag.kind === 'bool' ? false : flag.default;
  const rest = [...argv];
  for (let arg = rest.shift(); arg !== undefined; arg = rest.shift()) {
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inlineValue = eq === -1 ? undefined : arg.slice(eq + 1);
    if (!arg.startsWith('--') || !/^[a-z][a-z0-9-]*$/.test(name)) throw new UsageError(`Unexpected argument "${arg}".`);
    // Own properties only: `--constructor` must not find Object.prototype.constructor.
    const flag = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!flag) throw new UsageError(`Unknown option --${name}.`);
    if (flag.kind === 'bool') {
      // A switch: present means on; it takes no value.
      if (inlineValue !== undefined) throw new UsageError(`Option --${name} takes no value.`);
      result[name] = true;
      continue;
    }
    // `--storage-dir --port 1` is a forgotten value, not a folder named "--port"; `--name=--x` still passes one.
    const text = inlineValue ?? (rest[0]?.startsWith('--') ? undefined : rest.shift());
    if (text === undefined) throw new UsageError(`Option --${name} needs a value.`);
    if (flag.kind === 'int') {
      if (!/^\d+$/.test(text)) throw new UsageError(`Option --${name} takes a whole number, not "${text}".`);
      result[name] = Number(text);
    } else {
      result[name] = text;
    }
  }
  return result as ParsedFlags<S>;
}

export function usage(command: string, spec: FlagSpec): string {
  const lines = Object.entries(spec).map(([name, flag]) =>
    `  --${name.padEnd(20)} ${flag.description}${flag.default !== undefined ? ` (default ${flag.default})` : ''}`);
  return [`Usage: ${command} [options]`, ...lines].join('\n');
}

/** A clear line for a port another program holds, naming the flag that moves it. */
export function describePortInUse(err: unknown, flagsByPort: ReadonlyMap<number, string>): string | undefined {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e?.code !== 'EADDRINUSE') return undefined;
  const port = e.port ?? Number(/:(\d+)\s*$/.exec(e.message ?? '')?.[1]);
  if (!Number.isInteger(port)) return 'A port on 127.0.0.1 is already in use by another program; choose other ports with the --*port flags.';
  const flag = flagsByPort.get(port);
  return `Port ${port} on 127.0.0.1 is already in use by another program.` +
    (flag ? ` Choose another with --${flag} <port> (e.g. npm start -- --${flag} ${port + 10}), or 0 for any free port.` : '');
}
