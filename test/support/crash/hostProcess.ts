// The app on the local Functions host, run as a separate process through the host's CLI (local/host/cli.ts,
// `--json`), so that the test can kill -9 it, or only its language worker, and start it again on the same storage.
// The app settings go in the child's environment, which wins over local.settings.json (as under Core Tools).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { killHard, processGone } from './processes';

/** The JSON line the CLI prints once the host listens (`--json`). */
export interface HostInfo {
  baseUrl: string;
  functionKey: string;
  masterKey: string;
  systemKey: string;
  workerPid: number;
}

export interface HostProcessOptions {
  /** The app root (package.json + host.json); the compiled app is in its dist/. */
  appRoot: string;
  /** Storage connection string for the task hub (Azurite). */
  storage: string;
  /** App settings, put in the child's environment. */
  appSettings: Record<string, string>;
  /** 0 picks a free port. */
  port: number;
  /** Bound on the start (the JSON line). Default 60 s (a loaded 2-core machine). */
  startTimeoutMs?: number;
  /** When set, every host log line is also appended to this file. */
  logFile?: string;
}

export interface HostExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface HostProcess {
  readonly info: HostInfo;
  readonly pid: number;
  readonly port: number;
  readonly exited: Promise<HostExit>;
  readonly running: boolean;
  /** The last lines the host wrote (stdout and stderr), for failure messages. */
  logTail(lines?: number): string[];
  /** Resolves with the first log line (from now on) that matches; rejects after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<string>;
  /**
   * kill -9 of the host process; resolves once it has exited and its orphaned language worker is gone (the
   * worker leaves when its IPC channel closes). `workerGone` says whether that happened within the bound.
   */
  killHost(): Promise<{ workerGone: boolean }>;
  /** kill -9 of the language worker only (the pid of the JSON line); resolves once it is gone. */
  killWorker(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; also makes sure the worker is gone. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const LOG_TAIL = 400;

/**
 * Host and worker pids still alive: if the test process ends without stopping them (a test timed out, an
 * uncaught error), they are killed on the way out rather than left running with nobody to stop them.
 */
const livePids = new Set<number>();
process.once('exit', () => {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function cliPath(): string {
  // cli.ts under tsx, cli.js when compiled: the same extension as this file (test/support/crash/).
  return path.resolve(__dirname, '..', '..', '..', 'local', 'host', `cli${path.extname(__filename)}`);
}

/**
 * The parent's Node options that the host needs too (a loader such as tsx), without the test runner's, the
 * inspector's, or an inline script's (`node -e` would make the child run that script instead of the CLI).
 */
function childExecArgv(parent: readonly string[]): string[] {
  const out: string[] = [];
  const args = parent.values();
  for (const arg of args) {
    if (['-e', '--eval', '-p', '--print'].includes(arg)) {
      args.next(); // and its script
      continue;
    }
    if (/^--(eval|print)=/.test(arg) || arg.startsWith('--test') || arg.startsWith('--inspect') || arg.startsWith('--watch')) continue;
    out.push(arg);
  }
  return out;
}

function redactedInfoLine(line: string): string {
  try {
    const { baseUrl, workerPid } = JSON.parse(line) as HostInfo;
    return `(host started: ${baseUrl}, worker pid ${workerPid})`;
  } catch {
    return '(host JSON line)';
  }
}

export async function startHostProcess(options: HostProcessOptions): Promise<HostProcess> {
  const execArgv = childExecArgv(process.execArgv);
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.appSettings };
  delete env.NODE_TEST_CONTEXT; // set by `node --test` for its own children; the host is not one of its tests
  const child: ChildProcess = spawn(process.execPath,
    [...execArgv, cliPath(), '--app-root', options.appRoot, '--port', String(options.port), '--storage', options.storage, '--json'],
    { cwd: options.appRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });

  const tail: string[] = [];
  const watchers = new Set<(line: string) => void>();
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > LOG_TAIL) tail.splice(0, tail.length - LOG_TAIL);
    // The JSON line carries the keys: the log file gets only its non-secret part.
    if (options.logFile) fs.appendFileSync(options.logFile, `${line.startsWith('{') ? redactedInfoLine(line) : line}\n`);
    for (const watcher of [...watchers]) watcher(line);
  };
  // Both pipes are read to the end: a host whose stdout pipe fills up would block.
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', onLine);
  readline.createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', onLine);

  const exited = new Promise<HostExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let info: HostInfo;
  try {
    info = await new Promise<HostInfo>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the host printed no JSON line within ${options.startTimeoutMs ?? 60_000} ms`)),
        options.startTimeoutMs ?? 60_000);
      const watcher = (line: string): void => {
        if (!line.startsWith('{')) return;
        clearTimeout(timer);
        watchers.delete(watcher);
        try {
          resolve(JSON.parse(line) as HostInfo);
        } catch (err) {
          reject(err as Error);
        }
      };
      watchers.add(watcher);
      void exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`the host exited during startup (code ${exit.code}, signal ${exit.signal}):\n${tail.slice(-30).join('\n')}`));
      });
    });
  } catch (err) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) killHard(child.pid);
    await exited;
    throw err;
  }

  const pid = child.pid as number;
  livePids.add(pid);
  livePids.add(info.workerPid);
  void exited.then(() => livePids.delete(pid));
  const port = Number(new URL(info.baseUrl).port);
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  let stopping: Promise<void> | undefined;
  return {
    info,
    pid,
    port,
    exited,
    get running() {
      return running();
    },
    logTail: (lines = 60) => tail.slice(-lines),
    waitForLog(pattern, timeoutMs) {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watcher);
          reject(new Error(`no host log line matched ${pattern} within ${timeoutMs} ms`));
        }, timeoutMs);
        const watcher = (line: string): void => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          watchers.delete(watcher);
          resolve(line);
        };
        watchers.add(watcher);
      });
    },
    async killHost() {
      killHard(pid);
      await exited;
      const workerGone = await processGone(info.workerPid, 15_000);
      if (workerGone) livePids.delete(info.workerPid);
      return { workerGone };
    },
    async killWorker() {
      killHard(info.workerPid);
      if (!(await processGone(info.workerPid, 15_000))) throw new Error(`the language worker ${info.workerPid} survived kill -9`);
      livePids.delete(info.workerPid);
    },
    stop(graceMs = 8000) {
      stopping ??= (async () => {
        if (running()) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => killHard(pid), graceMs);
          await exited;
          clearTimeout(timer);
        }
        // The first worker may have been replaced after a crash; the host stops its current one itself.
        if (!(await processGone(info.workerPid, 5000))) killHard(info.workerPid);
        livePids.delete(info.workerPid);
      })();
      return stopping;
    },
  };
}
