// An in-memory stand-in for durable-functions' DurableClient, for HTTP functions whose durable client is a
// binding input. It answers like the real client (durable-functions 3.x DurableClient):
//  - getStatus returns the library's own DurableOrchestrationStatus and rejects an unknown instance with the
//    library's HTTP 404 error text;
//  - startNew refuses to start over an instance that is still active (the extension's default
//    OverridableExistingInstanceStates = NonRunningStates: only Completed, Failed, Terminated, Canceled are replaced);
//  - raiseEvent rejects an unknown instance ("No instance with ID '…' found.", the client's 404 branch) and, for an
//    instance that is over, gets the extension's 410 Gone — which the real client resolves silently
//    (DurableClient.raiseEvent: `case 202: case 410: return;`). The fake does the same and records the event as
//    not delivered, so a test can tell a delivered event from a dropped one.
import type { DurableOrchestrationStatus, HttpManagementPayload, StartNewOptions } from 'durable-functions';
import { FUNCTION } from '../../src/functionNames';
import type { OrchestrationClient } from '../../src/http/durableStatus';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DurableOrchestrationStatus: StatusClass } = require('durable-functions/lib/src/orchestrations/DurableOrchestrationStatus') as {
  DurableOrchestrationStatus: new (init: unknown) => DurableOrchestrationStatus;
};

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated' | 'Canceled' | 'ContinuedAsNew' | 'Suspended';

/** States an instance can be started over in (DTFx NonRunningStates). */
export const NON_RUNNING_STATES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export interface FakeInstance {
  name: string;
  input: unknown;
  runtimeStatus: RuntimeStatus;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

export interface RaisedEvent {
  instanceId: string;
  eventName: string;
  eventData: unknown;
  /** False when the instance was already over (the extension answered 410 and dropped the event). */
  delivered: boolean;
}

export const DURABLE_BASE = 'http://localhost:7071/runtime/webhooks/durabletask';
export const SYSTEM_KEY = 'durable-system-key';

export class FakeDurableClient implements OrchestrationClient {
  readonly instances = new Map<string, FakeInstance>();
  readonly started: { name: string; instanceId: string; input: unknown }[] = [];
  readonly statusQueries: string[] = [];
  readonly events: RaisedEvent[] = [];
  /** Runs inside startNew before the instance is created (simulates a concurrent start). */
  beforeStart: ((instanceId: string) => void) | undefined;
  /** When set, startNew fails with this error after beforeStart (e.g. the Durable HTTP API is down). */
  startError: Error | undefined;

  put(instanceId: string, instance: Partial<FakeInstance> & { runtimeStatus: RuntimeStatus }): void {
    this.instances.set(instanceId, {
      name: FUNCTION.deviceOperationOrchestrator, input: null, output: null, customStatus: null,
      createdTime: '2025-01-01T00:00:00Z', lastUpdatedTime: '2025-01-01T00:00:05Z', ...instance,
    });
  }

  async getStatus(instanceId: string): Promise<DurableOrchestrationStatus> {
    this.statusQueries.push(instanceId);
    const instance = this.instances.get(instanceId);
    if (instance === undefined) {
      throw new Error('DurableClient error: Durable Functions extension replied with HTTP 404 response. '
        + `This usually means we could not find any data associated with the instanceId provided: ${instanceId}.`);
    }
    return new StatusClass({ instanceId, ...JSON.parse(JSON.stringify(instance)) as FakeInstance });
  }

  async startNew(name: string, options?: StartNewOptions): Promise<string> {
    const instanceId = options?.instanceId ?? `generated-${this.started.length + 1}`;
    this.beforeStart?.(instanceId);
    if (this.startError !== undefined) throw this.startError;
    const existing = this.instances.get(instanceId);
    if (existing !== undefined && !NON_RUNNING_STATES.includes(existing.runtimeStatus)) {
      throw new Error(`The operation failed with an unexpected status code: 500. Details: "An Orchestration instance with the status ${existing.runtimeStatus} already exists."`);
    }
    this.started.push({ name, instanceId, input: options?.input });
    this.put(instanceId, { name, input: JSON.parse(JSON.stringify(options?.input ?? null)), runtimeStatus: 'Pending' });
    return instanceId;
  }

  async raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void> {
    if (!eventName) throw new Error('eventName must be a valid string.');
    const instance = this.instances.get(instanceId);
    if (instance === undefined) throw new Error(`No instance with ID '${instanceId}' found.`);
    const delivered = !NON_RUNNING_STATES.includes(instance.runtimeStatus);
    this.events.push({ instanceId, eventName, eventData: JSON.parse(JSON.stringify(eventData ?? null)), delivered });
  }

  /** Offered like the real client's, so a test can prove a handler never hands these URLs (and the system key) out. */
  createHttpManagementPayload(instanceId: string): HttpManagementPayload {
    const q = `taskHub=DeviceOperationsLocal&connection=Storage&code=${SYSTEM_KEY}`;
    const base = `${DURABLE_BASE}/instances/${instanceId}`;
    return {
      id: instanceId,
      statusQueryGetUri: `${base}?${q}`,
      sendEventPostUri: `${base}/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${base}/terminate?reason={text}&${q}`,
      rewindPostUri: `${base}/rewind?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${base}?${q}`,
      suspendPostUri: `${base}/suspend?reason={text}&${q}`,
      resumePostUri: `${base}/resume?reason={text}&${q}`,
    };
  }
}
