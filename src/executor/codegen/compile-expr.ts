// Compiles a resolved expression into a function from a batch to a column. One generated
// loop per (expression, input types, which inputs have a validity array): non-null inputs
// get no null checks. The output column has the batch's physical length; only the live rows
// (b.sel, or all) are computed, the slots of dead rows are unspecified. A bare column
// reference returns the input column itself (no copy).
import { type Expr, fingerprint, referencedColumns, stripAlias } from '../../planner/expr.js';
import type { DataType, Schema } from '../../planner/types.js';
import type { Batch, Vec } from '../batch.js';
import { Emitter, columnIndex, rowLoop } from './emit.js';
import { cachedKernel, validityMask, maskHas } from './cache.js';

export type CompiledExpr = (b: Batch) => Vec;

type Kernel = (b: Batch) => Vec;

const ARRAY_OF: Record<Exclude<DataType, 'string'>, string> = {
  int32: 'Int32Array', date: 'Int32Array', int64: 'Float64Array', timestamp: 'Float64Array',
  float64: 'Float64Array', boolean: 'Uint8Array',
};

export function compileExpr(e: Expr, input: Schema): CompiledExpr {
  let root = e;
  while (root.kind === 'alias') root = stripAlias(root);
  if (root.kind === 'col') {
    const idx = columnIndex(input, root.name, 'compileExpr');
    return (b) => b.columns[idx]!;
  }
  return specialize(referencedColumns(root), fingerprint(root), input, 'compileExpr', (em) => exprKernel(em, root));
}

/**
 * Wraps a kernel builder so each batch runs the variant generated for its validity pattern.
 * `refs` are the input columns the generated code reads, `key` names everything else the
 * code depends on (e.g. the expression's fingerprint). Shared by compileExpr, compileFilter
 * and the aggregate kernels.
 */
export function specialize<A extends unknown[], R>(
  refs: Iterable<string>, key: string, input: Schema, what: string,
  build: (em: Emitter) => (b: Batch, ...a: A) => R,
): (b: Batch, ...a: A) => R {
  const cols = [...new Set(refs)].map((n) => columnIndex(input, n, what)).sort((a, b) => a - b);
  const base = `${what}|${key}|${cols.map((c) => `${c}:${input[c]!.type}`).join(',')}`;
  const local = new Map<number | string, (b: Batch, ...a: A) => R>();
  const variant = (mask: number | string) => {
    const hasValid = new Set(cols.filter((_, j) => maskHas(mask, j)));
    const k = cachedKernel(`${base}|${mask}`, () => build(new Emitter(input, (idx) => hasValid.has(idx))));
    local.set(mask, k);
    return k;
  };
  return (b, ...a) => {
    const mask = validityMask(b.columns, cols);
    const k = local.get(mask) ?? variant(mask);
    return k(b, ...a);
  };
}

function exprKernel(em: Emitter, root: Expr): Kernel {
  const type = em.typeOf(root);
  const v = em.val(root);
  const mayNull = v.n !== 'false';
  const validDecl = mayNull ? 'const ov = new Uint8Array(len); let anyNull = false;' : '';
  const validOut = mayNull ? 'anyNull ? ov : null' : 'null';
  if (v.str) {
    // Offsets are written for every physical row (dead rows get empty strings) so the
    // column stays a well-formed Utf8 vector.
    const copy = `{ const ln = ${v.e} - ${v.s};
if (op + ln > od.length) od = growBytes(od, op, op + ln);
if (ln < 16) { for (let q = 0; q < ln; q++) od[op + q] = ${v.d}[${v.s} + q]; } else od.set(${v.d}.subarray(${v.s}, ${v.e}), op);
op += ln;${mayNull ? ' ov[i] = 1;' : ''} }`;
    const write = mayNull ? `if (${v.n}) anyNull = true; else ${copy}` : copy;
    const dense = `${v.code}${write}\noo[i + 1] = op;`;
    const selected = `for (; w < i; w++) oo[w + 1] = op;\n${dense}\nw = i + 1;`;
    const body = `const len = b.length;
const oo = new Int32Array(len + 1);
let od = new Uint8Array(Math.min(len * 16, 65536) + 64);
let op = 0, w = 0;
${validDecl}
${rowLoop(dense, selected, 'for (; w < len; w++) oo[w + 1] = op;')}
const values = od.length - op > 1048576 ? od.slice(0, op) : od.subarray(0, op);
return { type: 'string', length: len, values, offsets: oo, valid: ${validOut} };`;
    return em.build<Kernel>([], body);
  }
  const store = type === 'boolean' ? `(${v.v} ? 1 : 0)` : v.v;
  const write = mayNull ? `if (${v.n}) anyNull = true; else { out[i] = ${store}; ov[i] = 1; }` : `out[i] = ${store};`;
  const body = `const len = b.length;
const out = new ${ARRAY_OF[type as Exclude<DataType, 'string'>]}(len);
${validDecl}
${rowLoop(`${v.code}${write}`)}
return { type: '${type}', length: len, values: out, offsets: null, valid: ${validOut} };`;
  return em.build<Kernel>([], body);
}
