// Entry point of the language-worker child process: installs the functions-core shim, loads the app,
// then serves invocation requests from the host over IPC until told to terminate.
import { format } from 'node:util';
import type { RpcLogLevel } from '../rpc/types';
import { createCoreApi, FunctionRegistry } from './coreApi';
import { runHooks } from './hooks';
import { invokeFunction } from './invoker';
import { loadApp } from './loader';
import type { HostToWorker, WorkerToHost } from './protocol';
import { setupCoreModule } from './setupCoreModule';

const HOST_VERSION = '4.1036.0';

function send(message: WorkerToHost): void {
  if (process.connected && process.send) process.send(message);
}

function log(level: RpcLogLevel, category: string, message: string, functionName?: string, invocationId?: string): void {
  send({ type: 'log', level, category, message, functionName, invocationId });
}

const registry = new FunctionRegistry();
setupCoreModule(createCoreApi(registry, (level, category, message) => log(level, category, message), HOST_VERSION));

// Console output of the app goes to the host's log, like the worker's console patching.
for (const [method, level] of [['log', 'information'], ['info', 'information'], ['warn', 'warning'], ['error', 'error'], ['debug', 'debug']] as const) {
  console[method] = (...args: unknown[]) => log(level, 'user', format(...args));
}

process.on('disconnect', () => process.exit(0));
// The host owns this process's lifetime (terminate message, then disconnect). A terminal's Ctrl-C reaches the
// whole foreground process group; dying on it would pull the worker out from under a host that is shutting down.
process.on('SIGINT', () => undefined);
process.on('uncaughtException', (err) => log('error', 'system', `Uncaught exception in worker: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (reason) => log('error', 'system', `Unhandled rejection in worker: ${format(reason)}`));

process.on('message', (message: HostToWorker) => {
  void handle(message);
});

async function handle(message: HostToWorker): Promise<void> {
  switch (message.type) {
    case 'init':
      try {
        await loadApp(message.appRoot, registry, (level, category, text) => log(level, category, text));
        // The worker asks the programming model for its capabilities after loading the app (this also
        // locks app.setup()). HTTP streaming needs a proxy this host does not implement: refuse it clearly.
        const capabilities = await registry.programmingModel?.getCapabilities?.({});
        if (capabilities?.HttpUri) {
          throw new Error('app.setup({ enableHttpStream: true }) is not supported by the local host; remove it or run under Core Tools.');
        }
        send({
          type: 'ready',
          functions: [...registry.functions.values()].map((f) => f.metadata),
          programmingModel: registry.programmingModel ? { name: registry.programmingModel.name, version: registry.programmingModel.version } : null,
        });
      } catch (err) {
        send({ type: 'initFailed', message: (err as Error).message });
      }
      return;
    case 'invoke': {
      const outcome = await invokeFunction(registry, message.request, log);
      send({ type: 'result', requestId: message.requestId, ...outcome });
      return;
    }
    case 'terminate':
      try {
        await runHooks(registry.hooksFor('appTerminate'), {
          get hookData() {
            return registry.appLevelOnlyHookData;
          },
          get appHookData() {
            return registry.appHookData;
          },
        });
      } catch (err) {
        log('error', 'system', `appTerminate hook failed: ${(err as Error).message}`);
      }
      send({ type: 'terminated' });
      return;
  }
}
