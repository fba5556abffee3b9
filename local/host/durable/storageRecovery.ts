// Storage outages: the first failure that means "storage unavailable" starts a probe loop with bounded
// exponential backoff (at most maxDelayMs between probes, so progress resumes within a few seconds of
// storage returning). When a probe answers, `reload` re-reads the inbox and work items and resumes them.
// One warning when the outage starts and one line when it ends; nothing per failed request.
import type { HostLog } from '../log';
import { describeError } from '../store/storeErrors';

export interface RecoveryOptions {
  probe(): Promise<void>;
  reload(): Promise<void>;
  log: HostLog;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export class StorageRecovery {
  #outageSince: number | undefined;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #recovered: (() => void)[] = [];

  constructor(private readonly options: RecoveryOptions) {}

  get inOutage(): boolean {
    return this.#outageSince !== undefined;
  }

  /** Reports a storage-unavailable failure; starts the probe loop unless it runs already. */
  report(err: unknown): void {
    if (this.#stopped || this.#outageSince !== undefined) return;
    this.#outageSince = Date.now();
    this.#attempt = 0;
    this.options.log({ level: 'warning', category: 'durable', message: `Storage unavailable (${describeError(err)}); probing with backoff and resuming when it answers.` });
    this.#schedule();
  }

  /** Resolves when the current outage (if any) is over. */
  whenRecovered(): Promise<void> {
    if (this.#outageSince === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#recovered.push(resolve));
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const resolve of this.#recovered.splice(0)) resolve();
  }

  #schedule(): void {
    const first = this.options.firstDelayMs ?? 100;
    const max = this.options.maxDelayMs ?? 2000;
    const delay = Math.min(max, first * 2 ** this.#attempt++);
    this.#timer = setTimeout(() => void this.#probe(), delay);
  }

  async #probe(): Promise<void> {
    this.#timer = undefined;
    if (this.#stopped) return;
    try {
      await this.options.probe();
      await this.options.reload();
    } catch {
      if (!this.#stopped) this.#schedule();
      return;
    }
    const since = this.#outageSince ?? Date.now();
    this.#outageSince = undefined;
    this.options.log({ level: 'information', category: 'durable', message: `Storage is back after ${Date.now() - since} ms: inbox and work items reloaded.` });
    for (const resolve of this.#recovered.splice(0)) resolve();
  }
}
