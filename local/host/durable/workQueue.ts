// A FIFO of async jobs run with bounded concurrency (activity and orchestrator throttles,
// like host.json maxConcurrentActivityFunctions / maxConcurrentOrchestratorFunctions).
// Jobs handle their own errors; a rejection that still reaches the queue is a bug, reported to onError
// (never swallowed).
export class WorkQueue {
  #queue: (() => Promise<void>)[] = [];
  #running = 0;

  constructor(
    private readonly limit: number,
    private readonly onError: (err: unknown) => void,
    private readonly onSettled: () => void = () => undefined,
  ) {}

  get size(): number {
    return this.#queue.length + this.#running;
  }

  push(job: () => Promise<void>): void {
    this.#queue.push(job);
    this.#pump();
  }

  /** Runs `job` when a slot is free and resolves with its result. */
  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.push(() => job().then(resolve, reject));
    });
  }

  #pump(): void {
    while (this.#running < this.limit && this.#queue.length > 0) {
      const job = this.#queue.shift() as () => Promise<void>;
      this.#running++;
      void job()
        .catch((err: unknown) => this.onError(err))
        .finally(() => {
          this.#running--;
          this.#pump();
          this.onSettled();
        });
    }
  }
}

/** Serialises async work per key (one instance's operations never overlap). */
export class KeyedMutex {
  #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await job();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  get busy(): boolean {
    return this.#tails.size > 0;
  }
}
