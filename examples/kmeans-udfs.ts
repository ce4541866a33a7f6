// Helpers for examples/kmeans.ts, registered with the session as a UDF module
// (session.registerModule) so its lambdas call them through ctx instead of pasting them in.

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Squared Euclidean distance. */
export function sqDist(a: Point, b: Point): number {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  return dx * dx + dy * dy;
}

/** Index of the center nearest to p (the first one on ties). */
export function nearest(p: Point, centers: readonly Point[]): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < centers.length; i++) {
    const d = sqDist(p, centers[i]!);
    if (d < bestD) { bestD = d; best = i; }
  }
  return best;
}

/** Total distance the centers moved between two iterations. */
export function movement(before: readonly Point[], after: readonly Point[]): number {
  let s = 0;
  for (let i = 0; i < before.length; i++) s += Math.sqrt(sqDist(before[i]!, after[i]!));
  return s;
}
