// Callers waiting for one condition (drained, nothing in flight), woken together.
export class Waiters {
  private waiting: Array<() => void> = [];

  get size(): number {
    return this.waiting.length;
  }

  add(wake: () => void): void {
    this.waiting.push(wake);
  }

  /** Waits for wakeAll, or at most timeoutMs. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  wakeAll(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }
}
