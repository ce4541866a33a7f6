// Random pipelines for the property-based test: a chain of filter, select, withColumn,
// groupBy().agg() / agg() / groupBy().count(), join (every type, 1–2 keys, sometimes a hint that
// forces the strategy), distinct, orderBy (+ limit), union and repartition / coalesce over the
// world's tables. Each step is built three ways at once: the Dataset, code text a person can
// read, and DuckDB SQL with Spark's semantics (joins spelled out as in join-sql.ts: USING keys
// once, semi/anti as EXISTS / NOT EXISTS). A limit only ever follows an orderBy on every
// column, so each result is deterministic; a pipeline that ends in an orderBy is compared in
// order. Join keys of different numeric types are modelled as Sparrow types them (its
// documented choice, analyze-join.ts): both sides' keys take the wider type, and so does the
// output key for every join type — Spark keeps the left's own type for inner, left, semi and
// anti joins. The values are the same either way.
import { asc, avg, col, count, countDistinct, desc, lit, max, min, sum, type Column, type Dataset } from '../../src/index.js';
import type { Rand } from './gen-random.js';
import type { TypeName } from './e2e.js';
import type { TableSpec } from './gen-table.js';
import { type ColInfo, ExprGen, type GExpr, type Scope, colExpr, isNumeric, sumSafe, wider } from './gen-expr.js';
import { castSql, orderTermSql, q } from './gen-spark-sql.js';
import { type JoinHow, forcedStrategies } from './join-sql.js';

/** A table as a Sparrow Dataset and a DuckDB relation holding the same rows. */
export interface Source {
  readonly table: TableSpec;
  readonly ds: Dataset;
  /** The variable name the code text uses (t0, t1, ...). */
  readonly code: string;
  /** The DuckDB relation (quoted). */
  readonly sql: string;
  /** How the Dataset was made: 'createDataset', 'fromArrow', 'parquet-file' or 'parquet-dir'. */
  readonly kind: string;
  /** How the Dataset was made, in detail, for failure reports. */
  readonly describe: string;
}

export interface Stage {
  readonly ds: Dataset;
  readonly code: string;
  readonly sql: string;
  readonly schema: Scope;
  /** The result's order is a total order that must match the SQL's. */
  readonly ordered: boolean;
  /** A rough upper bound of the rows (keeps joins from exploding). */
  readonly est: number;
  readonly joins: number;
}

export interface Pipeline extends Stage {
  /** Every kind of step and expression used ('join:full', 'hint:merge', 'cast:string->int32', ...). */
  readonly features: ReadonlySet<string>;
}

const MAX_JOIN_ROWS = 100_000;
const COUNT_BOUND = 2 ** 20;

const indent = (code: string) => code.replace(/\n/g, '\n    ');
const names = (s: Scope) => s.map((c) => c.name);

export class PipelineGen {
  private nextName = 0;
  private nextAlias = 0;
  readonly features = new Set<string>();

  constructor(private readonly r: Rand, private readonly sources: readonly Source[]) {}

  pipeline(): Pipeline {
    let s = this.chain(this.r.int(1, 6), 2);
    if (this.r.chance(0.3)) s = this.sortLimit(s, this.r.chance(0.5));
    return { ...s, features: this.features };
  }

  private chain(nOps: number, budget: number): Stage {
    let s = this.source();
    for (let i = 0; i < nOps; i++) s = this.step(s, budget);
    return s;
  }

  private name(): string {
    return `x${this.nextName++}`;
  }

  private alias(): string {
    return `q${this.nextAlias++}`;
  }

  private exprs(scope: Scope): ExprGen {
    return new ExprGen(this.r, scope, this.features);
  }

  private source(): Stage {
    const src = this.r.pick(this.sources);
    const schema: ColInfo[] = src.table.columns.map((c) => ({ name: c.name, type: c.type, bound: c.bound, frac: c.frac, domain: c.source.domain }));
    return { ds: src.ds, code: src.code, sql: `SELECT * FROM ${src.sql}`, schema, ordered: false, est: src.table.rows.length, joins: 0 };
  }

  private step(s: Stage, budget: number): Stage {
    const op = this.r.weighted<string>([
      ['filter', 4], ['select', 2], ['withColumn', 2], ['aggregate', 3], ['join', budget > 0 && s.joins < 3 ? 4 : 0],
      ['distinct', 1], ['sortLimit', 1.5], ['union', budget > 0 ? 1 : 0], ['repartition', 1.5],
      ['drop', 0.5], ['rename', 0.5], ['persist', 0.7],
    ]);
    switch (op) {
      case 'filter': return this.filter(s);
      case 'select': return this.select(s);
      case 'withColumn': return this.withColumn(s);
      case 'aggregate': return this.aggregate(s);
      case 'join': return this.join(s, budget);
      case 'distinct': return this.distinct(s);
      case 'sortLimit': return this.sortLimit(s, true);
      case 'union': return this.union(s);
      case 'drop': return this.drop(s);
      case 'rename': return this.rename(s, this.r.subset(names(s.schema), 1, 2));
      case 'persist': return this.persist(s);
      default: return this.repartition(s);
    }
  }

  // ---------------------------------------------------------------- narrow steps

  private filter(s: Stage): Stage {
    const p = this.exprs(s.schema).predicate(this.r.int(0, 3));
    this.features.add('filter');
    return {
      ...s, ds: s.ds.filter(p.col), code: `${s.code}\n  .filter(${p.code})`,
      sql: `SELECT * FROM (${s.sql}) AS ${this.alias()} WHERE ${p.sql}`, ordered: false,
    };
  }

  private computed(g: ExprGen): { info: ColInfo; e: GExpr } {
    const e = g.any(this.r.int(1, 3));
    return { info: { name: this.name(), type: e.type, bound: e.bound, frac: e.frac, domain: e.domain }, e };
  }

  private select(s: Stage): Stage {
    const g = this.exprs(s.schema);
    const keep = this.r.subset(s.schema, 0, s.schema.length);
    const items: { info: ColInfo; ref: string | Column; code: string; sql: string }[] = keep.map((c) => {
      const byName = this.r.chance(0.5);
      return { info: c, ref: byName ? c.name : col(c.name), code: byName ? JSON.stringify(c.name) : `col(${JSON.stringify(c.name)})`, sql: q(c.name) };
    });
    const nNew = keep.length === 0 ? this.r.int(1, 3) : this.r.int(0, 3);
    for (let i = 0; i < nNew; i++) {
      const { info, e } = this.computed(g);
      items.push({ info, ref: e.col.as(info.name), code: `${e.code}.as(${JSON.stringify(info.name)})`, sql: `${e.sql} AS ${q(info.name)}` });
    }
    let order = this.r.shuffle(items);
    if (this.r.chance(0.1)) {
      // select('*', ...computed): every input column, then new ones.
      const star = s.schema.map((c) => ({ info: c, ref: c.name, code: '', sql: q(c.name) }));
      order = [{ info: star[0]!.info, ref: '*', code: "'*'", sql: star.map((x) => x.sql).join(', ') }, ...order.filter((i) => !s.schema.includes(i.info))];
      const schema = [...s.schema, ...order.slice(1).map((i) => i.info)];
      this.features.add('select:*');
      return {
        ...s, ds: s.ds.select(...order.map((i) => i.ref)), code: `${s.code}\n  .select(${order.map((i) => i.code).join(', ')})`,
        sql: `SELECT ${order.map((i) => i.sql).join(', ')} FROM (${s.sql}) AS ${this.alias()}`, schema, ordered: false,
      };
    }
    this.features.add('select');
    return {
      ...s, ds: s.ds.select(...order.map((i) => i.ref)), code: `${s.code}\n  .select(${order.map((i) => i.code).join(', ')})`,
      sql: `SELECT ${order.map((i) => i.sql).join(', ')} FROM (${s.sql}) AS ${this.alias()}`, schema: order.map((i) => i.info), ordered: false,
    };
  }

  private withColumn(s: Stage): Stage {
    const { info: fresh, e } = this.computed(this.exprs(s.schema));
    const replaced = s.schema.length > 0 && this.r.chance(0.4) ? this.r.pick(s.schema) : null;
    const info = replaced ? { ...fresh, name: replaced.name } : fresh;
    const schema = replaced ? s.schema.map((c) => (c === replaced ? info : c)) : [...s.schema, info];
    const sqlCols = schema.map((c) => (c === info ? `${e.sql} AS ${q(c.name)}` : q(c.name)));
    this.features.add(replaced ? 'withColumn:replace' : 'withColumn:add');
    return {
      ...s, ds: s.ds.withColumn(info.name, e.col), code: `${s.code}\n  .withColumn(${JSON.stringify(info.name)}, ${e.code})`,
      sql: `SELECT ${sqlCols.join(', ')} FROM (${s.sql}) AS ${this.alias()}`, schema, ordered: false,
    };
  }

  private repartition(s: Stage): Stage {
    const kind = this.r.weighted<string>([['one', 1], ['many', 2], ['keys', 2], ['coalesce', 1]]);
    this.features.add(`repartition:${kind}`);
    switch (kind) {
      case 'one': return { ...s, ds: s.ds.repartition(1), code: `${s.code}\n  .repartition(1)`, ordered: false };
      case 'many': {
        const n = this.r.int(2, 9);
        return { ...s, ds: s.ds.repartition(n), code: `${s.code}\n  .repartition(${n})`, ordered: false };
      }
      case 'keys': {
        const n = this.r.int(1, 9);
        const keys = this.r.subset(names(s.schema), 1, 2);
        return { ...s, ds: s.ds.repartition(n, ...keys), code: `${s.code}\n  .repartition(${n}, ${keys.map((k) => JSON.stringify(k)).join(', ')})`, ordered: false };
      }
      default: {
        const n = this.r.int(1, 3);
        return { ...s, ds: s.ds.coalesce(n), code: `${s.code}\n  .coalesce(${n})`, ordered: false };
      }
    }
  }

  private drop(s: Stage): Stage {
    if (s.schema.length < 2) return this.filter(s);
    const gone = this.r.subset(names(s.schema), 1, s.schema.length - 1);
    const schema = s.schema.filter((c) => !gone.includes(c.name));
    this.features.add('drop');
    return {
      ...s, ds: s.ds.drop(...gone), code: `${s.code}\n  .drop(${gone.map((n) => JSON.stringify(n)).join(', ')})`,
      sql: `SELECT ${schema.map((c) => q(c.name)).join(', ')} FROM (${s.sql}) AS ${this.alias()}`, schema, ordered: false,
    };
  }

  /** cache() / persist(level): the rest of the pipeline reads the blocks (InMemoryScan), computed on first use. */
  private persist(s: Stage): Stage {
    const level = this.r.pick(['cache', 'MEMORY_ONLY', 'MEMORY_AND_DISK', 'DISK_ONLY'] as const);
    // A Dataset is marked in place (as in Spark): mark a fresh one, not one other steps share.
    const fresh = s.ds.filter(lit(true));
    const ds = level === 'cache' ? fresh.cache() : fresh.persist(level);
    this.features.add(`persist:${level}`);
    return { ...s, ds, code: `${s.code}\n  .filter(lit(true)).${level === 'cache' ? 'cache()' : `persist('${level}')`}`, ordered: false };
  }

  private distinct(s: Stage): Stage {
    this.features.add('distinct');
    return { ...s, ds: s.ds.distinct(), code: `${s.code}\n  .distinct()`, sql: `SELECT DISTINCT * FROM (${s.sql}) AS ${this.alias()}`, ordered: false };
  }

  /** orderBy on every column (a total order), each ascending or descending, then maybe a limit. */
  sortLimit(s: Stage, withLimit: boolean): Stage {
    const terms: { ref: string | Column; code: string; sql: string }[] = this.r.shuffle(s.schema).map((c) => {
      const ascending = this.r.chance(0.5);
      const form = this.r.int(0, 2);
      const n = JSON.stringify(c.name);
      let ref: string | Column, code: string;
      if (ascending) {
        [ref, code] = form === 0 ? [c.name, n] : form === 1 ? [col(c.name).asc(), `col(${n}).asc()`] : [asc(c.name), `asc(${n})`];
      } else {
        [ref, code] = form === 1 ? [col(c.name).desc(), `col(${n}).desc()`] : [desc(c.name), `desc(${n})`];
      }
      return { ref, code, sql: orderTermSql(q(c.name), c.type, ascending) };
    });
    if (this.r.chance(0.25)) {
      // A computed key first; the columns after it keep the order total.
      const e = this.exprs(s.schema).any(this.r.int(1, 2));
      const ascending = this.r.chance(0.5);
      // (DuckDB refuses a bare literal as an ORDER BY term.)
      if (!e.constant) terms.unshift({ ref: ascending ? e.col.asc() : e.col.desc(), code: `${e.code}.${ascending ? 'asc' : 'desc'}()`, sql: orderTermSql(e.sql, e.type, ascending) });
      this.features.add('orderBy:expression');
    }
    let ds = s.ds.orderBy(...terms.map((t) => t.ref));
    let code = `${s.code}\n  .orderBy(${terms.map((t) => t.code).join(', ')})`;
    let sql = `SELECT * FROM (${s.sql}) AS ${this.alias()} ORDER BY ${terms.map((t) => t.sql).join(', ')}`;
    let est = s.est;
    this.features.add(withLimit ? 'orderBy+limit' : 'orderBy');
    if (withLimit) {
      const n = this.r.pick([0, 1, 2, 5, 20, 100]);
      ds = ds.limit(n);
      code += `\n  .limit(${n})`;
      sql += ` LIMIT ${n}`;
      est = Math.min(est, n);
    }
    return { ...s, ds, code, sql, ordered: true, est };
  }

  // ---------------------------------------------------------------- aggregates

  private aggregate(s: Stage): Stage {
    const g = this.exprs(s.schema);
    const nKeys = this.r.weighted<number>([[0, 1], [1, 3], [2, 2]]);
    const keys: { info: ColInfo; ref: string | Column; code: string; sql: string }[] = [];
    const used = new Set<string>();
    for (let i = 0; i < nKeys; i++) {
      const free = s.schema.filter((c) => !used.has(c.name));
      if (free.length > 0 && this.r.chance(0.75)) {
        const c = this.r.pick(free);
        used.add(c.name);
        const byName = this.r.chance(0.5);
        keys.push({ info: c, ref: byName ? c.name : col(c.name), code: byName ? JSON.stringify(c.name) : `col(${JSON.stringify(c.name)})`, sql: q(c.name) });
      } else {
        const e = g.any(1);
        const info = { name: this.name(), type: e.type, bound: e.bound, frac: e.frac, domain: e.domain };
        keys.push({ info, ref: e.col.as(info.name), code: `${e.code}.as(${JSON.stringify(info.name)})`, sql: `${e.sql} AS ${q(info.name)}` });
      }
    }
    const groupBy = keys.length > 0 ? `.groupBy(${keys.map((k) => k.code).join(', ')})` : '';
    const groupSql = keys.length > 0 ? ` GROUP BY ${keys.map((_, i) => i + 1).join(', ')}` : '';
    const from = `FROM (${s.sql}) AS ${this.alias()}`;
    const est = keys.length === 0 ? 1 : s.est;

    if (keys.length > 0 && !keys.some((k) => k.info.name === 'count') && this.r.chance(0.15)) {
      this.features.add('groupBy.count');
      const info: ColInfo = { name: 'count', type: 'int64', bound: COUNT_BOUND, frac: 0, domain: null };
      return {
        ds: s.ds.groupBy(...keys.map((k) => k.ref)).count(), code: `${s.code}\n  ${groupBy}.count()`,
        sql: `SELECT ${[...keys.map((k) => k.sql), 'count(*) AS "count"'].join(', ')} ${from}${groupSql}`,
        schema: [...keys.map((k) => k.info), info], ordered: false, est, joins: s.joins,
      };
    }

    const aggs: { info: ColInfo; col: Column; code: string; sql: string }[] = [];
    const nAggs = this.r.int(1, 3);
    for (let i = 0; i < nAggs; i++) aggs.push(this.aggOf(g, s.schema));
    this.features.add(keys.length > 0 ? 'groupBy.agg' : 'agg');
    const ds = keys.length > 0 ? s.ds.groupBy(...keys.map((k) => k.ref)).agg(...aggs.map((a) => a.col)) : s.ds.agg(...aggs.map((a) => a.col));
    return {
      ds, code: `${s.code}\n  ${groupBy}.agg(${aggs.map((a) => a.code).join(', ')})`,
      sql: `SELECT ${[...keys.map((k) => k.sql), ...aggs.map((a) => a.sql)].join(', ')} ${from}${groupSql}`,
      schema: [...keys.map((k) => k.info), ...aggs.map((a) => a.info)], ordered: false, est, joins: s.joins,
    };
  }

  private aggOf(g: ExprGen, scope: Scope): { info: ColInfo; col: Column; code: string; sql: string } {
    const name = this.name();
    const fn = this.r.weighted<string>([['count*', 1], ['count', 1], ['sum', 2], ['avg', 1.5], ['min', 1.5], ['max', 1.5], ['countDistinct', 1.5]]);
    const arg = (): GExpr => (scope.length > 0 && this.r.chance(0.6) ? colExpr(this.r.pick(scope)) : g.any(this.r.int(1, 2)));
    const named = (c: Column, code: string, sql: string, info: Omit<ColInfo, 'name'>) => {
      this.features.add(`agg:${fn}:${info.type}`);
      return { info: { ...info, name }, col: c.as(name), code: `${code}.as(${JSON.stringify(name)})`, sql: `${sql} AS ${q(name)}` };
    };
    const countInfo = { type: 'int64' as TypeName, bound: COUNT_BOUND, frac: 0, domain: null };
    switch (fn) {
      case 'sum': case 'avg': {
        // Only exact sums: their value cannot depend on the order rows are added in.
        let e: GExpr | null = null;
        const safeCols = scope.filter(sumSafe);
        if (safeCols.length > 0 && this.r.chance(0.6)) e = colExpr(this.r.pick(safeCols));
        else {
          const cand = g.ofType(this.r.pick<TypeName>(['int32', 'int64', 'float64']), this.r.int(1, 2));
          if (sumSafe(cand)) e = cand;
        }
        if (!e) return named(count('*'), "count('*')", 'count(*)', countInfo);
        if (fn === 'avg') return named(avg(e.col), `avg(${e.code})`, `avg(${e.sql})`, { type: 'float64', bound: e.bound, frac: Infinity, domain: null });
        const t: TypeName = e.type === 'float64' ? 'float64' : 'int64';
        const sql = t === 'int64' ? `CAST(sum(${e.sql}) AS BIGINT)` : `sum(${e.sql})`;
        return named(sum(e.col), `sum(${e.code})`, sql, { type: t, bound: e.bound * COUNT_BOUND, frac: e.frac, domain: null });
      }
      case 'min': case 'max': {
        const e = arg();
        const f = fn === 'min' ? min : max;
        return named(f(e.col), `${fn}(${e.code})`, `${fn}(${e.sql})`, { type: e.type, bound: e.bound, frac: e.frac, domain: e.domain });
      }
      case 'count': {
        const e = arg();
        return named(count(e.col), `count(${e.code})`, `count(${e.sql})`, countInfo);
      }
      case 'countDistinct': {
        const e = arg();
        return named(countDistinct(e.col), `countDistinct(${e.code})`, `count(DISTINCT ${e.sql})`, countInfo);
      }
      default:
        return named(count('*'), "count('*')", 'count(*)', countInfo);
    }
  }

  // ---------------------------------------------------------------- union

  private union(s: Stage): Stage {
    const kind = this.r.weighted<string>([['self', 1], ['filter', 2], ['widen', 2], ['distinct', 1], ['limit', 1]]);
    let right: Stage;
    switch (kind) {
      case 'self': right = s; break;
      case 'filter': right = this.filter(s); break;
      case 'distinct': right = this.distinct(s); break;
      case 'limit': right = this.sortLimit(s, true); break;
      default: right = this.widen(s);
    }
    this.features.add(`union:${kind}`);
    const types = s.schema.map((c, i) => wider(c.type, right.schema[i]!.type) ?? c.type);
    const side = (st: Stage) => st.schema.map((c, i) => `${castSql(q(c.name), c.type, types[i]!)} AS ${q(s.schema[i]!.name)}`).join(', ');
    const schema = s.schema.map((c, i) => {
      const o = right.schema[i]!;
      return { ...c, type: types[i]!, bound: Math.max(c.bound, o.bound), frac: Math.max(c.frac, o.frac), domain: c.domain && o.domain ? [...c.domain, ...o.domain] : null };
    });
    return {
      ds: s.ds.union(right.ds), code: `${s.code}\n  .union(${indent(right.code)})`,
      sql: `SELECT ${side(s)} FROM (${s.sql}) AS ${this.alias()} UNION ALL SELECT ${side(right)} FROM (${right.sql}) AS ${this.alias()}`,
      schema, ordered: false, est: s.est + right.est, joins: s.joins + right.joins,
    };
  }

  /** The same rows with some numeric columns cast to a wider type (a union then widens the other side). */
  private widen(s: Stage): Stage {
    const items = s.schema.map((c) => {
      const to: TypeName | null = c.type === 'int32' ? this.r.pick<TypeName | null>(['int64', 'float64', null])
        : c.type === 'int64' && c.bound <= 2 ** 53 ? this.r.pick<TypeName | null>(['float64', null]) : null;
      const n = JSON.stringify(c.name);
      if (!to) return { info: c, ref: col(c.name), code: `col(${n})`, sql: q(c.name) };
      return { info: { ...c, type: to }, ref: col(c.name).cast(to).as(c.name), code: `col(${n}).cast('${to}').as(${n})`, sql: `${castSql(q(c.name), c.type, to)} AS ${q(c.name)}` };
    });
    return {
      ...s, ds: s.ds.select(...items.map((i) => i.ref)), code: `${s.code}\n  .select(${items.map((i) => i.code).join(', ')})`,
      sql: `SELECT ${items.map((i) => i.sql).join(', ')} FROM (${s.sql}) AS ${this.alias()}`, schema: items.map((i) => i.info), ordered: false,
    };
  }

  // ---------------------------------------------------------------- joins

  private join(s: Stage, budget: number): Stage {
    let right = this.chain(this.r.int(0, 2), budget - 1);
    const common = s.schema.filter((c) => {
      const o = right.schema.find((x) => x.name === c.name);
      return o !== undefined && (o.type === c.type || (isNumeric(o.type) && isNumeric(c.type)));
    }).map((c) => c.name);
    if (common.length === 0) return this.filter(s);
    const keys = this.r.subset(common, 1, 2);
    let how = this.r.weighted<JoinHow>([['inner', 3], ['left', 2], ['right', 2], ['full', 2], ['semi', 1.5], ['anti', 1.5]]);
    if (how !== 'semi' && how !== 'anti' && s.est * right.est > MAX_JOIN_ROWS) how = this.r.pick(['semi', 'anti'] as const);

    // Non-key columns on both sides would be ambiguous: rename the right's (semi/anti output only the left's).
    if (how !== 'semi' && how !== 'anti') {
      const clash = right.schema.filter((c) => !keys.includes(c.name) && s.schema.some((l) => l.name === c.name));
      if (clash.length > 0) right = this.rename(right, clash.map((c) => c.name));
    }

    const strategy = this.r.chance(0.5) ? this.r.pick(forcedStrategies(how)) : null;
    let lds = s.ds, rds = right.ds, lcode = s.code, rcode = right.code;
    for (const h of strategy?.hints ?? []) {
      if (h.side === 'left') { lds = lds.hint(h.hint); lcode += `\n  .hint('${h.hint}')`; } else { rds = rds.hint(h.hint); rcode += `\n  .hint('${h.hint}')`; }
      this.features.add(`hint:${h.hint}:${h.side}`);
    }
    this.features.add(`join:${how}`);
    this.features.add(`join:keys${keys.length}`);

    const lt = (k: string) => s.schema.find((c) => c.name === k)!;
    const rt = (k: string) => right.schema.find((c) => c.name === k)!;
    const ct = (k: string) => wider(lt(k).type, rt(k).type) ?? lt(k).type;
    const la = `l${this.nextAlias}`, ra = `r${this.nextAlias++}`;
    const L = (k: string) => castSql(`${la}.${q(k)}`, lt(k).type, ct(k));
    const R = (k: string) => castSql(`${ra}.${q(k)}`, rt(k).type, ct(k));
    const on = keys.map((k) => `${L(k)} = ${R(k)}`).join(' AND ');
    const code = `${lcode}\n  .join(${indent(rcode)}, ${keys.length === 1 && this.r.chance(0.5) ? JSON.stringify(keys[0]) : JSON.stringify(keys)}, '${how}')`;
    const ds = lds.join(rds, keys.length === 1 ? keys[0]! : keys, how);
    const joins = s.joins + right.joins + 1;

    if (how === 'semi' || how === 'anti') {
      const schema = s.schema.map((c) => (keys.includes(c.name) ? { ...c, type: ct(c.name) } : c));
      const cols = s.schema.map((c) => (keys.includes(c.name) ? `${L(c.name)} AS ${q(c.name)}` : `${la}.${q(c.name)}`)).join(', ');
      const sql = `SELECT ${cols} FROM (${s.sql}) AS ${la} WHERE ${how === 'anti' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM (${right.sql}) AS ${ra} WHERE ${on})`;
      return { ds, code, sql, schema, ordered: false, est: s.est, joins };
    }
    const keyInfo = keys.map((k): ColInfo => {
      const a = lt(k), b = rt(k);
      return { name: k, type: ct(k), bound: Math.max(a.bound, b.bound), frac: Math.max(a.frac, b.frac), domain: a.domain && b.domain ? [...a.domain, ...b.domain] : null };
    });
    const keySql = keys.map((k) => {
      const v = how === 'right' ? R(k) : how === 'full' ? `COALESCE(${L(k)}, ${R(k)})` : L(k);
      return `${v} AS ${q(k)}`;
    });
    const lrest = s.schema.filter((c) => !keys.includes(c.name));
    const rrest = right.schema.filter((c) => !keys.includes(c.name));
    const kind = ({ inner: 'INNER', left: 'LEFT', right: 'RIGHT', full: 'FULL' } as const)[how];
    const sql = `SELECT ${[...keySql, ...lrest.map((c) => `${la}.${q(c.name)}`), ...rrest.map((c) => `${ra}.${q(c.name)}`)].join(', ')} ` +
      `FROM (${s.sql}) AS ${la} ${kind} JOIN (${right.sql}) AS ${ra} ON ${on}`;
    return { ds, code, sql, schema: [...keyInfo, ...lrest, ...rrest], ordered: false, est: s.est * Math.max(1, right.est), joins };
  }

  private rename(s: Stage, which: readonly string[]): Stage {
    let ds = s.ds, code = s.code;
    const to = new Map(which.map((n) => [n, `${n}_r${this.nextName++}`]));
    for (const [a, b] of to) {
      ds = ds.withColumnRenamed(a, b);
      code += `\n  .withColumnRenamed(${JSON.stringify(a)}, ${JSON.stringify(b)})`;
    }
    const schema = s.schema.map((c) => (to.has(c.name) ? { ...c, name: to.get(c.name)! } : c));
    const cols = s.schema.map((c) => (to.has(c.name) ? `${q(c.name)} AS ${q(to.get(c.name)!)}` : q(c.name)));
    return { ...s, ds, code, sql: `SELECT ${cols.join(', ')} FROM (${s.sql}) AS ${this.alias()}`, schema, ordered: false };
  }
}
