// What a Spark USING join should return, written as explicit DuckDB SQL (not DuckDB's own
// USING / SEMI / ANTI syntax, so the expected semantics are visible here):
//   - output columns: the keys once, then the left's other columns, then the right's;
//   - each key comes from the left (inner, left, semi, anti), the right (right join) or is
//     coalesce(left, right) (full join, per key);
//   - NULL keys never match (an `=` on NULL is not true);
//   - semi keeps each left row that has a match once; anti keeps each left row without one —
//     including rows whose key is NULL (Spark's NOT EXISTS semantics).
// Plus the strategies a hint can force for each join type, and the explain() line each gives.

export type JoinHow = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';
export const JOIN_HOWS: readonly JoinHow[] = ['inner', 'left', 'right', 'full', 'semi', 'anti'];
export type Side = 'left' | 'right';
export type Hint = 'broadcast' | 'shuffle_hash' | 'merge';

/** Spark's names for the join types in explain(). */
export const JOIN_NAMES: Readonly<Record<JoinHow, string>> = {
  inner: 'Inner', left: 'LeftOuter', right: 'RightOuter', full: 'FullOuter', semi: 'LeftSemi', anti: 'LeftAnti',
};

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The SQL for `left.join(right, keys, how)` over DuckDB tables `lt` and `rt` whose non-key
 * columns are `leftCols` and `rightCols`.
 */
export function usingJoinSql(lt: string, rt: string, keys: readonly string[], leftCols: readonly string[], rightCols: readonly string[], how: JoinHow): string {
  const on = keys.map((k) => `l.${q(k)} = r.${q(k)}`).join(' AND ');
  const leftAll = [...keys, ...leftCols].map((c) => `l.${q(c)}`).join(', ');
  if (how === 'semi') return `SELECT ${leftAll} FROM ${q(lt)} l WHERE EXISTS (SELECT 1 FROM ${q(rt)} r WHERE ${on})`;
  if (how === 'anti') return `SELECT ${leftAll} FROM ${q(lt)} l WHERE NOT EXISTS (SELECT 1 FROM ${q(rt)} r WHERE ${on})`;
  const keyCol = (k: string) => {
    switch (how) {
      case 'right': return `r.${q(k)} AS ${q(k)}`;
      case 'full': return `COALESCE(l.${q(k)}, r.${q(k)}) AS ${q(k)}`;
      default: return `l.${q(k)} AS ${q(k)}`;
    }
  };
  const cols = [...keys.map(keyCol), ...leftCols.map((c) => `l.${q(c)}`), ...rightCols.map((c) => `r.${q(c)}`)].join(', ');
  const kind = { inner: 'INNER', left: 'LEFT', right: 'RIGHT', full: 'FULL' }[how];
  return `SELECT ${cols} FROM ${q(lt)} l ${kind} JOIN ${q(rt)} r ON ${on}`;
}

/** The sides a join type can build a hash table of (by broadcast, or per shuffled partition). */
export function buildable(how: JoinHow, broadcast: boolean): Side[] {
  switch (how) {
    case 'inner': return ['left', 'right'];
    case 'left': case 'semi': case 'anti': return ['right'];
    case 'right': return ['left'];
    case 'full': return broadcast ? [] : ['left', 'right'];
  }
}

export interface Strategy {
  /** Test-name text, e.g. "broadcast hint on the right". */
  readonly name: string;
  readonly hints: readonly { readonly side: Side; readonly hint: Hint }[];
  /** The physical operator expected to run. */
  readonly op: 'BroadcastHashJoin' | 'ShuffledHashJoin' | 'SortMergeJoin';
  /** Its build side (hash joins). */
  readonly build?: Side;
}

/** Every strategy a hint can force for this join type, each hinted side it is allowed on. */
export function forcedStrategies(how: JoinHow): Strategy[] {
  const out: Strategy[] = [];
  for (const side of buildable(how, true)) {
    out.push({ name: `broadcast hint on the ${side}`, hints: [{ side, hint: 'broadcast' }], op: 'BroadcastHashJoin', build: side });
  }
  for (const side of buildable(how, false)) {
    out.push({ name: `shuffle_hash hint on the ${side}`, hints: [{ side, hint: 'shuffle_hash' }], op: 'ShuffledHashJoin', build: side });
  }
  out.push({ name: 'merge hint on the right', hints: [{ side: 'right', hint: 'merge' }], op: 'SortMergeJoin' });
  if (how === 'inner' || how === 'full') out.push({ name: 'merge hint on the left', hints: [{ side: 'left', hint: 'merge' }], op: 'SortMergeJoin' });
  return out;
}

/** The operator line explain() prints for a join, e.g. "ShuffledHashJoin [k], LeftOuter, BuildRight". */
export function joinLine(s: Pick<Strategy, 'op' | 'build'>, keys: readonly string[], how: JoinHow): string {
  const head = `${s.op} [${keys.join(', ')}], ${JOIN_NAMES[how]}`;
  return s.op === 'SortMergeJoin' ? head : `${head}, Build${s.build === 'left' ? 'Left' : 'Right'}`;
}
