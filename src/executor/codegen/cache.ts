// Per-worker memo of generated kernels. Keys name everything the generated source depends on
// (expression fingerprint, input column positions and types, which inputs carry a validity
// array), so equal keys can share one compiled function. Bounded: the least recently used
// entry goes when the cache is full (a Map keeps insertion order; a hit re-inserts).

const MAX_ENTRIES = 2048;

const entries = new Map<string, unknown>();
let hits = 0;
let misses = 0;

/** The kernel cached under `key`, building (and caching) it on a miss. */
export function cachedKernel<T>(key: string, build: () => T): T {
  const got = entries.get(key);
  if (got !== undefined) {
    hits++;
    entries.delete(key);
    entries.set(key, got);
    return got as T;
  }
  misses++;
  const made = build();
  entries.set(key, made);
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  return made;
}

export function kernelCacheStats(): { hits: number; misses: number; size: number } {
  return { hits, misses, size: entries.size };
}

/** Every cached kernel (for debugging). */
export function cachedKernels(): IterableIterator<[string, unknown]> {
  return entries.entries();
}

export function clearKernelCache(): void {
  entries.clear();
  hits = 0;
  misses = 0;
}

/**
 * A small integer naming which of `cols` (column positions) carry a validity array in this
 * batch; generated code elides the null checks of the others.
 */
export function validityMask(columns: readonly { readonly valid: Uint8Array | null }[], cols: readonly number[]): number | string {
  if (cols.length > 52) return cols.map((c) => (columns[c]!.valid !== null ? '1' : '0')).join('');
  let m = 0;
  for (let j = 0; j < cols.length; j++) if (columns[cols[j]!]!.valid !== null) m += 2 ** j;
  return m;
}

/** Whether column `cols[j]` has a validity array, per a mask from validityMask. */
export function maskHas(mask: number | string, j: number): boolean {
  if (typeof mask === 'string') return mask[j] === '1';
  return Math.floor(mask / 2 ** j) % 2 === 1;
}
