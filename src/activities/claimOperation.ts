// Activity: the orchestration's first step. Claims the device's lease (only the operation the start request
// acquired it for may act) and writes the operation's first record. Safe to repeat.
import type { DeviceGuard, ClaimResult } from '../domain/deviceGuard';
import type { OperationsStore } from '../domain/ports';
import type { ClaimInput } from './contracts';

export async function claimOperation(input: ClaimInput, deps: { guard: DeviceGuard; operations: OperationsStore }): Promise<ClaimResult> {
  const claim = await deps.guard.claim(input.deviceId, input.instanceId);
  if (claim.kind === 'claimed') await deps.operations.save(input.record);
  return claim;
}
