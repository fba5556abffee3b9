// An in-memory stand-in for durable-functions' DurableClient, for HTTP functions whose durable client is a
// binding input. It answers like the real client: getStatus returns the library's own DurableOrchestrationStatus
// and rejects an unknown instance with the library's HTTP 404 error text; startNew refuses an active instance.
import type { DurableOrchestrationStatus, HttpManagementPayload, StartNewOptions } from 'durable-functions';
import type { OrchestrationClient } from '../../src/http/durableStatus';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DurableOrchestrationStatus: StatusClass } = require('durable-functions/lib/src/orchestrations/DurableOrchestrationStatus') as {
  DurableOrchestrationStatus: new (init: unknown) => DurableOrchestrationStatus;
};

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated' | 'Canceled' | 'ContinuedAsNew' | 'Suspended';

export interface FakeInstance {
  name: string;
  input: unknown;
  runtimeStatus: RuntimeStatus;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

export const DURABLE_BASE = 'http://localhost:7071/runtime/webhooks/durabletask';
export const SYSTEM_KEY = 'durable-system-key';

export class FakeDurableClient implements OrchestrationClient {
  readonly instances = new Map<string, FakeInstance>();
  readonly started: { name: string; instanceId: string; input: unknown }[] = [];
  readonly statusQueries: string[] = [];
  /** Runs inside startNew before the instance is created (simulates a concurrent start). */
  beforeStart: ((instanceId: string) => void) | undefined;

  put(instanceId: string, instance: Partial<FakeInstance> & { runtimeStatus: RuntimeStatus }): void {
    this.instances.set(instanceId, {
      name: 'rebootDevice', input: null, output: null, customStatus: null,
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
    const existing = this.instances.get(instanceId);
    if (existing !== undefined && ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'].includes(existing.runtimeStatus)) {
      throw new Error(`DurableClient error: Durable Functions extension replied with HTTP 409 response: instance ${instanceId} already exists`);
    }
    this.started.push({ name, instanceId, input: options?.input });
    this.put(instanceId, { name, input: JSON.parse(JSON.stringify(options?.input ?? null)), runtimeStatus: 'Pending' });
    return instanceId;
  }

  createHttpManagementPayload(instanceId: string): HttpManagementPayload {
    const q = `taskHub=DeviceRebootLocal&connection=Storage&code=${SYSTEM_KEY}`;
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
