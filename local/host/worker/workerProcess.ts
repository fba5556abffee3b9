// The host side of the language worker: one child process per host, like the Functions host runs
// one Node worker per app. A crashed worker fails its in-flight invocations and is started again.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { FunctionMetadata, RpcInvocationRequest } from '../rpc/types';
import type { HostLog } from '../log';
import type { InvocationOutcome } from './invoker';
import type { HostToWorker, ReadyMessage, WorkerToHost } from './protocol';

export interface WorkerOptions {
  appRoot: string;
  env: NodeJS.ProcessEnv;
  log: HostLog;
  /** host.json functionTimeout in ms (undefined: none). */
  functionTimeoutMs?: number;
}

interface Pending {
  resolve(outcome: InvocationOutcome): void;
  timer?: NodeJS.Timeout;
}

/** .NET TimeSpan.ToString() ("c"): [d.]hh:mm:ss[.fffffff], as the host prints functionTimeout. */
export function formatTimeSpan(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(ms / 3_600_000) % 24;
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  const fraction = ms % 1000;
  return `${days > 0 ? `${days}.` : ''}${two(hours)}:${two(minutes)}:${two(seconds)}${fraction > 0 ? `.${String(fraction * 10_000).padStart(7, '0')}` : ''}`;
}

function workerEntryPoint(): string {
  // main.ts under tsx, main.js once compiled: the same extension as this file.
  return path.join(__dirname, `main${path.extname(__filename)}`);
}

function workerExecArgv(): string[] {
  // Keep loaders (tsx) but not the test runner's or inspector flags of the parent.
  return process.execArgv.filter((arg) => !arg.startsWith('--test') && !arg.startsWith('--inspect') && !arg.startsWith('--watch'));
}

export class WorkerProcess {
  #child: ChildProcess | undefined;
  #ready: ReadyMessage | undefined;
  #pending = new Map<number, Pending>();
  #nextRequestId = 1;
  #stopping = false;
  /** The latest spawn (first start or restart); settles when that worker is ready or failed. */
  #starting: Promise<void> | undefined;
  /** The child that answered 'ready': invocations go only to it (a message sent before init is lost). */
  #readyChild: ChildProcess | undefined;

  constructor(private readonly options: WorkerOptions) {}

  get functions(): FunctionMetadata[] {
    return this.#ready?.functions ?? [];
  }

  get programmingModel(): ReadyMessage['programmingModel'] {
    return this.#ready?.programmingModel ?? null;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    this.#starting = this.#spawn();
    await this.#starting;
  }

  #spawn(): Promise<void> {
    const child = fork(workerEntryPoint(), [], {
      cwd: this.options.appRoot,
      env: this.options.env,
      execArgv: workerExecArgv(),
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#child = child;
    // A send to a worker that has just died fails asynchronously (EPIPE / ERR_IPC_CHANNEL_CLOSED); its 'exit'
    // handler below settles everything that was waiting, so the error itself only needs to be logged.
    child.on('error', (err) => this.options.log({ level: 'warning', category: 'host', message: `Language worker channel: ${err.message}` }));
    for (const [stream, level] of [[child.stdout, 'information'], [child.stderr, 'error']] as const) {
      if (stream) readline.createInterface({ input: stream }).on('line', (line) => this.options.log({ level, category: 'worker', message: line }));
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      child.on('message', (message: WorkerToHost) => {
        switch (message.type) {
          case 'ready':
            this.#ready = message;
            this.#readyChild = child;
            settled = true;
            resolve();
            return;
          case 'initFailed':
            settled = true;
            reject(new Error(message.message));
            child.kill();
            return;
          case 'result': {
            const pending = this.#pending.get(message.requestId);
            this.#pending.delete(message.requestId);
            if (pending?.timer) clearTimeout(pending.timer);
            pending?.resolve({ response: message.response, error: message.error, probe: message.probe, probeError: message.probeError });
            return;
          }
          case 'log':
            this.options.log({ level: message.level, category: message.category, message: message.message, functionName: message.functionName });
            return;
          case 'terminated':
            return;
        }
      });
      child.on('exit', (code, signal) => {
        if (this.#child === child) this.#child = undefined;
        if (this.#readyChild === child) this.#readyChild = undefined;
        for (const [id, pending] of this.#pending) {
          this.#pending.delete(id);
          if (pending.timer) clearTimeout(pending.timer);
          pending.resolve({ error: { name: 'WorkerExited', message: `The language worker exited (code ${code}, signal ${signal}) during the invocation.` } });
        }
        if (!settled) {
          settled = true;
          reject(new Error(`The language worker exited during startup (code ${code}, signal ${signal}).`));
          return;
        }
        if (!this.#stopping) {
          this.options.log({ level: 'error', category: 'host', message: `Language worker exited unexpectedly (code ${code}, signal ${signal}); restarting it.` });
          // Invocations arriving meanwhile wait for the new worker (#starting) instead of failing.
          this.#starting = new Promise<void>((resolveRestart) => {
            setTimeout(() => {
              if (this.#stopping) return resolveRestart();
              this.#spawn()
                .catch((err: Error) => this.options.log({ level: 'error', category: 'host', message: `Worker restart failed: ${err.message}` }))
                .finally(resolveRestart);
            }, 200);
          });
        }
      });
      this.#post({ type: 'init', appRoot: this.options.appRoot });
    });
  }

  #post(message: HostToWorker): void {
    this.#child?.send(message);
  }

  async invoke(request: RpcInvocationRequest): Promise<InvocationOutcome> {
    let waited: Promise<void> | undefined;
    while (!this.#stopping && !this.#readyChild && this.#starting && this.#starting !== waited) {
      waited = this.#starting;
      await waited;
    }
    const child = this.#readyChild;
    if (!child || this.#stopping) return { error: { name: 'WorkerUnavailable', message: 'The language worker is not running.' } };
    const requestId = this.#nextRequestId++;
    return new Promise<InvocationOutcome>((resolve) => {
      const pending: Pending = { resolve };
      const timeoutMs = this.options.functionTimeoutMs;
      if (timeoutMs !== undefined) pending.timer = setTimeout(() => this.#timeOut(requestId, request, timeoutMs, child), timeoutMs);
      this.#pending.set(requestId, pending);
      child.send({ type: 'invoke', requestId, request } satisfies HostToWorker);
    });
  }

  /**
   * functionTimeout reached: the invocation fails with the WebJobs FunctionTimeoutException, which the
   * Durable extension treats as a user-code failure (WrappedFunctionResult.FunctionTimeoutError). Code still
   * running cannot be cancelled in JS, so the worker is restarted, as the Functions host restarts after a
   * timeout; the other invocations in flight fail as WorkerExited and are run again.
   */
  #timeOut(requestId: number, request: RpcInvocationRequest, timeoutMs: number, child: ChildProcess): void {
    const pending = this.#pending.get(requestId);
    if (!pending) return;
    this.#pending.delete(requestId);
    const name = this.functions.find((f) => (f.functionId ?? f.name) === request.functionId)?.name ?? request.functionId;
    const span = formatTimeSpan(timeoutMs);
    this.options.log({ level: 'error', category: 'host', functionName: name, message: `Timeout value of ${span} exceeded by function 'Functions.${name}' (Id: '${request.invocationId}'). Initiating cancellation; restarting the language worker.` });
    pending.resolve({ error: { name: 'FunctionTimeoutException', message: `Timeout value of ${span} was exceeded by function: Functions.${name}` } });
    if (this.#child === child) child.kill('SIGKILL');
  }

  /** Runs appTerminate hooks, then ends the process (killed if it does not leave within the grace period). */
  async stop(graceMs = 5000): Promise<void> {
    this.#stopping = true;
    // A pending restart is not cancelled: its timer sees #stopping and releases the invocations waiting on it.
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.on('message', (message: WorkerToHost) => {
        if (message.type === 'terminated') child.disconnect();
      });
      try {
        child.send({ type: 'terminate' } satisfies HostToWorker, (err) => {
          if (err) child.kill('SIGKILL');
        });
      } catch {
        child.kill('SIGKILL');
      }
    });
  }
}
