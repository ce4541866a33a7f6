// Damaged Parquet files read through a session: every kind of damage fails with an error that
// names the file and says what was wrong (bad magic, footer length beyond the file size, a
// corrupt footer, a row group past the footer, undecodable pages) — never a wasm panic or an
// opaque message — and the session keeps working afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { rejection, sqlPath, tempDir } from '../helpers/e2e.js';
import { rng } from '../helpers/rng.js';

let spark: Session;
let db: Oracle;
let root: string;
let good: string;
let bytes: Buffer;
let seq = 0;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2, maxTaskFailures: 1 });
  db = await openOracle();
  root = await tempDir('parquet-corrupt');
  good = path.join(root, 'good.parquet');
  await db.con.run(`COPY (SELECT i AS id, 'name-' || (i % 977) AS name, i * 0.25 AS amount FROM range(40000) t(i))
    TO ${sqlPath(good)} (FORMAT parquet, ROW_GROUP_SIZE 10000)`);
  bytes = await fs.readFile(good);
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

/** Writes `content` as <root>/<name>-<n>.parquet and returns its path. */
async function damaged(name: string, content: Uint8Array): Promise<string> {
  const p = path.join(root, `${name}-${seq++}.parquet`);
  await fs.writeFile(p, content);
  return p;
}

const esc = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const footerLength = (b: Buffer) => b.readUInt32LE(b.length - 8);

/** The error of reading `p` (all columns, so data pages are decoded), checked to be clear. */
async function readError(p: string): Promise<string> {
  const err = await rejection(spark.read.parquet(p).collect());
  expect(err.message).toContain(p);
  expect(err.message).not.toMatch(/^RuntimeError|^unreachable/);
  return err.message;
}

describe('damage found in the footer (on the driver, before any task)', () => {
  it('a zero-length file', async () => {
    expect(await readError(await damaged('empty', new Uint8Array(0)))).toMatch(/is not a Parquet file: it is empty \(0 bytes\)/);
  });

  it('a truncated copy: the end (and its magic) is gone', async () => {
    const msg = await readError(await damaged('cut-end', bytes.subarray(0, bytes.length - 100)));
    expect(msg).toMatch(/is not a Parquet file or is truncated \(bad magic: the last 4 bytes are 0x[0-9a-f]{8}, expected 'PAR1'\)/);
    const half = await readError(await damaged('cut-half', bytes.subarray(0, bytes.length >> 1)));
    expect(half).toMatch(/bad magic/);
    expect(await readError(await damaged('tiny', bytes.subarray(0, 7)))).toMatch(/only 7 bytes/);
  });

  it('garbage bytes', async () => {
    const r = rng(7);
    const junk = Uint8Array.from({ length: 5000 }, () => Math.floor(r() * 256));
    expect(await readError(await damaged('garbage', junk))).toMatch(/bad magic/);
    const text = await damaged('text', Buffer.from('id,name\n1,a\n'.repeat(10)));
    expect(await readError(text)).toMatch(/bad magic/);
  });

  it('a footer length beyond the file size', async () => {
    const b = Buffer.from(bytes);
    b.writeUInt32LE(0x7fffff00, b.length - 8);
    expect(await readError(await damaged('long-footer', b))).toMatch(/footer length 2147483392 is beyond the file size \d+/);
  });

  it('a corrupt footer and a bad header magic', async () => {
    const b = Buffer.from(bytes);
    const len = footerLength(b);
    b.fill(0xff, b.length - 8 - len, b.length - 8);
    expect(await readError(await damaged('bad-footer', b))).toMatch(/corrupt Parquet footer/);
    const h = Buffer.from(bytes);
    h.write('XXXX', 0, 'latin1');
    expect(await readError(await damaged('bad-head', h))).toMatch(/the first 4 bytes are 0x58585858, expected 'PAR1'/);
  });

  it('in a directory, the error names the damaged file, not its good neighbours', async () => {
    const dir = path.join(root, `dir-${seq++}`);
    await fs.mkdir(dir);
    await fs.copyFile(good, path.join(dir, 'a.parquet'));
    await fs.writeFile(path.join(dir, 'b.parquet'), bytes.subarray(0, 1000));
    await fs.copyFile(good, path.join(dir, 'c.parquet'));
    const err = await rejection(spark.read.parquet(dir).count());
    expect(err.message).toMatch(new RegExp(`${esc(path.join(dir, 'b.parquet'))} is not a Parquet file or is truncated`));
    expect(err.message).not.toContain('a.parquet');
  });
});

describe('damage found while reading data (in a task)', () => {
  it('column data cut out, the footer kept: a row group ends past the footer', async () => {
    const len = footerLength(bytes) + 8;
    const p = await damaged('middle-cut', Buffer.concat([bytes.subarray(0, 20_000), bytes.subarray(bytes.length - len)]));
    // The footer is intact, so planning works and count() needs no data.
    expect(await spark.read.parquet(p).count()).toBe(40000);
    expect(await readError(p)).toMatch(/Parquet file is truncated or corrupt \(row group \d+ ends at byte \d+, after the footer starts at \d+\)/);
  });

  it('overwritten data pages: an error naming the file, then the session still works', async () => {
    const b = Buffer.from(bytes);
    b.fill(0, 200, b.length - footerLength(b) - 8 - 200);
    const p = await damaged('zeroed-pages', b);
    const msg = await readError(p);
    expect(msg).toMatch(/cannot read Parquet file .* \(row group \d+\)/);
    expect(await spark.read.parquet(good).count()).toBe(40000);
    const rows = await spark.read.parquet(good).filter((r: { id: number }) => r.id < 3).collect();
    expect(rows).toEqual([{ id: 0, name: 'name-0', amount: 0 }, { id: 1, name: 'name-1', amount: 0.25 }, { id: 2, name: 'name-2', amount: 0.5 }]);
  });
});
