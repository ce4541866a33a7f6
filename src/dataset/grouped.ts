// GroupedDataset: groupBy(...keys) followed by agg(...) or count(). Grouping keys are names
// or Columns; NULL keys form one group, as in SQL.
import type { Expr } from '../planner/expr.js';
import type { Column, ColumnRef } from './column.js';
import { refToExpr } from './column.js';
import type { Dataset, Row } from './dataset.js';

export class GroupedDataset {
  /** @internal */
  constructor(private readonly source: Dataset<unknown>, private readonly keys: readonly ColumnRef[]) {}

  /** One row per group: the keys, then each aggregate (sum('x').as('total'), count('*'), ...). */
  agg(...aggs: Column[]): Dataset<Row> {
    const keys: Expr[] = this.keys.map(refToExpr);
    return this.source.aggregate(keys, aggs.map((a) => a.expr));
  }

  /** One row per group with its row count in column `count`. */
  count(): Dataset<Row> {
    return this.source.aggregate(this.keys.map(refToExpr), [{ kind: 'alias', child: { kind: 'agg', fn: 'count', arg: null }, name: 'count' }]);
  }
}
