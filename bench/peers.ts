// Benchmark: Sparrow against the engines a TypeScript user could pick instead, on the same
// data, in one process:
//   DuckDB (@duckdb/node-api, 2 threads), Sparrow (2 workers), Arquero (one thread), and
//   hand-written loops over typed arrays (one thread: the plain-JS ceiling)
// the four queries of bench/wide.ts (filter + compute + sum; group-by 100k keys; fact × 100k
// join + group-by; fact × 2M join + group-by), first straight from the Parquet files, then from
// each contender's in-memory form (Sparrow: cached datasets; DuckDB: tables; Arquero: its
// tables; hand loop: typed arrays). Loading into memory is timed apart from the queries, and
// the memory each step adds is measured (peers/memory.ts says how). Contenders run
// interleaved, round by round, after one warm-up round; medians of SPARROW_BENCH_REPS
// (default 5) rounds. Every answer is compared with DuckDB's: a difference stops the run.
//   npm run bench:peers                 (SPARROW_BENCH_ROWS=200000 SPARROW_BENCH_REPS=1 for a smoke run)
// Writes bench/results/peers.json at full scale (5M rows), else data/bench-wide-<rows>/peers.json.
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { bigDimRows, generateWideData, wideDataDir } from './wide-data.js';
import { type Answer, type Contender, type DataFiles, type Mode, type QueryId, QUERY_IDS, answerDiff, timed } from './peers/contender.js';
import { duckdbContender } from './peers/duckdb.js';
import { sparrowContender } from './peers/sparrow.js';
import { arqueroContender } from './peers/arquero.js';
import { handLoopContender } from './peers/hand-contender.js';
import { PEAK_METHOD, measured, mb } from './peers/memory.js';
import { type LoadRecord, type Samples, markdownMemory, markdownTables, memoryRows, plainTables, sampleKey, summarize } from './peers/report.js';

const FULL_ROWS = 5_000_000;
const ROWS = Number(process.env.SPARROW_BENCH_ROWS ?? FULL_ROWS);
const REPS = Number(process.env.SPARROW_BENCH_REPS ?? 5);
const BIG_DIM = bigDimRows(ROWS);
const MODES: readonly Mode[] = ['parquet', 'memory'];

const LABELS: Record<string, string> = {
  DuckDB: 'DuckDB (2 threads)', Sparrow: 'Sparrow (2 workers)', Arquero: 'Arquero 8 (1 thread)', 'hand loop': 'hand-written loop (1 thread)',
};
const NOT_RUN = [{ name: 'nodejs-polars', reason: `needs Node ≥ 22 (its native binary is not installed on Node ${process.versions.node.split('.')[0]})` }];

const short = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const QUERY_LABELS: Record<QueryId, string> = {
  filter: 'filter + compute + sum',
  groupby: 'group-by 100k keys',
  join100k: `${short(ROWS)} × 100k join + group-by`,
  join2m: `${short(ROWS)} × ${short(BIG_DIM)} join + group-by`,
};

async function main(): Promise<void> {
  if (!(Number.isInteger(ROWS) && ROWS > 0)) throw new Error(`SPARROW_BENCH_ROWS must be a positive integer, got ${process.env.SPARROW_BENCH_ROWS}`);
  if (!(Number.isInteger(REPS) && REPS > 0)) throw new Error(`SPARROW_BENCH_REPS must be a positive integer, got ${process.env.SPARROW_BENCH_REPS}`);
  const loadStart = os.loadavg();
  const dir = wideDataDir(ROWS);
  const gen = await DuckDBInstance.create(':memory:', { threads: '2' });
  const genCon = await gen.connect();
  await generateWideData(dir, genCon, ROWS, BIG_DIM);
  genCon.closeSync();
  gen.closeSync();
  const files: DataFiles = { fact: path.join(dir, 'fact.parquet'), dim100k: path.join(dir, 'dim100k.parquet'), dim2m: path.join(dir, 'dim2m.parquet') };

  // SPARROW_BENCH_CONTENDERS=DuckDB,Sparrow runs a subset (DuckDB, the reference, always runs).
  const only = process.env.SPARROW_BENCH_CONTENDERS?.split(',').map((x) => x.trim());
  const all: Contender[] = [await duckdbContender(files), await sparrowContender(files), arqueroContender(files), handLoopContender(files)];
  const contenders = only ? all.filter((c) => c.name === 'DuckDB' || only.includes(c.name)) : all;
  const samples = new Map<string, Samples>();
  const reference = new Map<QueryId, Answer>();
  const loads: LoadRecord[] = [];
  const started = performance.now();
  log(`${ROWS.toLocaleString()} fact rows, ${BIG_DIM.toLocaleString()}-row big dimension, ${REPS} rounds after a warm-up; load average ${loadStart.map((x) => x.toFixed(1)).join(' ')}`);

  for (const mode of MODES) {
    if (mode === 'memory') {
      for (const c of contenders) {
        const m = await measured(() => timed(() => c.load()));
        const ms = m.value[1];
        const own = await c.heldBytes();
        const arrayBuffers = m.after.arrayBuffers - m.before.arrayBuffers;
        loads.push({
          contender: c.name, ms: Math.round(ms), rss: m.after.rss - m.before.rss, arrayBuffers,
          heap: m.after.heapUsed - m.before.heapUsed, peakExtra: m.peakRss - m.before.rss,
          held: own ?? arrayBuffers, heldSource: own === null ? 'ArrayBuffers' : 'duckdb_memory()',
        });
        log(`loaded ${c.name} into memory in ${ms.toFixed(0)} ms`);
      }
    }
    for (let round = -1; round < REPS; round++) {
      for (const q of QUERY_IDS) {
        for (let i = 0; i < contenders.length; i++) {
          // The first contender of each round rotates, so none always runs right after another.
          const c = contenders[(i + Math.max(round, 0)) % contenders.length]!;
          const m = await measured(() => c.run(q, mode));
          const run = m.value;
          if (round === -1 || round === REPS - 1) check(c.name, mode, q, run.answer(), reference);
          const key = sampleKey(mode, q, c.name);
          const s = samples.get(key) ?? { total: [], load: [], query: [], peakExtra: [] };
          samples.set(key, s);
          // The warm-up run counts for memory (the first run is the one that allocates), not for time.
          s.peakExtra.push(m.peakRss - m.before.rss);
          if (round < 0) continue;
          s.total.push((run.loadMs ?? 0) + run.queryMs);
          if (run.loadMs !== null) s.load.push(run.loadMs);
          s.query.push(run.queryMs);
        }
      }
      log(`${mode}: ${round < 0 ? 'warm-up round' : `round ${round + 1}/${REPS}`} done (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  }
  const loadEnd = os.loadavg();
  for (const c of contenders) await c.close();

  const names = contenders.map((c) => c.name);
  const rows = summarize(samples, names, MODES);
  const labelled = names.map((n) => ({ name: n, label: LABELS[n] ?? n }));
  console.log(`\nPeers on ${ROWS.toLocaleString()} fact rows (big dimension ${BIG_DIM.toLocaleString()} rows), median of ${REPS}; results equal across contenders`);
  console.log(`machine: ${os.cpus().length} cores, Node ${process.versions.node}; load average ${fmtLoad(loadStart)} at the start, ${fmtLoad(loadEnd)} at the end\n`);
  console.log(plainTables(rows, QUERY_LABELS, labelled, NOT_RUN));
  const mem = memoryRows(loads, rows, MODES);
  console.log(`memory (all contenders share one process, so each figure is what a step adds; peak = ${PEAK_METHOD}, minus the RSS before the run: a lower bound):`);
  for (const { load: l, peaks } of mem) {
    console.log(`${(LABELS[l.contender] ?? l.contender).padEnd(30)} load ${String(l.ms).padStart(6)} ms; tables hold ${mb(l.held)} MB (${l.heldSource}; RSS ${l.rss >= 0 ? '+' : ''}${mb(l.rss)} MB); peak over a query: +${peaks[0]} MB from Parquet, +${peaks[1]} MB in memory`);
  }
  console.log('\nMarkdown:\n');
  console.log(markdownTables(rows, QUERY_LABELS, labelled, NOT_RUN));
  console.log(markdownMemory(mem, LABELS));

  const out = process.env.SPARROW_BENCH_OUT ?? (ROWS === FULL_ROWS ? path.resolve('bench', 'results', 'peers.json') : path.join(dir, 'peers.json'));
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, JSON.stringify({
    command: 'npm run bench:peers', date: new Date().toISOString(), node: process.versions.node, cores: os.cpus().length,
    loadAverage: { start: loadStart.map(round2), end: loadEnd.map(round2) },
    rows: ROWS, bigDimRows: BIG_DIM, reps: REPS, queries: QUERY_LABELS, contenders: LABELS, notRun: NOT_RUN,
    memory: { peak: PEAK_METHOD, note: 'peakExtraRssMb: largest (peak RSS during a run - RSS before it) over the warm-up and the reps; loads: what loading into memory added, after GC; heldMb: duckdb_memory() for DuckDB, the ArrayBuffers added for the others' },
    results: rows,
    loads: loads.map((l) => ({ contender: l.contender, ms: l.ms, heldMb: mb(l.held), heldSource: l.heldSource, rssMb: mb(l.rss), arrayBuffersMb: mb(l.arrayBuffers), heapMb: mb(l.heap), peakExtraRssMb: mb(l.peakExtra) })),
  }, null, 1) + '\n');
  console.log(`written to ${path.relative(process.cwd(), out)}`);
}

/** Compares an answer with DuckDB's (the first contender, so its answer is there first); throws on a difference. */
function check(name: string, mode: Mode, q: QueryId, got: Answer, reference: Map<QueryId, Answer>): void {
  const want = reference.get(q);
  if (want === undefined) {
    if (name !== 'DuckDB') throw new Error(`no DuckDB answer for ${q} to check ${name} against`);
    if (got.size === 0) throw new Error(`DuckDB returned no rows for ${q}: the data is wrong`);
    reference.set(q, got);
    return;
  }
  const diff = answerDiff(want, got);
  if (diff !== null) throw new Error(`RESULTS DIFFER: ${name} (${mode}) on ${QUERY_LABELS[q]}: ${diff} (compared with DuckDB)`);
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
const log = (s: string) => console.error(`[peers] ${s}`);

main().catch((err) => { console.error(err); process.exit(1); });
