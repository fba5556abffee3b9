// Waves as cumulative percentages of the target list ([10, 50, 100]: the first 10 %, then up to half, then the
// rest). A wave starts only when the previous one is done. Device ordinals are 0-based positions in the list.

export const MAX_WAVES = 20;

/** Exclusive end ordinal of each wave; the last is `total`. Waves that round to no devices stay (and are skipped). */
export function waveEnds(total: number, waves: readonly number[]): number[] {
  const percents = waves.length === 0 || waves[waves.length - 1] !== 100 ? [...waves, 100] : [...waves];
  return percents.map((p) => Math.min(total, Math.ceil((p * total) / 100)));
}

/** The 0-based wave of a device ordinal. */
export function waveOf(ordinal: number, ends: readonly number[]): number {
  const index = ends.findIndex((end) => ordinal < end);
  return index === -1 ? ends.length - 1 : index;
}
