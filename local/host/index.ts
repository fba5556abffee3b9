// startLocalHost: runs an @azure/functions v4 + durable-functions v3 app without Core Tools or .NET.
// The app runs in a language-worker child process (one per host, like the real Node worker) that loads
// it through a @azure/functions-core shim; this process is the "host": HTTP front, keys, the Durable
// HTTP API and engine, and the store (memory or Azure Tables, e.g. Azurite).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { StackClock } from '../clock';
import { createClock, type ClockMode } from './clock';
import { readHostSettings } from './config/hostJson';
import { buildAppEnvironment, readLocalSettingsValues } from './config/localSettings';
import { clientBindingPayload, type WebhookContext } from './durable/clientBinding';
import type { HistoryEvent } from './durable/history';
import { DurableEngine } from './durable/engine';
import type { PoisonPolicy } from './durable/poison';
import { DurableHttpApi } from './durable/httpApi';
import { refuseEntityFunctions } from './durable/unsupportedApis';
import { startEventHubTriggers, type EventHubTriggers } from './eventHubs/eventHubTriggers';
import { buildRouteTable } from './http/functionRoutes';
import { loadHostKeys, type HostKeyOptions } from './http/keys';
import { createFrontHandler, createRpcHandler, RPC_PATH } from './http/server';
import { consoleLog, silentLog, type HostLog } from './log';
import type { FunctionMetadata } from './rpc/types';
import { createStore } from './store/createStore';
import type { Store } from './store/store';
import { startTimerTriggers, type TimerTriggers } from './timers/timerTriggers';
import { WorkerProcess } from './worker/workerProcess';

export interface LocalHostOptions {
  /** Folder with the app's package.json (its `main` names the entry points), host.json, local.settings.json. */
  appRoot: string;
  /** Public port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** An Azure Storage connection string (Azurite, "UseDevelopmentStorage=true"), "memory" (default) or a Store. */
  storage?: string | Store;
  /** Pinned keys; the others come from the store (saved by an earlier start) or are generated and saved. */
  keys?: HostKeyOptions;
  /** Extra app settings; they win over the process environment and local.settings.json. */
  env?: Record<string, string>;
  /**
   * 'real' (default); 'virtual' skips idle time to the next durable timer; 'manual' moves only with advanceClock().
   * A StackClock (local/clock) is shared with the rest of the stack and stays owned by the caller.
   */
  clock?: ClockMode | StackClock;
  log?: HostLog | 'console' | 'silent';
  /** Retries of failing instances and activity work items before they fail (default: 5 attempts, 250 ms doubling to 5 s). */
  poisonPolicy?: PoisonPolicy;
}

export interface LocalHost {
  baseUrl: string;
  functionKey: string;
  masterKey: string;
  /** The durabletask_extension system key guarding /runtime/webhooks/durabletask. */
  systemKey: string;
  rpcBaseUrl: string;
  hubName: string;
  functions: FunctionMetadata[];
  /** The language worker's process id (for crash tests). */
  workerPid: number | undefined;
  /** Moves the virtual/manual clock forward. */
  advanceClock(ms: number): void;
  /** Resolves when no orchestration, activity or HTTP invocation is running or runnable. */
  whenIdle(): Promise<void>;
  /** The raw history of an instance's current execution, exactly as the orchestrator receives it. */
  history(instanceId: string): Promise<HistoryEvent[]>;
  stop(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const appRoot = path.resolve(options.appRoot);
  const log: HostLog = options.log === 'console' ? consoleLog : options.log === 'silent' || options.log === undefined ? silentLog : options.log;
  const bindHost = options.host ?? '127.0.0.1';
  const ownsClock = typeof options.clock !== 'object';
  const clock = typeof options.clock === 'object' ? options.clock : createClock(options.clock ?? 'real');
  let leaveClock: (() => void) | undefined;

  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => {
    res.writeHead(503, { 'content-length': '0' });
    res.end();
  };
  let rpcHandler = handler;
  const server = http.createServer((req, res) => handler(req, res));
  const rpcServer = http.createServer((req, res) => rpcHandler(req, res));
  const port = await listen(server, options.port ?? 0, bindHost);
  const rpcPort = await listen(rpcServer, 0, '127.0.0.1');
  const origin = `http://${bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost}:${port}`;
  const rpcBaseUrl = `http://127.0.0.1:${rpcPort}${RPC_PATH}`;

  let worker: WorkerProcess | undefined;
  let store: Store | undefined;
  let engine: DurableEngine | undefined;
  let eventHubs: EventHubTriggers | undefined;
  let timers: TimerTriggers | undefined;
  try {
    const env = buildAppEnvironment(process.env, readLocalSettingsValues(appRoot), {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      ...(options.env ?? {}),
      // Durable client URLs must point at this host (getClient rewrites them to localhost:7071 otherwise).
      WEBSITE_HOSTNAME: `${bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost}:${port}`,
    });
    const settings = readHostSettings(appRoot, env);
    store = await createStore(options.storage ?? 'memory', settings.hubName);
    await store.init();
    const keys = await loadHostKeys(store, options.keys);
    worker = new WorkerProcess({ appRoot, env, log, functionTimeoutMs: settings.functionTimeoutMs });
    await worker.start();
    refuseEntityFunctions(worker.functions);
    const running = worker;
    const invoke = (request: Parameters<WorkerProcess['invoke']>[0]) => running.invoke(request);
    engine = new DurableEngine({
      store,
      clock,
      invoke,
      functions: worker.functions,
      log,
      overridableExistingInstanceStates: settings.overridableExistingInstanceStates,
      maxConcurrentActivityFunctions: settings.maxConcurrentActivityFunctions,
      maxConcurrentOrchestratorFunctions: settings.maxConcurrentOrchestratorFunctions,
      poisonPolicy: options.poisonPolicy,
    });
    const webhook: WebhookContext = { origin, hubName: settings.hubName, systemKey: keys.systemKey, rpcBaseUrl };
    const durableApi = new DurableHttpApi(engine, webhook);
    handler = createFrontHandler({ routes: buildRouteTable(worker.functions, log), routePrefix: settings.routePrefix, keys, engine, durableApi, webhook, invoke, log });
    rpcHandler = createRpcHandler(durableApi, origin, log);
    const joined = engine;
    leaveClock = clock.join({ name: 'local host', isIdle: () => joined.isIdle, nextDue: () => joined.nextTimerDue() });
    await engine.start();
    const startedEngine = engine;
    // What every non-HTTP trigger needs: the durableClient payload, and invocations counted as the engine's work.
    const triggers = {
      functions: worker.functions, env, store, invoke, log, durableClientPayload: JSON.stringify(clientBindingPayload(webhook)),
      externalWork: { begin: () => startedEngine.beginExternalWork(), end: () => startedEngine.endExternalWork() },
    };
    eventHubs = startEventHubTriggers({ ...triggers, hostOptions: settings.eventHubs });
    timers = startTimerTriggers({ ...triggers, clock });
    log({ level: 'information', category: 'host', message: `Local host for ${appRoot} listening on ${origin} (task hub ${settings.hubName}, ${store.kind} store, ${clock.mode} clock).` });

    const runningEngine = engine;
    const runningStore = store;
    const runningEventHubs = eventHubs;
    const runningTimers = timers;
    let stopped = false;
    return {
      baseUrl: origin,
      functionKey: keys.functionKey,
      masterKey: keys.masterKey,
      systemKey: keys.systemKey,
      rpcBaseUrl,
      hubName: settings.hubName,
      functions: worker.functions,
      workerPid: worker.pid,
      advanceClock: (ms: number) => clock.advance(ms),
      whenIdle: () => runningEngine.whenIdle(),
      history: (instanceId: string) => runningEngine.getHistory(instanceId),
      async stop() {
        if (stopped) return;
        stopped = true;
        runningTimers.stop();
        await Promise.all([close(server), close(rpcServer), runningEventHubs.stop()]);
        await runningEngine.stop();
        leaveClock?.();
        if (ownsClock) clock.dispose();
        await running.stop();
        await runningStore.close();
      },
    };
  } catch (err) {
    timers?.stop();
    await Promise.all([close(server), close(rpcServer), eventHubs?.stop()]);
    await engine?.stop();
    leaveClock?.();
    if (ownsClock) clock.dispose();
    await worker?.stop();
    await store?.close();
    throw err;
  }
}

export type { ClockMode } from './clock';
export type { HostLog, HostLogEntry } from './log';
export type { Store } from './store/store';
export type { HistoryEvent } from './durable/history';
export { EventType } from './durable/history';
export { MemoryStore } from './store/memoryStore';
