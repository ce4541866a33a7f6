// groupByKey(fn).mapGroups(fn) / reduceGroups(fn): composed from the engine's own pieces. A map
// lambda adds each row's key (as JSON text, so any JSON-able key groups by value), a hash
// repartition on it brings every group into one partition, and a mapPartitions lambda groups
// the partition's rows by key and calls the user's function once per group. The user's
// lambdas are checked and shipped like any other (their source is embedded).
import { lambdaSource } from '../executor/lambda.js';
import type { Dataset, UdfOptions } from './dataset.js';

const KEY = '__group_key';

export class KeyValueGroupedDataset<K, T> {
  /** @internal */
  constructor(private readonly source: Dataset<T>, private readonly keySrc: string, private readonly keyCtx: unknown) {}

  private grouped(): Dataset<T & { [KEY]: string }> {
    const withKey = `(row, ctx) => { const k = (${this.keySrc})(row, ctx.keyCtx); return Object.assign({}, row, { ${KEY}: JSON.stringify(k === undefined ? null : k) }); }`;
    const keyed = this.source.udfFromSource<T & { [KEY]: string }>('map', withKey, { keyCtx: this.keyCtx }, undefined);
    return keyed.repartition(keyed.engine.options.shufflePartitions, KEY);
  }

  /** Calls fn(key, rows, ctx) once per group; each call returns one output row. */
  mapGroups<U>(fn: (key: K, rows: T[], ctx: any) => U, ctx?: unknown, options?: UdfOptions): Dataset<U> {
    return this.perGroup<U>(lambdaSource(fn, 'mapPartitions'), ctx, options);
  }

  /** Folds each group's rows with fn(a, b, ctx); the result row gets the group's key as `key`. */
  reduceGroups(fn: (a: T, b: T, ctx: any) => T, ctx?: unknown, options?: UdfOptions): Dataset<T & { key: K }> {
    const f = lambdaSource(fn, 'mapPartitions');
    return this.perGroup(`(key, rows, ctx) => Object.assign({ key }, rows.reduce((a, b) => (${f})(a, b, ctx)))`, ctx, options);
  }

  /** Runs the per-group function `f` (source text of (key, rows, ctx) => row) on every group. */
  private perGroup<U>(f: string, ctx: unknown, options: UdfOptions | undefined): Dataset<U> {
    const body = `(rows, ctx) => {
      const f = (${f});
      const groups = new Map();
      for (const r of rows) {
        const g = r.${KEY};
        let list = groups.get(g);
        if (!list) { list = []; groups.set(g, list); }
        const copy = Object.assign({}, r); delete copy.${KEY};
        list.push(copy);
      }
      const out = [];
      for (const [g, list] of groups) out.push(f(JSON.parse(g), list, ctx.user));
      return out;
    }`;
    return this.grouped().udfFromSource<U>('mapPartitions', body, { user: ctx }, options);
  }
}
