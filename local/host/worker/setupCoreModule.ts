// Makes `require('@azure/functions-core')` return the core API, as the Node worker does in
// src/setupCoreModule.ts: a Proxy around Module.prototype.require, installed before the app loads.
import Module from 'node:module';

const CORE_MODULE_ID = '@azure/functions-core';

export function setupCoreModule(coreApi: Record<string, unknown>): void {
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: unknown[]) {
      if (args[0] === CORE_MODULE_ID) return coreApi;
      return Reflect.apply(target, thisArg, args) as unknown;
    },
  });
}
