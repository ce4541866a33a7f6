// Shared variables, as in Spark: a broadcast value is serialized once into shared memory and
// decoded once per worker; an accumulator is added to by tasks and read by the driver after an
// action, counting only the updates of tasks that succeeded.
//
// In a lambda's ctx, handles travel as markers ({ [BROADCAST]: id } / { [ACCUMULATOR]: id }):
// encodeCtx replaces handles on the driver, decodeCtx puts the value (or a task-local adder)
// back in the worker.
import { deserialize, serialize } from 'node:v8';
import { isModuleMarker, loadedModule } from './udf-modules.js';

export const BROADCAST = '__sparrowBroadcast';
export const ACCUMULATOR = '__sparrowAccumulator';

let nextId = 1;

/** A read-only value shipped once to every worker; read it in lambdas as ctx.<name>. */
export class Broadcast<T> {
  readonly id = nextId++;
  /** @internal the serialized value, shared with workers without copying */
  readonly bytes: Uint8Array;
  private destroyed = false;

  constructor(private readonly v: T) {
    const buf = serialize(v);
    const sab = new SharedArrayBuffer(buf.length);
    this.bytes = new Uint8Array(sab);
    this.bytes.set(buf);
  }

  get value(): T {
    if (this.destroyed) throw new Error(`broadcast ${this.id} was destroyed`);
    return this.v;
  }

  destroy(): void {
    this.destroyed = true;
  }
}

/** A number tasks add to (ctx.<name>.add(x)); the driver reads `value` after an action. */
export class Accumulator {
  readonly id = nextId++;
  private total: number;

  constructor(initial = 0, readonly name?: string) {
    this.total = initial;
  }

  get value(): number {
    return this.total;
  }

  /** Adds on the driver (tasks add through their ctx). */
  add(x: number): void {
    this.total += x;
  }
}

/** ctx with handles replaced by markers, plus the broadcasts it needs shipped. */
export function encodeCtx(ctx: unknown, broadcasts: Map<number, Uint8Array>): unknown {
  if (ctx instanceof Broadcast) { broadcasts.set(ctx.id, ctx.bytes); return { [BROADCAST]: ctx.id }; }
  if (ctx instanceof Accumulator) return { [ACCUMULATOR]: ctx.id };
  if (Array.isArray(ctx)) return ctx.map((x) => encodeCtx(x, broadcasts));
  if (ctx && typeof ctx === 'object' && Object.getPrototypeOf(ctx) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(ctx)) out[k] = encodeCtx(v, broadcasts);
    return out;
  }
  return ctx;
}

const decodedBroadcasts = new Map<number, unknown>();

/**
 * ctx with markers replaced: broadcast values (decoded once per worker) and adders that
 * collect into `deltas` (this task's accumulator updates).
 */
export function decodeCtx(ctx: unknown, shipped: Readonly<Record<number, Uint8Array>>, deltas: Map<number, number>): unknown {
  if (Array.isArray(ctx)) return ctx.map((x) => decodeCtx(x, shipped, deltas));
  if (!ctx || typeof ctx !== 'object') return ctx;
  // A UDF module handle: the module itself, imported in this thread before the task ran (udf-modules.ts).
  if (isModuleMarker(ctx)) return loadedModule(ctx);
  const o = ctx as Record<string, unknown>;
  if (typeof o[BROADCAST] === 'number') {
    const id = o[BROADCAST] as number;
    if (!decodedBroadcasts.has(id)) {
      const bytes = shipped[id];
      if (!bytes) throw new Error(`internal: broadcast ${id} was not shipped with the task`);
      decodedBroadcasts.set(id, deserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    }
    return decodedBroadcasts.get(id);
  }
  if (typeof o[ACCUMULATOR] === 'number') {
    const id = o[ACCUMULATOR] as number;
    return { add: (x: number) => { deltas.set(id, (deltas.get(id) ?? 0) + x); } };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = decodeCtx(v, shipped, deltas);
  return out;
}
