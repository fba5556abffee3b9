// The ETA shown in a rollout's status: the queued devices in batches of `batch`, each batch taking the longer of the
// last batch's duration (the devices' own time: reboot, report) and the pacing gap the rate imposes.

export interface EtaInput {
  nowMs: number;
  queued: number;
  /** Devices per batch. */
  batch: number;
  ratePerMinute: number | null;
  /** Duration of the last batch; null when none has finished (then the ETA is unknown). */
  lastBatchMs: number | null;
}

/** ISO time; null while unknown. */
export function rolloutEta(input: EtaInput): string | null {
  if (input.queued === 0) return new Date(input.nowMs).toISOString();
  if (input.lastBatchMs === null) return null;
  const batches = Math.ceil(input.queued / Math.max(1, input.batch));
  const gapMs = input.ratePerMinute === null ? 0 : (Math.max(1, input.batch) * 60_000) / input.ratePerMinute;
  return new Date(input.nowMs + Math.ceil(batches * Math.max(input.lastBatchMs, gapMs))).toISOString();
}
