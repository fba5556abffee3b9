// What one reading of a device's reported section says about the operation the device is running.

export type Verdict =
  /** The device reported that it finished; `firmwareVersion` when it reported one. */
  | { state: 'completed'; reportedAt: string; evidence: string; step: string | null; firmwareVersion?: string }
  /** The device reported that it failed; `reason` as the device wrote it. */
  | { state: 'failed'; reportedAt: string; evidence: string; step: string | null; reason: string | null }
  /**
   * Still going. `acted` tells whether the twin shows any sign that the device received the method (a fresh report
   * in the section): the evidence that lets an operation whose delivery was uncertain be monitored as delivered.
   */
  | { state: 'pending'; acted: boolean; waitingFor: 'report' | 'completion' | 'reconnect'; evidence: string; step: string | null };
