// Slots found full a moment ago. At a release-time rush thousands of patients keep asking for
// places that are gone; each of those answers would cost a database query. A slot seen full is
// refused from memory for a short while (`ttlMs`) — any change of its places committed in this
// process forgets it at once, and changes made by another process are seen when the entry runs out.
// Only refusals come from here: a place is only ever given by the database (claims.ts).
export class FullSlots {
  readonly #until = new Map<string, number>();

  constructor(private readonly ttlMs = 500, private readonly maxEntries = 100_000) {}

  isFull(slotId: string, now = Date.now()): boolean {
    const until = this.#until.get(slotId);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(slotId);
    return false;
  }

  markFull(slotId: string, now = Date.now()): void {
    if (this.#until.size >= this.maxEntries) this.#until.clear();
    this.#until.set(slotId, now + this.ttlMs);
  }

  changed(slotIds: readonly string[]): void {
    for (const id of slotIds) this.#until.delete(id);
  }
}
