// Virtual and manual time: wall time plus an offset that only grows, so timestamps stay plausible and waits
// still end at real speed when nothing skips them. The virtual clock skips ahead to the earliest pending wait
// (its own timers and its participants' durable timers) whenever the whole stack is idle: no run() in flight
// and every participant idle. The manual clock moves only when advance() is called.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClockMode, ClockParticipant, ClockTimer, StackClock } from './stackClock';

/** setTimeout's longest delay; later dues are reached by re-arming. */
const MAX_DELAY = 2 ** 31 - 1;
/**
 * Real milliseconds between "everything is idle" and the jump: lets callbacks already queued (a socket read,
 * a promise chain ending in run()) register their work first. The in-flight count is the signal; this is slack.
 */
const SETTLE_MS = 2;

interface PendingTimer {
  due: number;
  seq: number;
  callback: () => void;
  passive: boolean;
}

/** One run() of work in flight; paused while it waits. */
interface Hold {
  reason: string;
  active: boolean;
}

export function createVirtualClock(mode: Exclude<ClockMode, 'real'>): StackClock {
  return new VirtualClock(mode);
}

class VirtualClock implements StackClock {
  readonly skipped = { jumps: 0, ms: 0 };
  #offset = 0;
  #seq = 0;
  #timers: PendingTimer[] = [];
  #armed: NodeJS.Timeout | undefined;
  #check: NodeJS.Timeout | undefined;
  #disposed = false;
  readonly #holds = new Set<Hold>();
  readonly #participants = new Set<ClockParticipant>();
  readonly #listeners: (() => void)[] = [];
  readonly #context = new AsyncLocalStorage<Hold>();

  constructor(readonly mode: Exclude<ClockMode, 'real'>) {}

  now(): number {
    return Date.now() + this.#offset;
  }

  advance(ms: number): void {
    if (!(ms > 0)) return;
    this.#offset += ms;
    for (const listener of this.#listeners) listener();
    this.#fireDue();
  }

  onAdvance(listener: () => void): void {
    this.#listeners.push(listener);
  }

  setTimer(callback: () => void, ms: number, options?: { passive?: boolean }): ClockTimer {
    const timer: PendingTimer = { due: this.now() + Math.max(0, ms), seq: this.#seq++, callback, passive: options?.passive === true };
    const at = this.#timers.findIndex((t) => t.due > timer.due);
    if (at === -1) this.#timers.push(timer);
    else this.#timers.splice(at, 0, timer);
    if (at === 0 || this.#timers.length === 1) this.#arm();
    this.settle();
    return {
      cancel: () => {
        const index = this.#timers.indexOf(timer);
        if (index === -1) return;
        this.#timers.splice(index, 1);
        if (index === 0) this.#arm();
      },
    };
  }

  sleep(ms: number): Promise<void> {
    return this.idleWhile(new Promise<void>((resolve) => this.setTimer(resolve, ms)));
  }

  run<T>(reason: string, work: () => Promise<T>): Promise<T> {
    const hold: Hold = { reason, active: false };
    this.#acquire(hold);
    let result: Promise<T>;
    try {
      result = this.#context.run(hold, work);
    } catch (err) {
      this.#release(hold);
      throw err;
    }
    return result.finally(() => this.#release(hold));
  }

  idleWhile<T>(event: Promise<T>): Promise<T> {
    const hold = this.#context.getStore();
    if (!hold?.active) return event;
    this.#release(hold);
    // Re-acquired in the settling callback itself, before any timer-phase idle check can run.
    return event.finally(() => this.#acquire(hold));
  }

  join(participant: ClockParticipant): () => void {
    this.#participants.add(participant);
    this.settle();
    return () => {
      this.#participants.delete(participant);
      this.settle();
    };
  }

  settle(): void {
    if (this.mode !== 'virtual' || this.#disposed || this.#check) return;
    this.#check = setTimeout(() => {
      this.#check = undefined;
      this.#skipIfIdle();
    }, SETTLE_MS);
  }

  inFlight(): string[] {
    const reasons = [...this.#holds].map((h) => h.reason);
    for (const p of this.#participants) if (!p.isIdle()) reasons.push(p.name);
    return reasons;
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#armed) clearTimeout(this.#armed);
    if (this.#check) clearTimeout(this.#check);
    this.#armed = undefined;
    this.#check = undefined;
  }

  #acquire(hold: Hold): void {
    if (hold.active) return;
    hold.active = true;
    this.#holds.add(hold);
  }

  #release(hold: Hold): void {
    if (!hold.active) return;
    hold.active = false;
    this.#holds.delete(hold);
    if (this.#holds.size === 0) this.settle();
  }

  #skipIfIdle(): void {
    if (this.#holds.size > 0) return;
    let due = this.#timers.find((t) => !t.passive)?.due;
    for (const participant of this.#participants) {
      if (!participant.isIdle()) return;
      const next = participant.nextDue();
      if (next !== undefined && (due === undefined || next < due)) due = next;
    }
    if (due === undefined) return;
    // A wait already due fires on its own (a real timer is armed for it); jumping now could pass it by.
    const skip = due - this.now();
    if (skip <= 0) return;
    this.skipped.jumps += 1;
    this.skipped.ms += skip;
    this.advance(skip);
  }

  #arm(): void {
    if (this.#armed) clearTimeout(this.#armed);
    this.#armed = undefined;
    const first = this.#timers[0];
    if (!first || this.#disposed) return;
    this.#armed = setTimeout(() => {
      this.#armed = undefined;
      this.#fireDue();
    }, Math.min(Math.max(0, first.due - this.now()), MAX_DELAY));
  }

  #fireDue(): void {
    const now = this.now();
    while (this.#timers[0] && this.#timers[0].due <= now) {
      const timer = this.#timers.shift()!;
      try {
        timer.callback();
      } catch (err) {
        // As a throwing setTimeout callback would: reported, and the other timers still fire.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    this.#arm();
    this.settle();
  }
}
