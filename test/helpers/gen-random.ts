// The random source of the property-based test (test/e2e/property.test.ts): the seeded
// mulberry32 of rng.ts behind a few conveniences. Every generator takes a Rand, so one seed
// reproduces one world of tables and one pipeline exactly.
import { rng } from './rng.js';

export class Rand {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = rng(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('Rand.pick: nothing to pick from');
    return xs[Math.floor(this.next() * xs.length)]!;
  }

  /** One of the options, each with its weight. */
  weighted<T>(options: readonly (readonly [T, number])[]): T {
    const total = options.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [v, w] of options) {
      if (x < w) return v;
      x -= w;
    }
    return options[options.length - 1]![0];
  }

  /** A random subset of `xs` of size in [min, max] (order randomized). */
  subset<T>(xs: readonly T[], min: number, max: number): T[] {
    const n = Math.min(xs.length, this.int(min, Math.min(max, xs.length)));
    return this.shuffle(xs).slice(0, n);
  }

  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
