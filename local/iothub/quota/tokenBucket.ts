// A token bucket: holds at most `capacity` tokens and refills continuously at `ratePerSecond`.

export type Clock = () => number;

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly capacity: number,
    readonly ratePerSecond: number,
    private readonly now: Clock = Date.now,
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Takes `cost` tokens if the bucket holds them; otherwise takes nothing and returns false. */
  tryTake(cost = 1): boolean {
    this.refill();
    if (this.tokens + 1e-9 < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens will be there (0 when they already are). */
  millisecondsUntil(cost = 1): number {
    this.refill();
    const missing = cost - this.tokens;
    return missing <= 1e-9 ? 0 : Math.ceil((missing / this.ratePerSecond) * 1000);
  }

  get available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.updatedAt = now;
    this.tokens = Math.min(this.capacity, this.tokens + elapsedSeconds * this.ratePerSecond);
  }
}
