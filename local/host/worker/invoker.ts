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
  type State = NonNullable<typeof coreContext.state>;
  /** Runs one stage with coreContext.state naming it, as the worker's InvocationHandler does. */
  const inState = async <T>(state: State, stage: () => Promise<T>): Promise<T> => {
    coreContext.state = state;
    try {
      return await stage();
    } finally {
      coreContext.state = undefined;
    }
  };
  try {
    const invocationModel = await model.getInvocationModel(coreContext);
    const hookData: Record<string, unknown> = {};
    const args = await invocationModel.getArguments();
    const context = args.context;
    let inputs = args.inputs;
    let callback: FunctionCallback = registered.callback;
    // What pre- and postInvocation hooks both see, read-only (getters, as in the worker's hook contexts).
    const hookContext = <T extends object>(fields: T) => Object.defineProperties(fields, {
      hookData: { get: () => hookData, enumerable: true, configurable: true },
      appHookData: { get: () => registry.appHookData, enumerable: true, configurable: true },
      invocationContext: { get: () => context, enumerable: true, configurable: true },
    });

    const preContext = hookContext({ functionCallback: callback, inputs });
    await inState('preInvocationHooks', () => runHooks(registry.hooksFor('preInvocation'), preContext));
    inputs = preContext.inputs;
    callback = preContext.functionCallback;

    const postContext = hookContext({ inputs, result: null as unknown, error: null as unknown });
    try {
      postContext.result = await inState('invocation', () => invocationModel.invokeFunction(context, inputs, callback));
    } catch (err) {
      postContext.error = err;
    }

    const outcome: InvocationOutcome = {};
    if (findTrigger(registered.metadata)?.binding.type === 'orchestrationTrigger') {
      try {
        outcome.probe = probeOrchestration(context);
      } catch (err) {
        outcome.probeError = (err as Error).message;
      }
    }

    await inState('postInvocationHooks', () => runHooks(registry.hooksFor('postInvocation'), postContext));
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
