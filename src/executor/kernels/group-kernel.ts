// The generated loop of a grouped aggregation: per live row, the fused filter, the key
// expressions, the group lookup (hash probe or direct index, inserting new groups through
// the GroupTable) and the slot updates of every slot aggregate — one pass, no intermediate
// key or argument columns. It can also write each row's group id (-1 for a row the filter
// drops) for the accumulators outside the loop (distinct sets, string min/max) and for merge.
//
// Generated shape (hash mode, one int32 key, sum(v)):
//   x = c0v[i];
//   if (null) { group = T.nullGid, or T.insertNull() }
//   else {
//     h = finishHash(mix(TABLE_SEED, x), 1); p = h & mask;
//     for (;;) { q = slots[p]; if (q === 0) { pending key; g = T.insert(h, p); reload; break; }
//                if (hs[p] === h && <keys equal>) { g = q - 1; break; } p = (p + 1) & mask; }
//   }
//   o = g * S; <st[o + j] updates>
// For one 32-bit key (int32, date, boolean) the hash is a bijection of the key, so equal
// hashes mean equal keys and the stored key is never read.
import { type Expr, fingerprint, referencedColumns } from '../../planner/expr.js';
import type { Schema } from '../../planner/types.js';
import type { Batch } from '../batch.js';
import { type Emitter, type NumVal, type StrVal, rowLoop } from '../codegen/emit.js';
import { specialize } from '../codegen/compile-expr.js';
import { type AggPlan, slotUpdateCode, slotPlansKey } from '../ops/agg-kernels.js';
import { finishHash, mix, mixBytes, mixF64, mixNull } from './hash.js';
import { type GroupTable, TABLE_SEED, keyKind } from './group-table.js';

export type GroupKernel = (b: Batch, T: GroupTable, gids: Int32Array) => void;

export interface GroupKernelSpec {
  /** Resolved key expressions (aliases stripped). */
  readonly keys: readonly Expr[];
  /** Aggregates whose slots the loop updates (only kind 'slot' ones are used). */
  readonly plans: readonly AggPlan[];
  /** Slots per group. */
  readonly S: number;
  readonly where: Expr | null;
  /** 'direct' needs one int32/date/boolean key and T.prepareDirect run on the batch. */
  readonly mode: 'hash' | 'direct';
  /** Write each live row's group id to gids[k]. */
  readonly gids: boolean;
}

export function groupKernel(spec: GroupKernelSpec, input: Schema): GroupKernel {
  const slots = spec.plans.filter((p) => p.kind === 'slot');
  const refs = new Set<string>();
  for (const k of spec.keys) referencedColumns(k, refs);
  for (const p of slots) if (p.arg) referencedColumns(p.arg, refs);
  if (spec.where) referencedColumns(spec.where, refs);
  const key = [
    spec.mode, spec.gids ? 'gids' : '', `S${spec.S}`, spec.keys.map(fingerprint).join(','),
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

  // The table's key arrays the equality test reads (they move when the table grows).
  const keyArrays: [string, string][] = [];
  kvals.forEach((kv, j) => {
    if (single && kv.kind !== 'double' && kv.kind !== 'string') return;
    if (!single) keyArrays.push([`$kn${j}`, `T.kn[${j}]`]);
    if (kv.kind === 'string') keyArrays.push([`$ko${j}`, `T.ko[${j}]`], [`$kd${j}`, `T.kd[${j}]`]);
    else keyArrays.push([`$kv${j}`, `T.kv[${j}]`]);
  });
  const reloadKeys = keyArrays.map(([v, x]) => `${v} = ${x};`).join(' ');
  const declKeys = keyArrays.map(([v, x]) => `let ${v} = ${x};`).join('\n');
  const pending = kvals.map((kv, j) => {
    const valid = kv.n === 'false' ? '1' : `(${kv.n} ? 0 : 1)`;
    if (kv.str) return `$pn[${j}] = ${valid}; $pd[${j}] = ${kv.str.d}; $ps[${j}] = ${kv.str.s}; $pe[${j}] = ${kv.str.e};`;
    return `$pn[${j}] = ${valid}; $pv[${j}] = ${kv.x};`;
  }).join(' ');
  const reloadSt = spec.S > 0 ? '$st = T.st;' : '';

  let lookup: string;
  if (spec.mode === 'direct') {
    if (!single || kvals[0]!.str || kvals[0]!.kind === 'double') {
      throw new Error('internal error: direct group lookup needs one int32, date or boolean key');
    }
    const x = kvals[0]!.x;
    const found = `$q = $dt[${x} - $lo];
if ($q === 0) { $pn[0] = 1; $pv[0] = ${x}; $g = T.insertDirect(${x} - $lo); ${reloadSt} } else $g = $q - 1;`;
    lookup = nullGuard(kvals[0]!.n, found, reloadSt);
  } else {
    // The hash, as GroupTable.hashGroup computes it.
    let hash = `$h = ${TABLE_SEED};\n`;
    kvals.forEach((kv, j) => {
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
if ($q === 0) { ${pending} $g = T.insert($h, $p); $slots = T.slots; $hs = T.hs; $mask = T.mask; ${reloadKeys} ${reloadSt} break; }
$g = $q - 1;
if ($hs[$p] === $h${eq}) break;
$p = ($p + 1) & $mask;
}`;
    lookup = single ? nullGuard(kvals[0]!.n, probe, reloadSt) : probe;
  }

  let update = '';
  if (slots.length > 0) {
    update = `$o = $g * ${spec.S};\n${slotUpdateCode(em, slots, (j) => `$st[$o + ${j}]`)}`;
  }
  const writeGid = spec.gids ? 'gids[k] = $g;\n' : '';
  let body = `${keyCode}${lookup}\n${update}${writeGid}`;
  if (spec.where) {
    const c = em.cond(spec.where, true);
    body = `${c.code}if (!${c.t}) { ${spec.gids ? 'gids[k] = -1; ' : ''}continue; }\n${body}`;
  }
  const prologue = `let $st = T.st;
const $pv = T.pv, $pn = T.pn, $pd = T.pd, $ps = T.ps, $pe = T.pe;
let $h = 0, $p = 0, $q = 0, $g = 0, $o = 0;
${spec.mode === 'direct' ? 'const $dt = T.dt, $lo = T.lo;' : 'let $slots = T.slots, $hs = T.hs, $mask = T.mask;'}
${spec.mode === 'hash' ? declKeys : ''}
`;
  return em.build<GroupKernel>(['T', 'gids'], `${prologue}${rowLoop(`const k = i;\n${body}`, body)}`, 'groupUpdate');
}

/** One key: the NULL key goes to its own group; `found` handles a non-null key. */
function nullGuard(n: string, found: string, reloadSt: string): string {
  const isNull = `$g = T.nullGid; if ($g < 0) { $g = T.insertNull(); ${reloadSt} }`;
  if (n === 'false') return found;
  if (n === 'true') return isNull;
  return `if (${n}) { ${isNull} } else {\n${found}\n}`;
}
