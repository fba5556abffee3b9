// The invocation pipeline of the Node worker (src/eventHandlers/InvocationHandler.ts): the programming
// model's InvocationModel builds the arguments, preInvocation hooks may swap inputs and handler,
// invokeFunction runs it, postInvocation hooks may change result and error, getResponse converts.
import type { RpcInvocationRequest, RpcInvocationResponse, RpcLogLevel } from '../rpc/types';
import { findTrigger } from '../rpc/types';
import type { FunctionCallback, FunctionRegistry } from './coreApi';
import { runHooks } from './hooks';
import { probeOrchestration } from './orchestrationProbe';
import type { InvocationError, OrchestrationProbe } from './protocol';

export interface InvocationOutcome {
  response?: RpcInvocationResponse;
  error?: InvocationError;
  probe?: OrchestrationProbe;
  probeError?: string;
}

export type InvocationLog = (level: RpcLogLevel, category: string, message: string, functionName: string, invocationId: string) => void;

function toInvocationError(err: unknown): InvocationError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err) };
}

export async function invokeFunction(registry: FunctionRegistry, request: RpcInvocationRequest, log: InvocationLog): Promise<InvocationOutcome> {
  const registered = registry.functions.get(request.functionId);
  if (!registered) return { error: { name: 'Error', message: `Function code for '${request.functionId}' is not loaded and cannot be invoked.` } };
  const model = registry.programmingModel;
  if (!model) return { error: { name: 'Error', message: 'No programming model was registered by the app.' } };

  const functionName = registered.metadata.name;
  const coreContext = {
    invocationId: request.invocationId,
    request,
    metadata: registered.metadata,
    state: undefined as undefined | 'preInvocationHooks' | 'invocation' | 'postInvocationHooks',
    log(level: RpcLogLevel, category: string, message: string) {
      log(level, category, message, functionName, request.invocationId);
    },
  };
  try {
    const invocationModel = await model.getInvocationModel(coreContext);
    const hookData: Record<string, unknown> = {};
    const args = await invocationModel.getArguments();
    const context = args.context;
    let inputs = args.inputs;
    let callback: FunctionCallback = registered.callback;

    const preContext = {
      get hookData() {
        return hookData;
      },
      get appHookData() {
        return registry.appHookData;
      },
      get invocationContext() {
        return context;
      },
      functionCallback: callback,
      inputs,
    };
    coreContext.state = 'preInvocationHooks';
    try {
      await runHooks(registry.hooksFor('preInvocation'), preContext);
    } finally {
      coreContext.state = undefined;
    }
    inputs = preContext.inputs;
    callback = preContext.functionCallback;

    const postContext = {
      get hookData() {
        return hookData;
      },
      get appHookData() {
        return registry.appHookData;
      },
      get invocationContext() {
        return context;
      },
      inputs,
      result: null as unknown,
      error: null as unknown,
    };
    coreContext.state = 'invocation';
    try {
      postContext.result = await invocationModel.invokeFunction(context, inputs, callback);
    } catch (err) {
      postContext.error = err;
    } finally {
      coreContext.state = undefined;
    }

    const outcome: InvocationOutcome = {};
    if (findTrigger(registered.metadata)?.binding.type === 'orchestrationTrigger') {
      try {
        outcome.probe = probeOrchestration(context);
      } catch (err) {
        outcome.probeError = (err as Error).message;
      }
    }

    coreContext.state = 'postInvocationHooks';
    try {
      await runHooks(registry.hooksFor('postInvocation'), postContext);
    } finally {
      coreContext.state = undefined;
    }
    if (postContext.error !== null && postContext.error !== undefined) {
      outcome.error = toInvocationError(postContext.error);
      return outcome;
    }
    outcome.response = (await invocationModel.getResponse(context, postContext.result)) as RpcInvocationResponse;
    return outcome;
  } catch (err) {
    return { error: toInvocationError(err) };
  }
}
