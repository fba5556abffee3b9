// Reads, after an orchestrator invocation, the state durable-functions keeps on context.df:
// the live action objects (so a task re-yielded inside a new Task.any/all is recognised by identity,
// research §6.2) and the ids of the tasks it is still waiting for (the host's hang guard, §6.1).
// These are library internals (TaskOrchestrationExecutor in lib/src/orchestrations); if they move,
// the host reports the probe as unavailable instead of guessing.
import type { OrchestrationProbe } from './protocol';

interface ActionLike {
  actionType?: number;
  compoundActions?: ActionLike[];
  isCanceled?: boolean;
}

interface TaskLike {
  actionObj?: ActionLike;
}

interface ExecutorLike {
  actions?: ActionLike[];
  openTasks?: Record<string, TaskLike>;
  deferredTasks?: Record<string, unknown>;
}

const WHEN_ANY = 11;
const WHEN_ALL = 12;
const CREATE_TIMER = 5;

export function probeOrchestration(context: unknown): OrchestrationProbe {
  const df = (context as { df?: { taskOrchestratorExecutor?: ExecutorLike } } | undefined)?.df;
  const executor = df?.taskOrchestratorExecutor;
  if (!executor || !Array.isArray(executor.actions) || typeof executor.openTasks !== 'object' || executor.openTasks === null) {
    throw new Error('context.df.taskOrchestratorExecutor (actions/openTasks) not found in this durable-functions version');
  }
  const seen = new Set<ActionLike>();
  const actions: unknown[] = [];
  const visit = (action: ActionLike): void => {
    if (seen.has(action)) return;
    seen.add(action);
    if ((action.actionType === WHEN_ANY || action.actionType === WHEN_ALL) && Array.isArray(action.compoundActions)) {
      for (const child of action.compoundActions) visit(child);
    } else {
      actions.push(JSON.parse(JSON.stringify(action)) as unknown);
    }
  };
  for (const action of executor.actions) visit(action);

  const openTaskIds: number[] = [];
  const canceledTimerIds: number[] = [];
  for (const [key, task] of Object.entries(executor.openTasks)) {
    const id = Number(key);
    if (!Number.isInteger(id)) continue;
    openTaskIds.push(id);
    if (task?.actionObj?.actionType === CREATE_TIMER && task.actionObj.isCanceled === true) canceledTimerIds.push(id);
  }
  const deferredTaskIds = Object.keys(executor.deferredTasks ?? {})
    .map(Number)
    .filter((id) => Number.isInteger(id));
  return { actions, openTaskIds: openTaskIds.sort((a, b) => a - b), canceledTimerIds, deferredTaskIds };
}
