// Runs one of the compiled local CLIs (dist/local/cli/*.js) as its own process, the way `npm start` and
// `npm run demo` do after `npm run build`, and collects what it prints.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout (or stderr) holds text matching `pattern`; rejects if the process ends first or time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs: number, stream?: 'stdout' | 'stderr'): Promise<RegExpExecArray>;
  /** Resolves when the process has ended; kills it and rejects after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<CliExit>;
}

/** This file is compiled to dist/test/local/cli/; the CLIs to dist/local/cli/. */
export function cliScript(name: 'start' | 'demo'): string {
  const script = path.resolve(__dirname, '../../../local/cli', `${name}.js`);
  if (!existsSync(script)) throw new Error(`${script} is missing: these tests run compiled (npm run build, then node --test dist/test/).`);
  return script;
}

export function runCli(name: 'start' | 'demo', args: readonly string[] = [], options: { processGroup?: boolean } = {}): CliProcess {
  // stdout and stderr are pipes, so the CLI sees no TTY. processGroup: its own group, as a terminal's foreground
  // job is, so a test can signal the whole group the way Ctrl-C does.
  const child = spawn(process.execPath, [cliScript(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: options.processGroup === true });
  let out = '';
  let err = '';
  // Waiters are re-checked on every chunk and at the end: no polling.
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    notify();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    notify();
  });
  child.once('close', notify);
  const exited = new Promise<CliExit>((resolve) => {
    // 'close' rather than 'exit': by then both pipes are drained, so nothing printed is missed.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const describe = () => `stdout:\n${out}\nstderr:\n${err}`;

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForOutput(pattern, timeoutMs, stream = 'stdout') {
      return new Promise<RegExpExecArray>((resolve, reject) => {
        const finish = (outcome: () => void): void => {
          waiters.delete(check);
          clearTimeout(timer);
          outcome();
        };
        const check = (): void => {
          const match = pattern.exec(stream === 'stdout' ? out : err);
          if (match) finish(() => resolve(match));
          else if (ended()) finish(() => reject(new Error(`${name} ended before printing ${pattern}.\n${describe()}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms.\n${describe()}`))), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async waitForExit(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${name} was still running ${timeoutMs} ms later; killed it.\n${describe()}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** State letter and parent of a process from /proc/<pid>/stat (Linux), or undefined when it is gone. */
function procStat(pid: number | string): { state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  assert.ok(state !== undefined && ppid !== undefined, `unexpected /proc stat line: ${stat}`);
  return { state, ppid: Number(ppid) };
}

/** The processes whose parent is `pid`, e.g. the Functions host's language worker. */
export function childProcessIds(pid: number): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && procStat(entry)?.ppid === pid).map(Number);
}

/** Alive, and not a zombie waiting for a parent to reap it (a container's PID 1 may never do so). */
export function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}
