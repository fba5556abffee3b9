// The @azure/event-hubs CheckpointStore of the local host's Event Hubs trigger: checkpoints in the host's store
// (memory or Azure Tables), so a restarted host resumes each partition after the last event it handed the app.
// Ownership lives in memory: one host process reads each consumer group (the Functions host shares partitions
// between instances through blob leases; a local host has no peers).
import type { Checkpoint, CheckpointStore, PartitionOwnership } from '@azure/event-hubs';
import type { Store } from '../store/store';

export function checkpointScope(fullyQualifiedNamespace: string, eventHubName: string, consumerGroup: string): string {
  return `${fullyQualifiedNamespace}/${eventHubName}/${consumerGroup}`.toLowerCase();
}

export class StoreCheckpoints implements CheckpointStore {
  #owners = new Map<string, PartitionOwnership>();
  #version = 0;

  constructor(private readonly store: Pick<Store, 'listCheckpoints' | 'putCheckpoint'>) {}

  async listOwnership(fullyQualifiedNamespace: string, eventHubName: string, consumerGroup: string): Promise<PartitionOwnership[]> {
    const scope = checkpointScope(fullyQualifiedNamespace, eventHubName, consumerGroup);
    return [...this.#owners.entries()].filter(([key]) => key.startsWith(`${scope}#`)).map(([, owner]) => ({ ...owner }));
  }

  async claimOwnership(claims: PartitionOwnership[]): Promise<PartitionOwnership[]> {
    const claimed: PartitionOwnership[] = [];
    for (const claim of claims) {
      const key = `${checkpointScope(claim.fullyQualifiedNamespace, claim.eventHubName, claim.consumerGroup)}#${claim.partitionId}`;
      const current = this.#owners.get(key);
      // Optimistic concurrency as the blob store does it: a claim must carry the etag it read.
      if (current !== undefined && current.etag !== claim.etag) continue;
      const owner = { ...claim, etag: String(++this.#version), lastModifiedTimeInMs: Date.now() };
      this.#owners.set(key, owner);
      claimed.push({ ...owner });
    }
    return claimed;
  }

  async updateCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await this.store.putCheckpoint({
      scope: checkpointScope(checkpoint.fullyQualifiedNamespace, checkpoint.eventHubName, checkpoint.consumerGroup),
      partitionId: checkpoint.partitionId, offset: String(checkpoint.offset), sequenceNumber: checkpoint.sequenceNumber,
    });
  }

  async listCheckpoints(fullyQualifiedNamespace: string, eventHubName: string, consumerGroup: string): Promise<Checkpoint[]> {
    const rows = await this.store.listCheckpoints(checkpointScope(fullyQualifiedNamespace, eventHubName, consumerGroup));
    return rows.map((row) => ({
      fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId: row.partitionId, offset: row.offset, sequenceNumber: row.sequenceNumber,
    }));
  }
}
