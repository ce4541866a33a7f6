// Errors the planner raises before anything runs. Messages say what is wrong and how to fix it.

/** A plan that cannot run: unknown column, type mismatch, misplaced aggregate, ... */
export class AnalysisError extends Error {
  override name = 'AnalysisError';
}

/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate (case-insensitive match first), or null if none is plausibly meant. */
export function suggestName(name: string, candidates: readonly string[]): string | null {
  const ci = candidates.find((c) => c.toLowerCase() === name.toLowerCase());
  if (ci) return ci;
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}
