// Folds bursts of changes into few emits per key. The first change of a quiet key flushes at once
// (a booking shows up without delay); changes inside the window after it are folded into one trailing
// flush, which starts only once the previous one has finished — one flush per key at a time.

export class Coalescer {
  readonly #windowMs: () => number;
  readonly #flush: (key: string) => Promise<void>;
  readonly #keys = new Map<string, { dirty: boolean; timer: NodeJS.Timeout; flushing: Promise<void> }>();
  #stopped = false;

  /** `flush` must not reject: it handles its own errors. */
  /** `windowMs` may be a function: read at each flush, so the window can follow the cost of a flush. */
  constructor(windowMs: number | (() => number), flush: (key: string) => Promise<void>) {
    this.#windowMs = typeof windowMs === 'number' ? () => windowMs : windowMs;
    this.#flush = flush;
  }

  mark(key: string): void {
    if (this.#stopped) return;
    const state = this.#keys.get(key);
    if (state) state.dirty = true;
    else this.#cycle(key);
  }

  #cycle(key: string): void {
    const flushing = this.#flush(key);
    const timer = setTimeout(() => {
      void flushing.then(() => {
        const state = this.#keys.get(key);
        if (!state || this.#stopped) return;
        if (state.dirty) this.#cycle(key);
        else this.#keys.delete(key);
      });
    }, this.#windowMs());
    this.#keys.set(key, { dirty: false, timer, flushing });
  }

  /** Drops pending trailing flushes and waits for those running. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const running = [...this.#keys.values()].map((state) => {
      clearTimeout(state.timer);
      return state.flushing;
    });
    this.#keys.clear();
    await Promise.all(running);
  }
}
