// Messages between the host process and its language-worker child (node:child_process IPC with the
// 'advanced' serialization, so Uint8Array bodies cross intact). The real host speaks gRPC to the Node
// worker; this is the same conversation reduced to what a local host needs.
import type { FunctionMetadata, RpcInvocationRequest, RpcInvocationResponse, RpcLogLevel } from '../rpc/types';

export interface InitMessage {
  type: 'init';
  appRoot: string;
}

export interface InvokeMessage {
  type: 'invoke';
  requestId: number;
  request: RpcInvocationRequest;
}

export interface TerminateMessage {
  type: 'terminate';
}

export type HostToWorker = InitMessage | InvokeMessage | TerminateMessage;

export interface ReadyMessage {
  type: 'ready';
  functions: FunctionMetadata[];
  programmingModel: { name: string; version: string } | null;
}

export interface InitFailedMessage {
  type: 'initFailed';
  message: string;
}

export interface InvocationError {
  name: string;
  message: string;
  stack?: string;
}

/**
 * What the worker could read from durable-functions' TaskOrchestrationExecutor after an orchestrator ran.
 * `actions` is the action list flattened depth-first with repeated objects (a task yielded twice inside
 * compound tasks) removed by identity, which the JSON form cannot express (research §6.2).
 */
export interface OrchestrationProbe {
  actions: unknown[];
  openTaskIds: number[];
  canceledTimerIds: number[];
  deferredTaskIds: number[];
}

export interface ResultMessage {
  type: 'result';
  requestId: number;
  response?: RpcInvocationResponse;
  error?: InvocationError;
  probe?: OrchestrationProbe;
  probeError?: string;
}

export interface LogMessage {
  type: 'log';
  level: RpcLogLevel;
  category: string;
  message: string;
  functionName?: string;
  invocationId?: string;
}

export interface TerminatedMessage {
  type: 'terminated';
}

export type WorkerToHost = ReadyMessage | InitFailedMessage | ResultMessage | LogMessage | TerminatedMessage;
