// Input discovery: a path is a file or a directory tree. In a directory, names starting with
// `_` or `.` are skipped (as Spark skips _SUCCESS, _temporary, .crc); `key=value` directory
// names become partition columns (Hive-style), their values unescaped.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface InputFile {
  readonly path: string;
  readonly size: number;
  /** Partition column values from `key=value` directories, in directory order (unescaped; null for Hive's default). */
  readonly partitionValues: Readonly<Record<string, string | null>>;
}

export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/** Lists the data files under `p` (a file or a directory), sorted by path for determinism. */
export async function listInputFiles(p: string, extensions: readonly string[]): Promise<InputFile[]> {
  let st;
  try {
    st = await fs.stat(p);
  } catch {
    throw new Error(`input path does not exist: ${p}`);
  }
  if (st.isFile()) return [{ path: p, size: st.size, partitionValues: {} }];
  const out: InputFile[] = [];
  await walk(p, {}, out, extensions);
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const keys = out.length ? Object.keys(out[0]!.partitionValues).join('/') : '';
  for (const f of out) {
    const k = Object.keys(f.partitionValues).join('/');
    if (k !== keys) {
      throw new Error(`inconsistent partition directories under ${p}: '${keys}' vs '${k}' (at ${f.path})`);
    }
  }
  return out;
}

async function walk(dir: string, parts: Record<string, string | null>, out: InputFile[], exts: readonly string[]): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('_') || e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      const eq = e.name.indexOf('=');
      if (eq > 0) {
        const key = unescapePathName(e.name.slice(0, eq));
        const raw = unescapePathName(e.name.slice(eq + 1));
        await walk(full, { ...parts, [key]: raw === HIVE_DEFAULT_PARTITION ? null : raw }, out, exts);
      } else {
        await walk(full, parts, out, exts);
      }
    } else if (e.isFile()) {
      if (exts.length > 0 && !exts.some((x) => e.name.toLowerCase().endsWith(x))) continue;
      const st = await fs.stat(full);
      out.push({ path: full, size: st.size, partitionValues: { ...parts } });
    }
  }
}

// Hive's escaping: characters that could change the meaning of a path (separators, `=`, `%`,
// control characters, quotes, ...) become %XX. `..` cannot survive because `.` at the start
// is escaped too, so no value can leave the target directory.
const UNSAFE = /[\x00-\x1f"#%'*/:=?\\\x7f{}[\]^]/;

export function escapePathName(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (UNSAFE.test(ch) || (i === 0 && ch === '.')) {
      out += '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out;
}

export function unescapePathName(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}
