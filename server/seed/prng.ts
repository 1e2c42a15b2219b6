// A small seeded PRNG so the demo data are the same on every machine and every run.
// mulberry32 (Tommy Ettinger, public domain): 32-bit state, good enough for picking demo
// values; it is not, and need not be, cryptographic. Math.random is never used here because
// it cannot be seeded, and the demo bundle must be reproducible for a given `now`.

export interface Prng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** A value rounded to `decimals` places, uniform in [min, max]. */
  decimal(min: number, max: number, decimals: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

/** FNV-1a 32-bit hash, used to turn a stream label into a seed. */
export function hashSeed(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * One independent stream per label (e.g. 'patients', 'records'), so that adding a value drawn
 * in one module does not shift every value drawn after it in another.
 */
export function createPrng(label: string): Prng {
  let state = hashSeed(label);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    decimal: (min, max, decimals) => {
      const factor = 10 ** decimals;
      return Math.round((min + next() * (max - min)) * factor) / factor;
    },
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    chance: (probability) => next() < probability,
  };
}
