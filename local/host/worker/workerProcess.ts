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
}

interface Pending {
  resolve(outcome: InvocationOutcome): void;
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
  #starting: Promise<void> | undefined;
  #restartTimer: NodeJS.Timeout | undefined;

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
        for (const [id, pending] of this.#pending) {
          this.#pending.delete(id);
          pending.resolve({ error: { name: 'WorkerExited', message: `The language worker exited (code ${code}, signal ${signal}) during the invocation.` } });
        }
        if (!settled) {
          settled = true;
          reject(new Error(`The language worker exited during startup (code ${code}, signal ${signal}).`));
          return;
        }
        if (!this.#stopping) {
          this.options.log({ level: 'error', category: 'host', message: `Language worker exited unexpectedly (code ${code}, signal ${signal}); restarting it.` });
          this.#restartTimer = setTimeout(() => {
            this.#starting = this.#spawn().catch((err: Error) => this.options.log({ level: 'error', category: 'host', message: `Worker restart failed: ${err.message}` }));
          }, 200);
        }
      });
      this.#post({ type: 'init', appRoot: this.options.appRoot });
    });
  }

  #post(message: HostToWorker): void {
    this.#child?.send(message);
  }

  async invoke(request: RpcInvocationRequest): Promise<InvocationOutcome> {
    if (!this.#child && this.#starting) await this.#starting;
    const child = this.#child;
    if (!child || this.#stopping) return { error: { name: 'WorkerUnavailable', message: 'The language worker is not running.' } };
    const requestId = this.#nextRequestId++;
    return new Promise<InvocationOutcome>((resolve) => {
      this.#pending.set(requestId, { resolve });
      child.send({ type: 'invoke', requestId, request } satisfies HostToWorker);
    });
  }

  /** Runs appTerminate hooks, then ends the process (killed if it does not leave within the grace period). */
  async stop(graceMs = 5000): Promise<void> {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
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
