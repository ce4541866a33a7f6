// User lambdas travel to workers as source text and are rebuilt there. They cannot see the
// variables they close over: values come in through the explicit `ctx` argument. This file
// checks a lambda on the driver before a job starts (so a mistake fails fast, naming the
// missing identifier and how to pass it) and rebuilds lambdas from source in workers.
import * as vm from 'node:vm';

export type UdfOp = 'map' | 'flatMap' | 'mapPartitions' | 'filter';

export class LambdaError extends Error {
  override name = 'LambdaError';
}

// tsx/esbuild wrap named inner functions in `__name(fn, "name")`; give rebuilt code that helper.
const PRELUDE = 'var __name = (f) => f;';

/** The source of `fn` in a form that can be evaluated as an expression, or a clear error. */
export function lambdaSource(fn: unknown, op: UdfOp): string {
  if (typeof fn !== 'function') throw new LambdaError(`${op}() expects a function, got ${typeof fn}`);
  const src = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) {
    throw new LambdaError(
      `${op}(): the function is native or bound (${fn.name || 'anonymous'}), so its source cannot be shipped to workers; ` +
      `write it as an arrow function, e.g. (row, ctx) => ...`,
    );
  }
  if (/^async[\s(]/.test(src)) {
    throw new LambdaError(`${op}(): async functions are not supported; lambdas must return their result synchronously`);
  }
  if (!/^(function\b|\(|[A-Za-z_$][\w$]*\s*=>)/.test(src)) {
    throw new LambdaError(
      `${op}(): cannot rebuild this function from its source (${src.slice(0, 60)}…): object-method shorthand and ` +
      `class methods do not survive the trip; write it as an arrow function, e.g. (row, ctx) => ...`,
    );
  }
  return src;
}

/** Rebuilds a lambda from source in a fresh, empty context (what a worker sees, minus Node globals). */
export function rebuildInSandbox(src: string, op: UdfOp): (...args: unknown[]) => unknown {
  const context = vm.createContext({ Math, JSON, Number, String, Boolean, Date, Array, Object, Map, Set, RegExp, isNaN, isFinite, parseInt, parseFloat, BigInt, console });
  try {
    return vm.runInContext(`${PRELUDE}\n(${src})`, context) as (...args: unknown[]) => unknown;
  } catch (err) {
    throw new LambdaError(`${op}(): the lambda's source does not parse on its own: ${(err as Error).message}`);
  }
}

const workerCache = new Map<string, (...args: unknown[]) => unknown>();

/** Rebuilds a lambda in a worker, memoized by source. */
export function rebuildInWorker(src: string): (...args: unknown[]) => unknown {
  let fn = workerCache.get(src);
  if (!fn) {
    fn = new Function(`${PRELUDE}\nreturn (${src});`)() as (...args: unknown[]) => unknown;
    workerCache.set(src, fn);
  }
  return fn;
}

/** Checks that ctx can be structured-cloned to workers; names the offending key. */
export function checkCtx(ctx: unknown, op: UdfOp): void {
  const bad = findUncloneable(ctx, 'ctx');
  if (bad) {
    throw new LambdaError(
      `${op}(): ${bad} cannot be sent to worker threads (functions, class instances with methods and symbols ` +
      `do not survive structured cloning); pass plain data in ctx, and share functions through a module registered ` +
      `with session.registerModule(name, file)`,
    );
  }
}

function findUncloneable(v: unknown, path: string): string | null {
  if (typeof v === 'function') return `${path} is a function`;
  if (typeof v === 'symbol') return `${path} is a symbol`;
  if (v && typeof v === 'object') {
    if (ArrayBuffer.isView(v) || v instanceof Date || v instanceof RegExp || v instanceof ArrayBuffer) return null;
    if (v instanceof Map) {
      for (const [k, x] of v) { const r = findUncloneable(x, `${path}.get(${String(k)})`); if (r) return r; }
      return null;
    }
    if (v instanceof Set) return null;
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== null && proto !== Object.prototype && !Array.isArray(v)) {
      const name = (proto.constructor as { name?: string } | undefined)?.name || 'a class';
      return `${path} is an instance of ${name}, whose methods and prototype are lost in the copy`;
    }
    for (const [k, x] of Object.entries(v)) {
      const r = findUncloneable(x, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`);
      if (r) return r;
    }
  }
  return null;
}

/** Turns a ReferenceError from a rebuilt lambda into advice. */
export function explainLambdaError(err: unknown, op: UdfOp): Error {
  const e = err as Error;
  const m = /^(\S+) is not defined/.exec(e?.message ?? '');
  if (e?.name === 'ReferenceError' && m) {
    const id = m[1]!;
    const imported = /^__vite_ssr_import_\d+__$|^_[a-z0-9]+\.default$/.test(id) || id.startsWith('__vite');
    const what = imported
      ? `an imported module or helper (compiled as '${id}')`
      : `'${id}'`;
    return new LambdaError(
      `${op}(): the lambda refers to ${what}, which is not defined inside it. Lambdas run on worker threads and ` +
      `cannot see variables or imports they close over. Pass values through ctx, e.g. ` +
      `.${op}((row, ctx) => ... ctx.${imported ? 'value' : id} ..., { ${imported ? 'value' : id} }); ` +
      `a function cannot travel in ctx: define it inside the lambda, or export it from a module registered with ` +
      `session.registerModule(name, file) and pass the module in ctx.`,
    );
  }
  return e instanceof Error ? e : new Error(String(err));
}

/**
 * Driver-side preflight: rebuild `src` in an empty context and run it on sample rows, so a
 * lambda that reaches for something missing fails before the job starts. Returns the outputs
 * (for output-schema inference).
 */
export function preflight(
  src: string, op: UdfOp, ctx: unknown, sample: readonly Record<string, unknown>[],
  decode: (ctx: unknown) => unknown = (c) => c,
): unknown[] {
  checkCtx(ctx, op);
  const fn = rebuildInSandbox(src, op);
  // What a worker gets: a structured clone, with shared-variable markers decoded.
  const cloned = decode(ctx === undefined ? undefined : structuredClone(ctx));
  const outs: unknown[] = [];
  try {
    if (op === 'mapPartitions') {
      const r = fn(sample.map((x) => ({ ...x })), cloned);
      for (const x of toArray(r, op)) outs.push(x);
    } else {
      for (const row of sample) {
        const r = fn({ ...row }, cloned);
        if (op === 'flatMap') for (const x of toArray(r, op)) outs.push(x);
        else outs.push(r);
      }
    }
  } catch (err) {
    if (err instanceof LambdaError) throw err;
    const explained = explainLambdaError(err, op);
    if (explained instanceof LambdaError) throw explained;
    // Any other error on sample data is the user's logic; it will surface from the task with
    // its partition, exactly as at run time. Outputs gathered so far still give a schema.
  }
  return outs;
}

export function toArray(r: unknown, op: UdfOp): unknown[] {
  if (Array.isArray(r)) return r;
  if (r && typeof r === 'object' && Symbol.iterator in (r as object)) return [...(r as Iterable<unknown>)];
  throw new LambdaError(`${op}(): the lambda must return an array or an iterable, got ${r === null ? 'null' : typeof r}`);
}
