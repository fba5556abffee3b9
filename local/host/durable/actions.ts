// Orchestrator actions (research §2.3) and the host's record of them. The JS library numbers tasks as
// it tracks them (TaskOrchestrationExecutor.trackOpenTask): one id per activity, sub-orchestration or
// timer, depth-first inside Task.all/Task.any, none for external events or continueAsNew. The host
// gives the TaskScheduled / SubOrchestrationInstanceCreated / TimerCreated events the same numbers.
import { createHash } from 'node:crypto';
import type { RetryOptionsJson } from './retry';

export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  WhenAny = 11,
  WhenAll = 12,
  LockEntities = 13,
  ReleaseEntities = 14,
}

export interface ActionJson {
  actionType: ActionType;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  version?: string;
  retryOptions?: RetryOptionsJson;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: ActionJson[];
}

/** An atomic action as the host acts on it: one variant per action type, fields checked by parseAction. */
export type OrchestratorAction =
  | { actionType: ActionType.CallActivity; functionName: string; input: unknown }
  | { actionType: ActionType.CallActivityWithRetry; functionName: string; input: unknown; retryOptions: RetryOptionsJson }
  | { actionType: ActionType.CallSubOrchestrator; functionName: string; input: unknown; instanceId: string | undefined }
  | { actionType: ActionType.CallSubOrchestratorWithRetry; functionName: string; input: unknown; instanceId: string | undefined; retryOptions: RetryOptionsJson }
  | { actionType: ActionType.CreateTimer; fireAt: string; isCanceled: boolean }
  | { actionType: ActionType.WaitForExternalEvent; externalEventName: string }
  | { actionType: ActionType.ContinueAsNew; input: unknown }
  | UnsupportedAction;

/** Entity and HTTP actions: the host refuses them (unsupportedApis.ts). */
export type UnsupportedActionType = ActionType.CallEntity | ActionType.SignalEntity | ActionType.CallHttp | ActionType.LockEntities | ActionType.ReleaseEntities;
type UnsupportedAction = { [K in UnsupportedActionType]: { actionType: K } }[UnsupportedActionType];

function text(action: ActionJson, field: 'functionName' | 'fireAt' | 'externalEventName'): string {
  const value = action[field];
  if (typeof value !== 'string') throw new Error(`${ActionType[action.actionType]} action without a string ${field}`);
  return value;
}

function retryOptions(action: ActionJson): RetryOptionsJson {
  const options = action.retryOptions;
  if (!options || typeof options.firstRetryIntervalInMilliseconds !== 'number' || typeof options.maxNumberOfAttempts !== 'number') {
    throw new Error(`${ActionType[action.actionType]} action without retryOptions (firstRetryIntervalInMilliseconds, maxNumberOfAttempts)`);
  }
  return options;
}

/** Checks an atomic action from the worker (compound actions are flattened before) and types it. */
export function parseAction(action: ActionJson): OrchestratorAction {
  const type = action.actionType;
  switch (type) {
    case ActionType.CallActivity:
      return { actionType: type, functionName: text(action, 'functionName'), input: action.input };
    case ActionType.CallActivityWithRetry:
      return { actionType: type, functionName: text(action, 'functionName'), input: action.input, retryOptions: retryOptions(action) };
    case ActionType.CallSubOrchestrator:
      return { actionType: type, functionName: text(action, 'functionName'), input: action.input, instanceId: action.instanceId || undefined };
    case ActionType.CallSubOrchestratorWithRetry:
      return { actionType: type, functionName: text(action, 'functionName'), input: action.input, instanceId: action.instanceId || undefined, retryOptions: retryOptions(action) };
    case ActionType.CreateTimer:
      return { actionType: type, fireAt: text(action, 'fireAt'), isCanceled: action.isCanceled === true };
    case ActionType.WaitForExternalEvent:
      return { actionType: type, externalEventName: text(action, 'externalEventName') };
    case ActionType.ContinueAsNew:
      return { actionType: type, input: action.input };
    case ActionType.CallEntity:
    case ActionType.SignalEntity:
    case ActionType.CallHttp:
    case ActionType.LockEntities:
    case ActionType.ReleaseEntities:
      return { actionType: type };
    case ActionType.WhenAny:
    case ActionType.WhenAll:
      throw new Error(`${ActionType[type]} reached the host unflattened`);
    default:
      throw new Error(`Unknown orchestrator action type ${String(type)}`);
  }
}

/** What the host remembers about an action position, to check that replays emit the same actions. */
export interface ActionRecord {
  actionType: ActionType;
  name?: string;
  fireAt?: string;
  inputHash?: string;
  /** The sequence id given to this action (first attempt for retried calls); -1 when it takes none. */
  id: number;
}

/** Depth-first flattening of compound actions, for when the worker's identity-aware probe is unavailable. */
export function flattenActions(actions: unknown[]): ActionJson[] {
  const out: ActionJson[] = [];
  const visit = (a: ActionJson): void => {
    if ((a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny) && Array.isArray(a.compoundActions)) {
      a.compoundActions.forEach(visit);
    } else out.push(a);
  };
  (actions as ActionJson[]).forEach(visit);
  return out;
}

export function takesSequenceId(type: ActionType): boolean {
  return (
    type === ActionType.CallActivity ||
    type === ActionType.CallActivityWithRetry ||
    type === ActionType.CallSubOrchestrator ||
    type === ActionType.CallSubOrchestratorWithRetry ||
    type === ActionType.CreateTimer
  );
}

export function hashInput(input: unknown): string {
  return createHash('sha1').update(input === undefined ? 'undefined' : JSON.stringify(input)).digest('base64url').slice(0, 16);
}

export function recordOf(action: ActionJson, id: number): ActionRecord {
  return {
    actionType: action.actionType,
    name: action.functionName ?? action.externalEventName,
    fireAt: action.actionType === ActionType.CreateTimer ? action.fireAt : undefined,
    inputHash: action.actionType === ActionType.CreateTimer || action.actionType === ActionType.WaitForExternalEvent ? undefined : hashInput(action.input),
    id,
  };
}

/** Describes how a replayed action differs from the recorded one, or undefined when it matches. */
export function replayMismatch(recorded: ActionRecord, replayed: ActionJson): string | undefined {
  const now = recordOf(replayed, recorded.id);
  const describe = (r: ActionRecord) => `${ActionType[r.actionType]}${r.name ? ` '${r.name}'` : ''}${r.fireAt ? ` firing at ${r.fireAt}` : ''}`;
  if (now.actionType !== recorded.actionType || now.name !== recorded.name) return `expected ${describe(recorded)} but the replay emitted ${describe(now)}`;
  if (now.fireAt !== recorded.fireAt) return `expected ${describe(recorded)} but the replay's timer fires at ${now.fireAt}`;
  if (now.inputHash !== recorded.inputHash) return `${describe(recorded)} was replayed with a different input`;
  return undefined;
}

/** JSON text stored as the input of a scheduled activity or continue-as-new: strings are JSON already. */
export function encodedInput(input: unknown): string | null {
  if (input === undefined) return null;
  return typeof input === 'string' ? input : JSON.stringify(input);
}
