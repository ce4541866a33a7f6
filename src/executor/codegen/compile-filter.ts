// Compiles a resolved boolean predicate into a selection builder: the live positions where
// the predicate IS TRUE (NULL and FALSE drop the row). AND / OR short-circuit, so in
// `amount > 50 AND status = 'paid'` the string test runs only for rows that pass the first.
import { type Expr, stripAlias, referencedColumns, fingerprint } from '../../planner/expr.js';
import type { Schema } from '../../planner/types.js';
import type { Batch } from '../batch.js';
import { rowLoop, type Emitter } from './emit.js';
import { specialize } from './compile-expr.js';

/**
 * The new selection (ascending positions). Returns `b.sel` itself when every live row
 * passes — so null when the batch had no selection and every physical row survived.
 */
export type CompiledFilter = (b: Batch) => Int32Array | null;

type Kernel = (b: Batch) => Int32Array | null;

export function compileFilter(pred: Expr, input: Schema): CompiledFilter {
  let root = pred;
  while (root.kind === 'alias') root = stripAlias(root);
  return specialize(referencedColumns(root), fingerprint(root), input, 'compileFilter', (em) => filterKernel(em, root));
}

function filterKernel(em: Emitter, root: Expr): Kernel {
  const type = em.typeOf(root);
  if (type !== 'boolean') throw new Error(`filter predicate must be boolean, got ${type}`);
  const c = em.cond(root, true);
  if (c.code === '' && c.t === 'true') return em.build<Kernel>([], 'return b.sel;');
  if (c.code === '' && c.t === 'false') return em.build<Kernel>([], 'return new Int32Array(0);');
  const body = `const cap = b.sel === null ? b.length : b.sel.length;
const out = new Int32Array(cap);
let m = 0;
${rowLoop(`${c.code}if (${c.t}) out[m++] = i;`)}
if (m === cap) return b.sel;
return m < (cap >> 1) ? out.slice(0, m) : out.subarray(0, m);`;
  return em.build<Kernel>([], body);
}
