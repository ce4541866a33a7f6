// End to end: the errors users hit — unknown columns, type mismatches, lambdas that close over
// variables or carry functions in ctx, lambdas that throw, malformed CSV and JSON in each
// parse mode. Each error must say what is wrong and where, and fail as early as it can.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, col, lit, sum, count, AnalysisError, LambdaError, TaskFailedError, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { exists, expectSameAsSql, localPartitionOf, rejection, sqlPath, tempDir, type Row } from '../helpers/e2e.js';

let spark: Session;
let db: Oracle;
let root: string;
let orders: Dataset;
const N = 300;
const data: Row[] = Array.from({ length: N }, (_, i) => ({
  order_id: i, amount: i % 10 === 0 ? null : (i % 37) * 1.5, status: ['paid', 'refunded', 'pending'][i % 3]!, qty: i % 4,
}));

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  root = await tempDir('errors');
  orders = spark.createDataset(data, { schema: { order_id: 'int64', amount: 'float64', status: 'string', qty: 'int32' }, partitions: 5 });
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

/** Runs `action` and asserts no job beyond lambda sampling ran for it. */
async function failsBeforeJob(action: () => Promise<unknown>): Promise<Error> {
  const before = spark.lastJob();
  const err = await rejection((async () => action())());
  const after = spark.lastJob();
  if (after !== before) expect(after!.description).toBe('sample for lambda check');
  return err;
}

describe('unknown columns', () => {
  const CASES: [string, () => Promise<unknown>, string, string][] = [
    ['select', () => orders.select('amout').collect(), 'amout', 'amount'],
    ['filter', () => orders.filter(col('stauts').eq('paid')).collect(), 'stauts', 'status'],
    ['withColumn', () => orders.withColumn('x', col('qtty').mul(2)).count(), 'qtty', 'qty'],
    ['agg', () => orders.agg(sum('ammount')).collect(), 'ammount', 'amount'],
    ['a different case', () => orders.select(col('Amount')).collect(), 'Amount', 'amount'],
  ];
  for (const [where, action, bad, suggestion] of CASES) {
    it(`in ${where}: names the column and suggests '${suggestion}', before any job`, async () => {
      const err = await failsBeforeJob(action);
      expect(err).toBeInstanceOf(AnalysisError);
      expect(err.message).toContain(`'${bad}'`);
      expect(err.message).toContain(`did you mean '${suggestion}'`);
    });
  }

  it('lists what is available when nothing is close', async () => {
    const err = await failsBeforeJob(() => orders.select('zzzzzzzz').collect());
    expect(err).toBeInstanceOf(AnalysisError);
    expect(err.message).toContain("'zzzzzzzz'");
    expect(err.message).toMatch(/order_id.*amount.*status.*qty/);
  });

  it('after a rename, the old name fails and the message lists the new one', async () => {
    const err = await failsBeforeJob(() => orders.withColumnRenamed('amount', 'total').select('amount').collect());
    expect(err).toBeInstanceOf(AnalysisError);
    expect(err.message).toContain("'amount'");
    expect(err.message).toMatch(/available: .*total/);
  });

  it('on a file source too', async () => {
    const file = path.join(root, 'o.parquet');
    await db.con.run(`COPY (SELECT 1::BIGINT AS order_id, 2.5::DOUBLE AS amount) TO ${sqlPath(file)} (FORMAT parquet)`);
    const err = await failsBeforeJob(() => spark.read.parquet(file).filter(col('ammount').gt(1)).collect());
    expect(err.message).toContain("did you mean 'amount'");
  });
});

describe('type mismatches', () => {
  it('a string column compared with a number', async () => {
    const err = await failsBeforeJob(() => orders.filter(col('status').gt(5)).collect());
    expect(err).toBeInstanceOf(AnalysisError);
    expect(err.message).toContain('type mismatch');
    expect(err.message).toContain('status');
    expect(err.message).toMatch(/string/);
    expect(err.message).toContain('cast');
  });

  it('arithmetic on a string, sum of a string, AND of a number', async () => {
    const e1 = await failsBeforeJob(() => orders.select(col('amount').plus(col('status'))).collect());
    expect(e1.message).toMatch(/type mismatch.*amount.*status/);
    const e2 = await failsBeforeJob(() => orders.agg(sum('status')).collect());
    expect(e2.message).toMatch(/sum\(status\)/);
    const e3 = await failsBeforeJob(() => orders.filter(col('qty').gt(1).and(col('qty'))).collect());
    expect(e3.message).toMatch(/AND/);
  });

  it('a filter condition that is not boolean', async () => {
    const err = await failsBeforeJob(() => orders.filter(col('qty')).collect());
    expect(err).toBeInstanceOf(AnalysisError);
    expect(err.message).toMatch(/filter condition must be boolean.*qty/);
  });

  it('comparing after an explicit cast works', async () => {
    await expectSameAsSql(
      spark.createDataset([{ v: '10' }, { v: '9' }, { v: 'x' }]).filter(col('v').cast('int32').gt(9)),
      db, "SELECT '10' AS v",
    );
  });

  it('union of datasets with different column counts', async () => {
    const err = await failsBeforeJob(() => orders.select('order_id').union(orders.select('order_id', 'qty')).collect());
    expect(err.message).toMatch(/union/);
    expect(err.message).toMatch(/order_id.*qty/);
  });

  // Spark widens int + string to string in a union.
  it('union of an int column and a string column widens to string, as Spark does', async () => {
    const u = orders.select('qty').union(orders.select('status'));
    expect(await u.count()).toBe(2 * N);
    expect((await u.schema()).map((f) => f.type)).toEqual(['string']);
  });

  it('union of a boolean and a number names the union and the column', async () => {
    const err = await failsBeforeJob(() => orders.select(col('qty').gt(1).as('b')).union(orders.select('qty')).collect());
    expect(err.message).toMatch(/union cannot combine column 1 \('b'\): boolean vs/);
    expect(err.message).not.toMatch(/coalesce/);
  });
});

describe('lambdas', () => {
  it('closing over a local variable fails before the job, naming it and pointing at ctx', async () => {
    const factor = 3;
    for (const [op, action] of [
      ['map', () => orders.map((r: Row) => ({ v: (r['qty'] as number) * factor })).collect()],
      ['filter', () => orders.filter((r: Row) => (r['qty'] as number) > factor).count()],
      ['flatMap', () => orders.flatMap((r: Row) => [{ v: (r['qty'] as number) + factor }]).collect()],
      ['mapPartitions', () => orders.mapPartitions((rs: Row[]) => rs.map(() => ({ v: factor }))).collect()],
    ] as const) {
      const err = await failsBeforeJob(action);
      expect(err, op).toBeInstanceOf(LambdaError);
      expect(err.message).toContain(`${op}()`);
      expect(err.message).toContain("'factor'");
      expect(err.message).toContain('ctx');
    }
  });

  it('the same lambda with the value in ctx works', async () => {
    const got = await orders.map((r: Row, ctx: { factor: number }) => ({ v: (r['qty'] as number) * ctx.factor }), { factor: 3 })
      .agg(sum('v').as('s')).collect();
    expect(got).toEqual([{ s: data.reduce((a, r) => a + (r['qty'] as number) * 3, 0) }]);
  });

  it('an imported helper is reported as such', async () => {
    const err = await failsBeforeJob(() => orders.map((r: Row) => ({ p: localPartitionOf(r['order_id'] as number, N, 5) })).collect());
    expect(err).toBeInstanceOf(LambdaError);
    expect(err.message).toMatch(/import/);
  });

  it('a closure reached only by rows outside the sample fails in the task with the same advice', async () => {
    const limit = 250;
    const err = await rejection(orders.map((r: Row) => ({ v: (r['order_id'] as number) > 200 ? limit : 0 })).collect());
    expect(err).toBeInstanceOf(TaskFailedError);
    expect(err.message).toContain("'limit'");
    expect(err.message).toContain('ctx');
    // Every partition holding an order_id above 200 fails; with retries, whichever reaches
    // maxTaskFailures first is the one reported.
    const failed = Number(/partition (\d+)/.exec(err.message)?.[1]);
    expect(failed).toBeGreaterThanOrEqual(localPartitionOf(201, N, 5));
  });

  it('a write whose lambda closes over a variable fails before creating the target', async () => {
    const out = path.join(root, 'never');
    const tag = 'x';
    const err = await failsBeforeJob(() => orders.map((r: Row) => ({ id: r['order_id'], tag })).write.parquet(out));
    expect(err).toBeInstanceOf(LambdaError);
    expect(err.message).toContain("'tag'");
    expect(await exists(out)).toBe(false);
  });

  it('a function in ctx fails at once, naming where it is', () => {
    expect(() => orders.map((r: Row, ctx: { f: (x: unknown) => unknown }) => ({ v: ctx.f(r['qty']) }), { f: (x: unknown) => x }))
      .toThrow(LambdaError);
    expect(() => orders.map((r: Row, ctx: { f: (x: unknown) => unknown }) => ({ v: ctx.f(r['qty']) }), { f: (x: unknown) => x }))
      .toThrow(/ctx\.f is a function/);
    expect(() => orders.filter((r: Row, ctx: { o: { g: () => boolean } }) => ctx.o.g(), { o: { g: () => true } }))
      .toThrow(/ctx\.o\.g is a function/);
    expect(() => orders.flatMap((r: Row, ctx: { list: unknown[] }) => ctx.list, { list: [1, Math.max] }))
      .toThrow(/ctx\.list\[1\] is a function/);
  });

  // A class instance loses its prototype when cloned to the workers; the check says so up front.
  it('a class instance with methods in ctx fails before the job, explaining that methods do not travel', async () => {
    class Scaler {
      k = 2;
      scale(x: number): number { return x * this.k; }
    }
    const err = await failsBeforeJob(() => orders.map((r: Row, ctx: Scaler) => ({ v: ctx.scale(r['qty'] as number) }), new Scaler()).collect());
    expect(err).toBeInstanceOf(LambdaError);
    expect(err.message).toMatch(/ctx/);
    expect(err.message).toMatch(/method|class|prototype/i);
  });

  it('a lambda that throws fails the job with its message and the partition', async () => {
    const bad = 222;
    const err = await rejection(orders.map((r: Row, ctx: { bad: number }) => {
      if (r['order_id'] === ctx.bad) throw new Error(`order ${ctx.bad} has no customer`);
      return { id: r['order_id'] };
    }, { bad }).collect());
    expect(err).toBeInstanceOf(TaskFailedError);
    expect(err.message).toContain(`order ${bad} has no customer`);
    expect(err.message).toContain(`partition ${localPartitionOf(bad, N, 5)}`);
    expect((err as TaskFailedError).partition).toBe(localPartitionOf(bad, N, 5));
    expect(spark.lastJob()!.succeeded).toBe(false);
    // The session still works.
    expect(await orders.count()).toBe(N);
  });

  it('a lambda that throws on a sampled row still reports it from the task', async () => {
    const err = await rejection(orders.filter((r: Row) => {
      if (r['order_id'] === 0) throw new RangeError('first row is special');
      return true;
    }).count());
    expect(err).toBeInstanceOf(TaskFailedError);
    expect(err.message).toContain('first row is special');
    expect(err.message).toContain('partition 0');
  });

  it('wrong return shapes are named', async () => {
    const e1 = await rejection(orders.filter((r: Row) => r['qty'] as unknown as boolean).count());
    expect(e1.message).toMatch(/filter\(\) lambda must return a boolean, got number/);
    const e2 = await rejection((async () => orders.map((r: Row) => r['qty']).collect())());
    expect(e2.message).toMatch(/map\(\) must return row objects/);
    const e3 = await rejection(orders.map((r: Row) => ({ v: (r['order_id'] as number) > 200 ? 'big' : r['order_id'] })).collect());
    expect(e3.message).toMatch(/field 'v'/);
    expect(e3.message).toMatch(/"big"/);
  });
});

describe('malformed input', () => {
  let csv: string;
  let csvDir: string;
  let json: string;
  beforeAll(async () => {
    csv = path.join(root, 'bad.csv');
    await fs.writeFile(csv, 'a,b\n1,2\n3,x\n4,5,6\n7\n8,9\n');
    csvDir = path.join(root, 'csvdir');
    await fs.mkdir(csvDir);
    await fs.writeFile(path.join(csvDir, 'a.csv'), 'a,b\n1,2\n3,4\n');
    await fs.writeFile(path.join(csvDir, 'b.csv'), 'a,b\n5,6\n7,8\n9,oops\n');
    json = path.join(root, 'bad.json');
    await fs.writeFile(json, '{"a": 1, "s": "x"}\n{"a": 2, "s": \n{"a": "three", "s": "z"}\n{"a": 4, "s": null}\n');
  });
  const schema = { a: 'int32', b: 'int32' };

  it('CSV FAILFAST (the default) names the file, the line and the column', async () => {
    const err = await rejection(spark.read.csv(csv, { schema }).collect());
    expect(err.message).toContain(csv);
    expect(err.message).toContain('line 3');
    expect(err.message).toContain("'x'");
    expect(err.message).toContain('FAILFAST');
    const err2 = await rejection(spark.read.csv(csv).count());
    expect(err2.message).toContain(csv);
    expect(err2.message).toMatch(/line 4.*3 fields, expected 2/);
  });

  it('CSV FAILFAST names the right file in a directory', async () => {
    const err = await rejection(spark.read.csv(csvDir, { schema }).collect());
    expect(err.message).toContain(path.join(csvDir, 'b.csv'));
    expect(err.message).toContain('line 4');
  });

  it('CSV DROPMALFORMED drops bad records (as DuckDB ignore_errors)', async () => {
    await expectSameAsSql(
      spark.read.csv(csv, { schema, mode: 'DROPMALFORMED' }), db,
      `SELECT a, b FROM read_csv(${sqlPath(csv)}, header = true, columns = {'a': 'INTEGER', 'b': 'INTEGER'}, ignore_errors = true)`,
    );
    expect(await spark.read.csv(csvDir, { schema, mode: 'DROPMALFORMED' }).agg(count('*').as('n'), sum('a').as('s')).collect())
      .toEqual([{ n: 4, s: 16 }]);
  });

  it('CSV PERMISSIVE keeps every record, with the raw text of bad ones in _corrupt_record', async () => {
    const ds = spark.read.csv(csv, { schema, mode: 'PERMISSIVE' });
    expect(await ds.columns()).toEqual(['a', 'b', '_corrupt_record']);
    expect(await ds.collect()).toEqual([
      { a: 1, b: 2, _corrupt_record: null },
      { a: 3, b: null, _corrupt_record: '3,x' },
      { a: 4, b: 5, _corrupt_record: '4,5,6' },
      { a: 7, b: null, _corrupt_record: '7' },
      { a: 8, b: 9, _corrupt_record: null },
    ]);
    expect(await ds.filter(col('_corrupt_record').isNotNull()).count()).toBe(3);
  });

  it('JSON FAILFAST, DROPMALFORMED and PERMISSIVE', async () => {
    const js = { a: 'int64', s: 'string' };
    const err = await rejection(spark.read.json(json, { schema: js }).collect());
    expect(err.message).toContain(json);
    expect(err.message).toContain('line 2');
    expect(await spark.read.json(json, { schema: js, mode: 'DROPMALFORMED' }).collect()).toEqual([{ a: 1, s: 'x' }, { a: 4, s: null }]);
    const perm = await spark.read.json(json, { schema: js, mode: 'PERMISSIVE' }).collect();
    expect(perm).toEqual([
      { a: 1, s: 'x', _corrupt_record: null },
      { a: null, s: null, _corrupt_record: '{"a": 2, "s": ' },
      // Spark 3 keeps the fields that did parse (partial results).
      { a: null, s: 'z', _corrupt_record: '{"a": "three", "s": "z"}' },
      { a: 4, s: null, _corrupt_record: null },
    ]);
  });

  it('an unknown mode is refused', async () => {
    const err = await rejection((async () => spark.read.csv(csv, { mode: 'LENIENT' as never }).collect())());
    expect(err.message).toMatch(/unknown mode 'LENIENT'/);
  });
});

describe('sources and actions', () => {
  it('range with step 0 is refused', async () => {
    const err = await rejection((async () => spark.range(0, 10, 0).collect())());
    expect(err.message).toMatch(/step/);
  });

  it('createDataset with conflicting types names the field and row', () => {
    expect(() => spark.createDataset([{ a: 1 }, { a: 'x' }])).toThrow(/'a'.*row 1/);
    expect(() => spark.createDataset([{ a: 1 }], { schema: { a: 'int32', b: 'decimal' } })).toThrow(/decimal/);
  });

  it('lit(undefined) is refused', () => {
    expect(() => lit(undefined as never)).toThrow(/undefined/);
  });
});
