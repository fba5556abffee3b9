// Reads what an orchestrator invocation returned (research §2.3): the OrchestratorState arrives as the
// invocation's returnValue on success, or inside the error message after "$OutOfProcData$:" on failure.
import type { RpcInvocationResponse } from '../rpc/types';
import type { InvocationError } from '../worker/protocol';

export interface OrchestratorStateJson {
  isDone: boolean;
  actions: unknown[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

export interface OrchestratorOutcome {
  state?: OrchestratorStateJson;
  /** Set when the orchestrator failed: the text DTFx puts in ExecutionCompleted.Result. */
  failure?: { message: string; details: string };
}

const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

function parseState(text: string): OrchestratorStateJson | undefined {
  try {
    const value = JSON.parse(text) as OrchestratorStateJson;
    return value && typeof value === 'object' && Array.isArray(value.actions) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function readOrchestratorOutcome(functionName: string, response: RpcInvocationResponse | undefined, error: InvocationError | undefined): OrchestratorOutcome {
  if (error) {
    const at = error.message.indexOf(OUT_OF_PROC_LABEL);
    const state = at === -1 ? undefined : parseState(error.message.slice(at + OUT_OF_PROC_LABEL.length));
    const cause = state?.error ?? error.message;
    // OutOfProcOrchestrationShim: "Orchestrator function '<name>' failed: <error>".
    return {
      state,
      failure: { message: `Orchestrator function '${functionName}' failed: ${cause}`, details: `Message: ${cause}, StackTrace: ${error.stack ?? ''}` },
    };
  }
  const data = response?.returnValue;
  const text = data?.json ?? data?.string;
  const state = typeof text === 'string' ? parseState(text) : undefined;
  if (!state) {
    return { failure: { message: `Orchestrator function '${functionName}' failed: the orchestrator returned no OrchestratorState.`, details: '' } };
  }
  return { state };
}
