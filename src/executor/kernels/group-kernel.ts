// The generated loop of a grouped aggregation: per live row, the fused filter, the key
// expressions, the group lookup and the slot updates of every slot aggregate — one pass, no
// intermediate key or argument columns. For merging, the "updates" fold a partial's state
// columns instead (mergeSlotCode). It can also write each row's group id (-1 for a row the
// filter drops) for the accumulators outside the loop (distinct sets, string min/max).
//
// Keyed mode (one int32/date/boolean key, group-table.ts), for one key x:
//   h = x - lo; if (h < 0 || h >= size) break;       // outside the range: the caller widens
//   h += 1;                                          // (NULL key: h = 0)
//   if (seen[h] === 0) { seen[h] = 1; n++; }
//   o = h * S; <st[o + j] updates>
// Hash mode:
//   h = finishHash(mix(TABLE_SEED, x), 1); p = h & mask;
//   for (;;) { q = slots[p]; if (q === 0) break; g = q - 1; if (hs[p] === h && <keys equal>) break;
//              p = (p + 1) & mask; }
//   if (q === 0) { <pending key>; break; }           // a new group: inserted outside the loop
//   o = g * S; <st[o + j] updates>
// A new group or a key outside the range leaves the row loop: the table's arrays are then
// constants inside it (V8 keeps them in registers; reloading them after an insert inside the
// loop measured up to 2x slower). The hash kernel inserts and re-enters at the same row; the
// keyed kernel returns the row to the caller, which widens the range (or moves the table to
// hash mode) and runs the right kernel from that row.
// For one 32-bit key (int32, date, boolean) the hash is a bijection of the key, so equal
// hashes mean equal keys and the stored key is never read.
import { type Expr, fingerprint, referencedColumns } from '../../planner/expr.js';
import type { Schema } from '../../planner/types.js';
import type { Batch } from '../batch.js';
import { type Emitter, type NumVal, type StrVal } from '../codegen/emit.js';
import { specialize } from '../codegen/compile-expr.js';
import { type AggPlan, slotUpdateCode, slotMergeCode, slotPlansKey, planFields } from '../ops/agg-kernels.js';
import { finishHash, mix, mixBytes, mixF64, mixNull } from './hash.js';
import { type GroupTable, TABLE_SEED, keyKind } from './group-table.js';

/**
 * Runs over the live rows of b from live row `from`; returns -1 when done, or (keyed mode)
 * the live row whose key lies outside the range.
 */
export type GroupKernel = (b: Batch, T: GroupTable, gids: Int32Array, from: number) => number;

export interface GroupKernelSpec {
  /** Resolved key expressions (aliases stripped). */
  readonly keys: readonly Expr[];
  /** Aggregates whose slots the loop updates (only kind 'slot' ones are used). */
  readonly plans: readonly AggPlan[];
  /** Slots per group. */
  readonly S: number;
  readonly where: Expr | null;
  /** 'keyed' needs one int32/date/boolean key and a table in keyed mode. */
  readonly mode: 'hash' | 'keyed';
  /** Write each live row's group id to gids[k] (hash mode only). */
  readonly gids: boolean;
  /** Fold partial state columns (named `<plan name>.<piece>`) instead of input arguments. */
  readonly merge: boolean;
}

export function groupKernel(spec: GroupKernelSpec, input: Schema): GroupKernel {
  if (spec.gids && spec.mode === 'keyed') throw new Error('internal error: a keyed group kernel has no group ids');
  const slots = spec.plans.filter((p) => p.kind === 'slot');
  const refs = new Set<string>();
  for (const k of spec.keys) referencedColumns(k, refs);
  if (spec.merge) for (const p of slots) for (const f of planFields(p)) refs.add(f.name);
  else for (const p of slots) if (p.arg) referencedColumns(p.arg, refs);
  if (spec.where) referencedColumns(spec.where, refs);
  const key = [
    spec.mode, spec.gids ? 'gids' : '', spec.merge ? `merge:${slots.map((p) => p.name).join(',')}` : '', `S${spec.S}`, spec.keys.map(fingerprint).join(','),
    slotPlansKey(slots), spec.where ? fingerprint(spec.where) : '',
  ].join('|');
  return specialize(refs, key, input, 'groupBy', (em) => build(em, spec, slots));
}

interface KeyVal {
  readonly kind: ReturnType<typeof keyKind>;
  /** Null flag (a variable or a constant). */
  readonly n: string;
  /** Numeric / boolean-as-0/1 value variable. */
  readonly x: string;
  readonly str: StrVal | null;
}

function build(em: Emitter, spec: GroupKernelSpec, slots: readonly AggPlan[]): GroupKernel {
  const K = spec.keys.length;
  const MIX = em.konst(mix), MIXF = em.konst(mixF64), MIXB = em.konst(mixBytes), MIXN = em.konst(mixNull);
  const FIN = em.konst(finishHash);
  const single = K === 1;

  // Per row: the keys, each into variables of a fixed type.
  let keyCode = '';
  const kvals: KeyVal[] = spec.keys.map((e) => {
    const kind = keyKind(em.typeOf(e));
    const v = em.val(e);
    keyCode += v.code;
    if (v.str) return { kind, n: v.n, x: '', str: v };
    const x = em.tmp('n', 'x');
    keyCode += `${x} = ${kind === 'bool' ? `(${(v as NumVal).v} ? 1 : 0)` : (v as NumVal).v};\n`;
    return { kind, n: v.n, x, str: null };
  });

  // Constants of one pass of the row loop (reloaded after each insert or widening).
  let consts: string;
  let lookup: string;
  let after: string;
  if (spec.mode === 'keyed') {
    if (!single || kvals[0]!.str || kvals[0]!.kind === 'double') {
      throw new Error('internal error: keyed group lookup needs one int32, date or boolean key');
    }
    const x = kvals[0]!.x, n = kvals[0]!.n;
    consts = 'const $st = T.st, $seen = T.seen, $lo = T.lo, $size = T.size; let $n = T.n;';
    const inRange = `$g = ${x} - $lo; if ($g < 0 || $g >= $size) break; $g += 1;`;
    const find = n === 'false' ? inRange : n === 'true' ? '$g = 0;' : `if (${n}) $g = 0; else { ${inRange} }`;
    lookup = `${find}\nif ($seen[$g] === 0) { $seen[$g] = 1; $n++; }`;
    after = 'T.n = $n;\nif (k >= nLive) return -1;\nreturn k;';
  } else {
    // The table's key arrays the equality test reads.
    const keyArrays: [string, string][] = [];
    kvals.forEach((kv, j) => {
      if (single && kv.kind !== 'double' && kv.kind !== 'string') return;
      if (!single) keyArrays.push([`$kn${j}`, `T.kn[${j}]`]);
      if (kv.kind === 'string') keyArrays.push([`$ko${j}`, `T.ko[${j}]`], [`$kd${j}`, `T.kd[${j}]`]);
      else keyArrays.push([`$kv${j}`, `T.kv[${j}]`]);
    });
    consts = `const $st = T.st, $slots = T.slots, $hs = T.hs, $mask = T.mask${keyArrays.map(([v, e]) => `, ${v} = ${e}`).join('')};`;
    const pending = kvals.map((kv, j) => {
      const valid = kv.n === 'false' ? '1' : `(${kv.n} ? 0 : 1)`;
      if (kv.str) return `$pn[${j}] = ${valid}; $pd[${j}] = ${kv.str.d}; $ps[${j}] = ${kv.str.s}; $pe[${j}] = ${kv.str.e};`;
      return `$pn[${j}] = ${valid}; $pv[${j}] = ${kv.x};`;
    }).join(' ');
    // The hash, as GroupTable.hashGroup computes it.
    let hash = `$h = ${TABLE_SEED};\n`;
    kvals.forEach((kv) => {
      let m: string;
      if (kv.str) m = `${MIXB}($h, ${kv.str.d}, ${kv.str.s}, ${kv.str.e})`;
      else m = kv.kind === 'double' ? `${MIXF}($h, ${kv.x})` : `${MIX}($h, ${kv.x})`;
      if (!single && kv.n !== 'false') m = `(${kv.n} ? ${MIXN}($h) : ${m})`;
      hash += `$h = ${m};\n`;
    });
    hash += `$h = ${FIN}($h, ${K});\n`;
    // Key equality against group $g (the candidate the slot points at).
    const eqs = kvals.map((kv, j) => {
      let veq: string;
      if (kv.str) veq = `eqBytes($kd${j}, $ko${j}[$g], $ko${j}[$g + 1], ${kv.str.d}, ${kv.str.s}, ${kv.str.e})`;
      else if (kv.kind === 'double') veq = `($kv${j}[$g] === ${kv.x} || (${kv.x} !== ${kv.x} && $kv${j}[$g] !== $kv${j}[$g]))`;
      else veq = single ? 'true' : `$kv${j}[$g] === ${kv.x}`;
      if (single) return veq; // the NULL key never enters the table
      if (kv.n === 'false') return `($kn${j}[$g] === 1 && ${veq})`;
      return `(${kv.n} ? $kn${j}[$g] === 0 : ($kn${j}[$g] === 1 && ${veq}))`;
    }).filter((x) => x !== 'true');
    const eq = eqs.length === 0 ? '' : ` && ${eqs.join(' && ')}`;
    const probe = `${hash}$p = $h & $mask;
for (;;) {
$q = $slots[$p];
if ($q === 0) break;
$g = $q - 1;
if ($hs[$p] === $h${eq}) break;
$p = ($p + 1) & $mask;
}
if ($q === 0) { ${pending} $miss = 1; break; }`;
    const n = kvals[0]!.n;
    const isNull = '$g = T.nullGid; if ($g < 0) { $miss = 2; break; }';
    lookup = !single || n === 'false' ? probe : n === 'true' ? isNull : `if (${n}) { ${isNull} } else {\n${probe}\n}`;
    after = `if (k >= nLive) return -1;
if ($miss === 2) T.insertNull(); else T.insert($h, $p);
$miss = 0;`;
  }

  let update = '';
  if (slots.length > 0) {
    const slot = (j: number) => `$st[$o + ${j}]`;
    update = `$o = $g * ${spec.S};\n${spec.merge ? slotMergeCode(em, slots, slot) : slotUpdateCode(em, slots, slot)}`;
  }
  const writeGid = spec.gids ? 'gids[k] = $g;\n' : '';
  let body = `${keyCode}${lookup}\n${update}${writeGid}`;
  if (spec.where) {
    const c = em.cond(spec.where, true);
    body = `${c.code}if (!${c.t}) { ${spec.gids ? 'gids[k] = -1; ' : ''}continue; }\n${body}`;
  }
  const src = `const $pv = T.pv, $pn = T.pn, $pd = T.pd, $ps = T.ps, $pe = T.pe;
let $h = 0, $p = 0, $q = 0, $g = 0, $o = 0, $miss = 0;
const sel = b.sel;
const nLive = sel === null ? b.length : sel.length;
let k = from;
for (;;) {
${consts}
if (sel === null) {
for (; k < nLive; k++) {
const i = k;
${body}
}
} else {
for (; k < nLive; k++) {
const i = sel[k];
${body}
}
}
${after}
}`;
  return em.build<GroupKernel>(['T', 'gids', 'from'], src, 'groupUpdate');
}
