// The device rows of a resolved target list: every device queued, at its ordinal, in its wave.
import type { RolloutDevice } from './rolloutStore';
import { waveEnds, waveOf } from './rolloutWaves';

export function targetRows(deviceIds: readonly string[], waves: readonly number[], at: string): RolloutDevice[] {
  const ends = waveEnds(deviceIds.length, waves);
  return deviceIds.map((deviceId, ordinal) => ({
    ordinal, deviceId, wave: waveOf(ordinal, ends) + 1, state: 'queued', instanceId: null, outcome: null, attempts: 0, attemptAt: null, updatedAt: at,
  }));
}
