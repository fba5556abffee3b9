// Wakes instances when their earliest future inbox message (a durable timer) becomes visible.
// One node timer for the earliest due time; long delays are re-armed in chunks (setTimeout's limit
// is about 24.8 days), and a callback that fires a little early re-arms instead of delivering early.
import type { Clock } from '../clock';

const MAX_DELAY = 2 ** 31 - 1;

export class TimerScheduler {
  #due = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #armedFor: number | undefined;
  #stopped = false;

  constructor(private readonly clock: Clock, private readonly wake: (instanceId: string) => void) {
    clock.onAdvance(() => this.#arm(true));
  }

  /** Asks to wake `instanceId` at `at` (keeps the earliest request). */
  schedule(instanceId: string, at: number): void {
    const current = this.#due.get(instanceId);
    if (current === undefined || at < current) {
      this.#due.set(instanceId, at);
      this.#arm(false);
    }
  }

  clear(instanceId: string): void {
    this.#due.delete(instanceId);
  }

  /** The earliest pending due time, for the virtual clock's skip-ahead. */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const at of this.#due.values()) if (min === undefined || at < min) min = at;
    return min;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(force: boolean): void {
    if (this.#stopped) return;
    const next = this.nextDue();
    if (next === undefined) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedFor = undefined;
      return;
    }
    if (!force && this.#timer && this.#armedFor !== undefined && this.#armedFor <= next) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#armedFor = next;
    const delay = Math.min(Math.max(0, next - this.clock.now()), MAX_DELAY);
    this.#timer = setTimeout(() => this.#fire(), delay);
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = undefined;
    const now = this.clock.now();
    for (const [instanceId, at] of [...this.#due]) {
      if (at <= now) {
        this.#due.delete(instanceId);
        this.wake(instanceId);
      }
    }
    this.#arm(false);
  }
}
