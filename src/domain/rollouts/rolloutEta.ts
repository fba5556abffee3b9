// The ETA shown in a rollout's status: devices start continuously at the rate in force (a sliding window, no batch
// barrier), so the last queued device starts queued × 60 s / rate from now and ends one device duration later.

export interface EtaInput {
  nowMs: number;
  queued: number;
  ratePerMinute: number | null;
  /** How long a device takes (requestedAt → completed); null before the first finished (then the ETA is unknown). */
  deviceMs: number | null;
}

/** ISO time; null while unknown. */
export function rolloutEta(input: EtaInput): string | null {
  if (input.queued === 0) return new Date(input.nowMs).toISOString();
  if (input.deviceMs === null) return null;
  const startsMs = input.ratePerMinute === null ? 0 : Math.ceil((input.queued * 60_000) / input.ratePerMinute);
  return new Date(input.nowMs + startsMs + input.deviceMs).toISOString();
}
