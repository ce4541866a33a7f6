// The peer comparison's results: medians, ratios against DuckDB, the printed tables (plain and
// Markdown, for the README) and the JSON record.
import { type Mode, type QueryId, QUERY_IDS } from './contender.js';

/** The times of one contender on one query in one mode, one entry per timed rep; peakExtra also has the warm-up's. */
export interface Samples {
  readonly total: number[];
  readonly load: number[];
  readonly query: number[];
  /** Peak RSS above the RSS before the run, bytes. */
  readonly peakExtra: number[];
}

export interface LoadRecord {
  readonly contender: string;
  readonly ms: number;
  /** RSS, main-thread ArrayBuffers and JS heap added by the load (after GC), bytes. */
  readonly rss: number;
  readonly arrayBuffers: number;
  readonly heap: number;
  readonly peakExtra: number;
  /** What the loaded tables hold, bytes: the contender's own figure (DuckDB) or the ArrayBuffers added. */
  readonly held: number;
  readonly heldSource: 'duckdb_memory()' | 'ArrayBuffers';
}

/** Per contender: loading, what the tables hold, and the largest peak over a query in each mode (MB). */
export function memoryRows(loads: readonly LoadRecord[], rows: readonly ResultRow[], modes: readonly Mode[]): { load: LoadRecord; peaks: number[] }[] {
  return loads.map((load) => ({
    load,
    peaks: modes.map((mode) => Math.max(...rows.filter((r) => r.mode === mode && r.contender === load.contender).map((r) => r.peakExtraRssMb))),
  }));
}

/** The memory table in Markdown. */
export function markdownMemory(mem: ReturnType<typeof memoryRows>, labels: Record<string, string>): string {
  const out = ['| contender | load into memory | tables hold | peak RSS over a query, from Parquet | peak RSS over a query, in memory |', '|---|---|---|---|---|'];
  for (const { load: l, peaks } of mem) {
    out.push(`| ${labels[l.contender] ?? l.contender} | ${l.ms} ms | ${mbs(l.held)} MB (${l.heldSource}) | +${peaks[0]} MB | +${peaks[1]} MB |`);
  }
  return out.join('\n') + '\n';
}

const mbs = (b: number) => String(Math.round(b / 1048576));

export interface ResultRow {
  readonly mode: Mode;
  readonly query: QueryId;
  readonly contender: string;
  readonly medianMs: number;
  readonly medianLoadMs: number | null;
  readonly medianQueryMs: number;
  readonly ratioToDuckDB: number;
  readonly peakExtraRssMb: number;
}

export const MODE_TITLE: Record<Mode, string> = {
  parquet: 'from Parquet (every run reads the files)',
  memory: 'in memory (cached datasets, tables, typed arrays)',
};

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median rows for every (mode, query, contender), with the ratio to DuckDB's median. */
export function summarize(samples: Map<string, Samples>, contenders: readonly string[], modes: readonly Mode[]): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const mode of modes) {
    for (const query of QUERY_IDS) {
      const duck = samples.get(sampleKey(mode, query, 'DuckDB'));
      if (!duck) throw new Error(`no DuckDB samples for ${mode} ${query}: the ratios need them`);
      const ref = median(duck.total);
      for (const contender of contenders) {
        const s = samples.get(sampleKey(mode, query, contender))!;
        const med = median(s.total);
        rows.push({
          mode, query, contender, medianMs: round1(med),
          medianLoadMs: s.load.length > 0 ? round1(median(s.load)) : null,
          medianQueryMs: round1(median(s.query)),
          ratioToDuckDB: Math.round((med / ref) * 100) / 100,
          peakExtraRssMb: Math.round(Math.max(...s.peakExtra) / 1048576),
        });
      }
    }
  }
  return rows;
}

export const sampleKey = (mode: Mode, q: QueryId, contender: string): string => `${mode}|${q}|${contender}`;

const round1 = (x: number) => Math.round(x * 10) / 10;

function cell(r: ResultRow): string {
  const ms = r.medianMs >= 100 ? r.medianMs.toFixed(0) : r.medianMs.toFixed(1);
  const load = r.medianLoadMs === null ? '' : `, load ${r.medianLoadMs.toFixed(0)}`;
  return `${ratio(r.ratioToDuckDB)} (${ms} ms${load})`;
}

const ratio = (x: number) => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;

/** One Markdown table per mode: contenders as rows, queries as columns, plus rows for contenders not run. */
export function markdownTables(rows: readonly ResultRow[], labels: Record<QueryId, string>, contenders: readonly { name: string; label: string }[], notRun: readonly { name: string; reason: string }[]): string {
  const out: string[] = [];
  for (const mode of [...new Set(rows.map((r) => r.mode))]) {
    out.push(`**${MODE_TITLE[mode]}** — ratio to DuckDB (median ms${mode === 'parquet' ? '; Arquero and the hand loop: load + query, load shown apart' : ''})`, '');
    out.push(`| contender | ${QUERY_IDS.map((q) => labels[q]).join(' | ')} |`);
    out.push(`|---|${QUERY_IDS.map(() => '---').join('|')}|`);
    for (const c of contenders) {
      const cells = QUERY_IDS.map((q) => cell(rows.find((r) => r.mode === mode && r.query === q && r.contender === c.name)!));
      out.push(`| ${c.label} | ${cells.join(' | ')} |`);
    }
    for (const n of notRun) out.push(`| ${n.name} | not run: ${n.reason} |${QUERY_IDS.slice(1).map(() => ' — |').join('')}`);
    out.push('');
  }
  return out.join('\n');
}

/** The same tables as aligned plain text. */
export function plainTables(rows: readonly ResultRow[], labels: Record<QueryId, string>, contenders: readonly { name: string; label: string }[], notRun: readonly { name: string; reason: string }[]): string {
  const out: string[] = [];
  const w0 = Math.max(...contenders.map((c) => c.label.length), ...notRun.map((n) => n.name.length)) + 2;
  for (const mode of [...new Set(rows.map((r) => r.mode))]) {
    const table = contenders.map((c) => QUERY_IDS.map((q) => cell(rows.find((r) => r.mode === mode && r.query === q && r.contender === c.name)!)));
    const widths = QUERY_IDS.map((q, j) => Math.max(labels[q].length, ...table.map((t) => t[j]!.length)) + 2);
    out.push(`${MODE_TITLE[mode]}: ratio to DuckDB (median ms)`);
    out.push(''.padEnd(w0) + QUERY_IDS.map((q, j) => labels[q].padEnd(widths[j]!)).join(''));
    contenders.forEach((c, i) => out.push(c.label.padEnd(w0) + table[i]!.map((t, j) => t.padEnd(widths[j]!)).join('')));
    for (const n of notRun) out.push(n.name.padEnd(w0) + `not run: ${n.reason}`);
    out.push('');
  }
  return out.join('\n');
}
