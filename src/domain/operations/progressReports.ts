// Which reported patches of a section can end an operation: the twin change function wakes an operation only for
// those, so a device's progress reports ("rebooting", "downloading", …) cost no twin read. The orchestration still
// judges from the twin it reads; a patch wrongly taken for progress only delays the verdict to the next timed read.

/**
 * True unless the patch is progress only: it sets `status` to a value that is not one of `terminal` (the judges
 * treat a fresh status as authoritative, so nothing else in that patch can decide), or it has no status and none of
 * `endingFields`. A section replaced by something that is not an object (null clears it) may end it.
 */
export function reportMayEnd(patch: unknown, terminal: ReadonlySet<string>, endingFields: readonly string[]): boolean {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return true;
  const values = patch as Record<string, unknown>;
  if ('status' in values) return typeof values.status !== 'string' || terminal.has(values.status.toLowerCase());
  return endingFields.some((field) => field in values);
}
