// The `@azure/functions-core` module the Node worker provides to @azure/functions (research §1.1):
// registerFunction, registerHook, set/getProgrammingModel, log, Disposable, version, hostVersion.
import type { FunctionMetadata, RpcLogLevel } from '../rpc/types';

export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: unknown) => void | Promise<void>;

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<unknown>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: unknown): InvocationModel | Promise<InvocationModel>;
  getCapabilities?(capabilities: Record<string, string>): Record<string, string> | Promise<Record<string, string>>;
}

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

/** Everything the app registers while it loads. One per worker process, like the worker's AppContext. */
export class FunctionRegistry {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks = new Map<string, HookCallback[]>();
  /** Shared by every hook of the app (HookContext.appHookData). */
  readonly appHookData: Record<string, unknown> = {};
  /** hookData of app-level hooks (appStart/appTerminate), separate from invocation hook data. */
  readonly appLevelOnlyHookData: Record<string, unknown> = {};
  programmingModel: ProgrammingModel | undefined;
  startupComplete = false;

  hooksFor(name: string): HookCallback[] {
    return [...(this.hooks.get(name) ?? [])];
  }
}

export class Disposable {
  #callOnDispose: (() => unknown) | undefined;

  static from(...disposables: { dispose: () => unknown }[]): Disposable {
    return new Disposable(() => {
      for (const d of disposables) d.dispose();
    });
  }

  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }

  dispose(): unknown {
    const fn = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return fn?.();
  }
}

export type CoreLog = (level: RpcLogLevel, category: string, message: string) => void;

const SUPPORTED_HOOKS = new Set(['preInvocation', 'postInvocation', 'appStart', 'appTerminate']);

export function createCoreApi(registry: FunctionRegistry, log: CoreLog, hostVersion: string): Record<string, unknown> {
  return {
    version: '3.10.1',
    get hostVersion() {
      return hostVersion;
    },
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
      // Same rules as the worker's coreApi/registerFunction.ts.
      if (registry.startupComplete) throw new Error('A function can only be registered during app startup.');
      const functionId = metadata.functionId || metadata.name;
      if (registry.functions.has(functionId)) {
        throw new Error(`A function with id "${functionId}" has already been registered.`);
      }
      registry.functions.set(functionId, { metadata: { ...metadata, functionId }, callback });
      return new Disposable(() => {
        if (registry.startupComplete) throw new Error('A function can only be disposed during app startup.');
        registry.functions.delete(functionId);
      });
    },
    registerHook(name: string, callback: HookCallback): Disposable {
      if (!SUPPORTED_HOOKS.has(name)) {
        // The worker answers unknown hook names (e.g. 'log' on an old host) with a RangeError.
        const error = new RangeError(`Unrecognized hook "${name}"`) as RangeError & { isAzureFunctionsSystemError?: boolean };
        error.isAzureFunctionsSystemError = true;
        throw error;
      }
      const list = registry.hooks.get(name) ?? [];
      list.push(callback);
      registry.hooks.set(name, list);
      return new Disposable(() => {
        const current = registry.hooks.get(name) ?? [];
        registry.hooks.set(name, current.filter((c) => c !== callback));
      });
    },
    setProgrammingModel(model: ProgrammingModel): void {
      if (registry.programmingModel) {
        log('warning', 'system', `Programming model "${registry.programmingModel.name}" is being replaced by "${model.name}".`);
      }
      registry.programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return registry.programmingModel;
    },
    log(level: RpcLogLevel, category: string, message: string): void {
      log(level, category, message);
    },
    Disposable,
  };
}
