// The instances' inbox (DTFx's control queue, per instance): messages are written to the store and mirrored
// in memory in id (arrival) order, so the dispatcher finds visible work without reading storage. A message
// leaves the mirror only when it is deleted from the store.
import type { InboxMessage, Store } from '../store/store';

export class Inbox {
  readonly #boxes = new Map<string, InboxMessage[]>();

  /** `arrived` is told of every message that enters the mirror (the dispatcher wakes the instance). */
  constructor(
    private readonly store: Store,
    private readonly arrived: (instanceId: string) => void,
  ) {}

  /** Mirrors a message already in the store. */
  mirror(message: InboxMessage): void {
    const box = this.#boxes.get(message.instanceId) ?? [];
    if (!box.some((m) => m.id === message.id)) {
      box.push(message);
      box.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
    this.#boxes.set(message.instanceId, box);
  }

  /** Mirrors a message already in the store and wakes its instance. */
  deliver(message: InboxMessage): void {
    this.mirror(message);
    this.arrived(message.instanceId);
  }

  async enqueue(message: InboxMessage): Promise<void> {
    await this.store.putMessage(message);
    this.deliver(message);
  }

  async drop(instanceId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.store.deleteMessages(instanceId, ids);
    this.forgetMessages(instanceId, ids);
  }

  /** Removes messages from the mirror (the store deleted them already). */
  forgetMessages(instanceId: string, ids: string[]): void {
    if (ids.length === 0) return;
    const box = this.#boxes.get(instanceId);
    if (box) {
      const gone = new Set(ids);
      const remaining = box.filter((m) => !gone.has(m.id));
      if (remaining.length === 0) this.#boxes.delete(instanceId);
      else this.#boxes.set(instanceId, remaining);
    }
  }

  /** Forgets an instance's messages (purged: the store deletes them with the instance). */
  forget(instanceId: string): void {
    this.#boxes.delete(instanceId);
  }

  messages(instanceId: string): readonly InboxMessage[] {
    return this.#boxes.get(instanceId) ?? [];
  }

  visible(instanceId: string, now: number): InboxMessage[] {
    return this.messages(instanceId).filter((m) => m.visibleAt <= now);
  }

  hasVisible(instanceId: string, now: number): boolean {
    return this.messages(instanceId).some((m) => m.visibleAt <= now);
  }

  instanceIds(): string[] {
    return [...this.#boxes.keys()];
  }
}
