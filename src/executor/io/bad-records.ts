// Quarantine of malformed CSV/JSON records: the `badRecordsPath` read option (as Databricks').
// Malformed records are left out of the result (as DROPMALFORMED) and written, one JSON object
// a line, to files under `<badRecordsPath>/<job stamp>/bad_records/`:
//
//   {"path":"/in/day1.csv","line":17,"record":"3,abc,2024-01-01","reason":"column 2 ('amount'): cannot parse 'abc' as int64"}
//
// The protocol, all or nothing per job:
//   driver, before the job  stampBadRecords gives every scan with badRecordsPath the job's
//                           directory <badRecordsPath>/<stamp> (a UTC time, the pid, a counter)
//   worker, per input file  the reader writes that file's bad records to a hidden temporary file
//                           in <dir>/_temporary/ and renames it to bad-<name>-<hash>.json when it
//                           stops reading the file; a reader that fails deletes its file. Names
//                           are per input file, so a retried or repeated read replaces, never adds.
//   driver, after the job   succeeded: <dir>/_temporary is renamed to <dir>/bad_records (one rename);
//                           failed: <dir> is deleted. A killed driver leaves only <dir>/_temporary.
// The engine's own sample jobs (lambda checks) drop malformed records without writing them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { type LogicalPlan, transformUp } from '../../planner/logical.js';

/** Reader option holding the job's quarantine directory ('' = drop without writing); set by stampBadRecords. */
export const BAD_RECORDS_DIR = 'badRecordsDir';
const TEMP = '_temporary';
const COMMITTED = 'bad_records';

// ---------------------------------------------------------------------------------------
// Worker side

/** Collects one input file's malformed records; see the header for where they go. */
export class Quarantine {
  private fd: number | null = null;
  private tmp = '';
  private pending: string[] = [];
  private pendingChars = 0;
  count = 0;

  private constructor(private readonly dir: string, private readonly source: string) {}

  /** The quarantine for `file` when the read options ask for one, else null. */
  static open(opts: Readonly<Record<string, unknown>>, file: string): Quarantine | null {
    const dir = opts[BAD_RECORDS_DIR];
    if (typeof dir !== 'string' || dir === '') return null;
    return new Quarantine(dir, file);
  }

  /** One malformed record: its 1-based line, its raw bytes raw[s, e), why it was rejected. */
  add(line: number, raw: Uint8Array, s: number, e: number, reason: string): void {
    const record = Buffer.from(raw.buffer, raw.byteOffset + s, e - s).toString('utf8');
    const text = JSON.stringify({ path: this.source, line, record, reason }) + '\n';
    this.pending.push(text);
    this.pendingChars += text.length;
    this.count++;
    if (this.pendingChars >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    if (this.fd === null) {
      const tempDir = path.join(this.dir, TEMP);
      fs.mkdirSync(tempDir, { recursive: true });
      this.tmp = path.join(tempDir, `.${fileName(this.source)}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
      this.fd = fs.openSync(this.tmp, 'w');
    }
    fs.writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }

  /** Publishes the file (ok) or deletes what was written (the read failed). */
  close(ok: boolean): void {
    try {
      if (ok) this.flush();
    } finally {
      if (this.fd !== null) {
        fs.closeSync(this.fd);
        this.fd = null;
        if (ok) fs.renameSync(this.tmp, path.join(this.dir, TEMP, fileName(this.source)));
        else fs.rmSync(this.tmp, { force: true });
      }
    }
  }
}

/** bad-<input file name>-<hash of its full path>.json: one per input file, the same on every read. */
function fileName(source: string): string {
  const base = path.basename(source).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._]+/, '').slice(0, 60);
  const hash = createHash('sha1').update(path.resolve(source)).digest('hex').slice(0, 12);
  return `bad-${base}-${hash}.json`;
}

// ---------------------------------------------------------------------------------------
// Driver side

let stampSeq = 0;

function jobStamp(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${process.pid}-${++stampSeq}`;
}

/**
 * Gives every scan that has `badRecordsPath` its quarantine directory for this job (`write`
 * false: the engine's sample jobs, which drop malformed records without writing them).
 */
export function stampBadRecords(plan: LogicalPlan, write: boolean): { plan: LogicalPlan; dirs: string[] } {
  const dirs = new Set<string>();
  let stamp: string | null = null;
  const out = transformUp(plan, (p) => {
    if (p.kind !== 'scan') return p;
    const root = p.source.options['badRecordsPath'];
    if (typeof root !== 'string' || root === '') return p;
    let dir = '';
    if (write) {
      stamp ??= jobStamp();
      dir = path.resolve(root, stamp);
      dirs.add(dir);
    }
    return { ...p, source: { ...p.source, options: { ...p.source.options, [BAD_RECORDS_DIR]: dir } } };
  });
  return { plan: out, dirs: [...dirs] };
}

/** The job succeeded: publishes each directory's records; returns the `bad_records` directories that hold some. */
export async function commitBadRecords(dirs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const dir of dirs) {
    const from = path.join(dir, TEMP);
    const to = path.join(dir, COMMITTED);
    try {
      await fs.promises.rename(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // no malformed records
      throw new Error(`cannot publish the bad records of the job in ${dir}: ${(err as Error).message}`);
    }
    out.push(to);
  }
  return out;
}

/** The job failed: nothing of its quarantine stays. */
export async function abortBadRecords(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) await fs.promises.rm(dir, { recursive: true, force: true });
}
