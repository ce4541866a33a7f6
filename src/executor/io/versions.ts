// Versioned output paths for backfills: a dataset's versions live side by side under one base
// directory, `<base>/v1/`, `<base>/v2/`, ... (each a complete, committed output with its own
// partition directories, e.g. `output/v2/date=2024-01-01/`). A backfill writes the next
// version while readers keep reading the latest committed one; switching is reading again.
//
//   write: .option('version', 2)       → <base>/v2        .option('version', 'next') → one above the highest v<N>
//   read:  { version: 2 }              → <base>/v2        { version: 'latest' }      → the highest v<N> with _SUCCESS
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const VERSION_DIR = /^v(\d+)$/;

export type WriteVersion = number | 'next';
export type ReadVersion = number | 'latest';

function checkNumber(v: number, where: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${where}: a version is a positive integer, 'next' or 'latest'; got ${JSON.stringify(v)}`);
  return v;
}

/** `<base>/v<version>`. */
export function versionDir(base: string, version: number): string {
  return path.join(base, `v${checkNumber(version, `version of ${base}`)}`);
}

/** The version numbers present under `base` (directories named v<N>), ascending. */
export async function listVersions(base: string, committedOnly: boolean): Promise<number[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(base, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: number[] = [];
  for (const e of entries) {
    const m = VERSION_DIR.exec(e.name);
    if (!m || !e.isDirectory()) continue;
    if (committedOnly) {
      try { await fs.access(path.join(base, e.name, '_SUCCESS')); } catch { continue; }
    }
    out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

/** The directory a write with option `version` goes to. */
export async function resolveWriteVersion(base: string, version: unknown): Promise<{ dir: string; version: number }> {
  if (version === 'next') {
    const all = await listVersions(base, false);
    const v = (all[all.length - 1] ?? 0) + 1;
    return { dir: versionDir(base, v), version: v };
  }
  const v = typeof version === 'string' && /^\d+$/.test(version) ? Number(version) : version;
  if (typeof v !== 'number') throw new Error(`write option 'version' must be a positive integer or 'next', got ${JSON.stringify(version)}`);
  return { dir: versionDir(base, v), version: v };
}

/** The directory a read with option `version` reads. */
export async function resolveReadVersion(base: string, version: unknown): Promise<string> {
  if (version === 'latest') {
    const committed = await listVersions(base, true);
    if (committed.length === 0) {
      throw new Error(`no committed version under ${base}: expected directories v1, v2, ... holding a _SUCCESS file`);
    }
    return versionDir(base, committed[committed.length - 1]!);
  }
  const v = typeof version === 'string' && /^\d+$/.test(version) ? Number(version) : version;
  if (typeof v !== 'number') throw new Error(`read option 'version' must be a positive integer or 'latest', got ${JSON.stringify(version)}`);
  return versionDir(base, v);
}
