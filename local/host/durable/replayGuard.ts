// The replay guard: after every episode, the task ids the orchestrator waits for (from the worker's probe)
// must equal the ids the host owes it work for. Any difference is a silent hang in durable-functions
// (research §6.1), so the host fails the instance and says which ids differ.
import type { PendingWork } from './engineState';
import type { OrchestrationProbe } from '../worker/protocol';

export function replayGuard(pending: Record<string, PendingWork>, probe: Pick<OrchestrationProbe, 'openTaskIds' | 'canceledTimerIds' | 'deferredTaskIds'>): string | undefined {
  if (probe.deferredTaskIds.length > 0) return `the host delivered completions for task id(s) ${probe.deferredTaskIds.join(', ')} that the orchestrator is not waiting for`;
  const jsOpen = new Set(probe.openTaskIds.filter((id) => !probe.canceledTimerIds.includes(id)));
  const hostPending = new Set(Object.keys(pending).map(Number));
  const onlyJs = [...jsOpen].filter((id) => !hostPending.has(id));
  const onlyHost = [...hostPending].filter((id) => !jsOpen.has(id));
  if (onlyJs.length === 0 && onlyHost.length === 0) return undefined;
  return `the orchestrator waits for task id(s) [${[...jsOpen].join(', ')}] but the host has work pending for [${[...hostPending].join(', ')}]`;
}
