// Resolves a rollout's query target with a paged IoT Hub twin query (SELECT deviceId … WHERE <validated filters>).
import type { Registry } from 'azure-iothub';
import { classifyHubFailure, describeHubFailure } from '../../domain/hubErrors';
import { HubRequestError, TransientHubError } from '../../domain/ports';
import { buildTargetQuery, type RolloutTargetQuery } from '../../domain/rollouts/rolloutTargetQuery';
import { toHubFailure } from './hubFailure';

export type TargetResolution = { kind: 'resolved'; deviceIds: string[] } | { kind: 'tooMany'; limit: number };

/** What the resolve activity needs from the hub. */
export interface RolloutTargetSource {
  /** Every matching device id, sorted and without duplicates; `tooMany` beyond `limit`. Throws Transient/HubRequestError. */
  resolve(query: RolloutTargetQuery, limit: number): Promise<TargetResolution>;
}

const PAGE_SIZE = 1000;
const PAGE_TIMEOUT_MS = 30_000;

export class TwinQueryTargetSource implements RolloutTargetSource {
  constructor(private readonly registry: Registry) {}

  async resolve(query: RolloutTargetQuery, limit: number): Promise<TargetResolution> {
    const ids = new Set<string>();
    try {
      const cursor = this.registry.createQuery(buildTargetQuery(query), PAGE_SIZE);
      do {
        // The token is passed explicitly: azure-iothub's promise form of Query.next() without it starts again at page one.
        const { result } = await withTimeout(cursor.next(cursor.continuationToken), PAGE_TIMEOUT_MS);
        for (const row of Array.isArray(result) ? (result as Array<{ deviceId?: unknown }>) : []) {
          if (typeof row.deviceId === 'string') ids.add(row.deviceId);
        }
        if (ids.size > limit) return { kind: 'tooMany', limit };
      } while (cursor.hasMoreResults);
    } catch (err) {
      const failure = toHubFailure(err);
      const text = describeHubFailure(failure);
      if (classifyHubFailure(failure) === 'transient') throw new TransientHubError(`the target query failed transiently: ${text}`);
      throw new HubRequestError(`the target query failed: ${text}`);
    }
    return { kind: 'resolved', deviceIds: [...ids].sort() };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no answer from IoT Hub')), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
