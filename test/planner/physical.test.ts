// Physical planning decisions, checked on the explain text: scan splitting and row-group /
// partition skipping, partial → Exchange → final aggregation, limit planning, stage cuts.
import { describe, expect, it } from 'vitest';
import type { FileSource, LogicalPlan, RowGroupInfo } from '../../src/planner/logical.js';
import { analyze } from '../../src/planner/analyzer.js';
import { optimize } from '../../src/planner/optimizer/optimizer.js';
import { planPhysical } from '../../src/planner/physical/planner.js';
import { physicalTreeString } from '../../src/planner/physical/explain-physical.js';
import { splitStages } from '../../src/planner/physical/stages.js';
import { and, as, cast, col, count, eq, filter, gt, gte, limit, lt, lit, local, mul, plus, project, schema, sum, union, aggregate } from './dsl.js';

const OPTS = { parallelism: 2, shufflePartitions: 4, autoBroadcastJoinThreshold: 10 * 1024 * 1024, memoryBudgetBytes: 1024 * 1024 * 1024 };

function physical(p: LogicalPlan) {
  return planPhysical(optimize(analyze(p)).plan, OPTS).plan;
}
const explain = (p: LogicalPlan) => physicalTreeString(physical(p));

/** A Parquet source: 2 files × 4 row groups of 1000 rows; `amount` in [g*100, g*100+99], day by file. */
function orders(): LogicalPlan {
  const files = [0, 1].map((f) => {
    const rowGroups: RowGroupInfo[] = [0, 1, 2, 3].map((g) => ({
      index: g, numRows: 1000, totalBytes: 16_000,
      columns: {
        amount: { min: (f * 4 + g) * 100, max: (f * 4 + g) * 100 + 99, nullCount: 0 },
        day: { min: 19723 + f, max: 19723 + f, nullCount: 0 },
      },
    }));
    return { path: `/data/orders/part-${f}.parquet`, size: 64_000, partitionValues: { region: f === 0 ? 'eu' : 'us' }, numRows: 4000, rowGroups };
  });
  const source: FileSource = {
    format: 'parquet', root: '/data/orders', files,
    dataSchema: schema('amount: float64, day: date'), partitionSchema: schema('region: string'), options: {},
  };
  return { kind: 'scan', source, columns: null, filters: [] };
}

describe('scan planning', () => {
  it('reads every row group when nothing is pushed, split into parallelism partitions', () => {
    expect(explain(orders())).toBe(
      '*(1) FileScan parquet [amount, day, region], Location: /data/orders (2 files), PushedFilters: [], RowGroups: 8 of 8, Partitions: 2  [rows=8000, bytes=250.0 KiB]',
    );
  });

  it('skips row groups whose min/max cannot match a pushed filter', () => {
    const text = explain(filter(orders(), lt(col('amount'), lit(250.0, 'float64'))));
    expect(text).toContain('PushedFilters: [(amount < 250.0)], RowGroups: 3 of 8');
  });

  it('never skips by max for `>` on a float column: Parquet stats leave NaN out, and NaN is largest', () => {
    const text = explain(filter(orders(), gt(col('amount'), lit(550.0, 'float64'))));
    expect(text).toContain('PushedFilters: [(amount > 550.0)], RowGroups: 8 of 8');
  });

  it('skips whole files by partition directory values', () => {
    const text = explain(filter(orders(), eq(col('region'), lit('us'))));
    expect(text).toContain("PushedFilters: [(region = 'us')], RowGroups: 4 of 8");
  });

  it('looks through the implicit cast of a date literal', () => {
    const text = explain(filter(orders(), gte(col('day'), lit('2024-01-02'))));
    expect(text).toContain("PushedFilters: [(day >= CAST('2024-01-02' AS date))], RowGroups: 4 of 8");
  });

  it('keeps every row group for a filter it cannot reason about', () => {
    const text = explain(filter(orders(), gt(cast(col('amount'), 'string'), lit('5'))));
    expect(text).toContain('PushedFilters: [], RowGroups: 8 of 8');
  });

  it('a conjunction prunes by each side', () => {
    const text = explain(filter(orders(), and(lt(col('amount'), lit(250.0, 'float64')), eq(col('region'), lit('us')))));
    expect(text).toContain('RowGroups: 0 of 8');
  });
});

describe('aggregate fusion with the Project below it', () => {
  const t = () => local('t', 'a: int64, b: float64', 1000);

  it('folds projected expressions into the aggregate when each is used once', () => {
    const p = explain(aggregate(project(t(), 'a', as(mul(col('b'), lit(2)), 'b2')), ['a'], [as(sum(col('b2')), 's')]));
    expect(p).toContain('HashAggregate(keys=[a], functions=[partial_sum((b * 2.0))])');
    expect(p).not.toContain('Project');
  });

  it('must not fold an expression that does work into several aggregates: the Project stays', () => {
    const p = explain(aggregate(project(t(), 'a', as(mul(col('b'), lit(2)), 'b2')), ['a'], [as(sum(col('b2')), 's'), as(sum(plus(col('b2'), lit(1))), 't')]));
    expect(p).toContain('Project [a, (b * 2.0) AS b2]');
    expect(p).toContain('functions=[partial_sum(b2), partial_sum((b2 + 1.0))]');
  });
});

describe('aggregation and limits', () => {
  it('a whole-dataset aggregate is partial → Exchange SinglePartition → final, two stages', () => {
    const p = physical(aggregate(local('t', 'a: int64, b: float64', 1000), [], [as(sum(col('b')), 's'), as(count(null), 'n')]));
    expect(physicalTreeString(p)).toBe([
      '*(2) HashAggregate(keys=[], functions=[sum(b) AS s, count(*) AS n])  [rows=1, bytes=16 B]',
      '+- Exchange SinglePartition  [rows=2, bytes=16 B]',
      '   +- *(1) HashAggregate(keys=[], functions=[partial_sum(b), partial_count(*)])  [rows=2, bytes=16 B]',
      '      +- *(1) LocalTableScan t [a, b], Partitions: 2  [rows=1000, bytes=15.6 KiB]',
    ].join('\n'));
    const stages = splitStages(p);
    expect(stages.stages.map((s) => [s.id, s.numTasks, s.output.kind, s.parents])).toEqual([
      [1, 2, 'shuffle', []],
      [2, 1, 'result', [1]],
    ]);
    expect(stages.stages[1]!.plan.kind).toBe('HashAggregate');
  });

  it('a limit over many partitions is LocalLimit → Exchange → GlobalLimit', () => {
    expect(explain(limit(local('t', 'a: int64'), 5))).toBe([
      '*(2) GlobalLimit 5  [rows=5, bytes=40 B]',
      '+- Exchange SinglePartition  [rows=5, bytes=40 B]',
      '   +- *(1) LocalLimit 5  [rows=5, bytes=40 B]',
      '      +- *(1) LocalTableScan t [a], Partitions: 2  [rows=100, bytes=800 B]',
    ].join('\n'));
  });

  it('a limit over one partition needs no Exchange', () => {
    const one: LogicalPlan = { ...local('t', 'a: int64'), partitions: 1 } as LogicalPlan;
    expect(explain(limit(one, 5))).toBe([
      '*(1) GlobalLimit 5  [rows=5, bytes=40 B]',
      '+- *(1) LocalTableScan t [a], Partitions: 1  [rows=100, bytes=800 B]',
    ].join('\n'));
  });

  it('a union runs its inputs as one stage, partitions concatenated', () => {
    const p = physical(union(local('a', 'x: int64'), project(local('b', 'x: int64'), 'x')));
    expect(physicalTreeString(p)).toBe([
      '*(1) Union  [rows=200, bytes=1.6 KiB]',
      ':- *(1) LocalTableScan a [x], Partitions: 2  [rows=100, bytes=800 B]',
      '+- *(1) LocalTableScan b [x], Partitions: 2  [rows=100, bytes=800 B]',
    ].join('\n'));
    expect(splitStages(p).stages.map((s) => s.numTasks)).toEqual([4]);
  });
});
