// UDF modules: a file of helper functions registered with a session
// (`await session.registerModule('geo', url)`) and called from lambdas through ctx, the way a
// broadcast is read: `ds.map((p, ctx) => ctx.geo.nearest(p, ctx.centers), { geo, centers })`.
//
// The handle is plain data ({ [MODULE]: spec }) so it travels in ctx like any value. The driver
// imports the module when it is registered (an import error fails there, naming the file) and
// lambda checks see it through a proxy that names a missing export. Before a job, every module
// a lambda's ctx holds must be registered with the job's session. A worker imports each module
// its task's lambdas hold once, before the task's first batch, and keeps it for every later task
// (workers belong to one session, so sessions never see each other's modules); decodeCtx then
// puts the module's namespace where the handle was.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PhysicalPlan } from '../planner/physical/physical.js';
import { physicalChildren } from '../planner/physical/physical.js';
import type { Accumulator, Broadcast } from './shared-vars.js';
import { LambdaError, type UdfOp } from './lambda.js';

export const MODULE = '__sparrowModule';

/** What identifies a module everywhere: its name in the session and the file it was imported from. */
export interface ModuleSpec {
  readonly name: string;
  /** file: URL the driver and the workers import. */
  readonly url: string;
  /** The same, as a path for messages. */
  readonly file: string;
}

/**
 * A module registered with a session. Pass it in a lambda's ctx and call its exports there:
 * `(row, ctx) => ctx.geo.nearest(row, ctx.centers)` with ctx `{ geo, centers }`. `M` is the
 * module's type (`typeof import('./geo.js')`); `exports` is the driver's own copy, for use
 * outside lambdas.
 */
export interface UdfModule<M = Record<string, unknown>> {
  readonly [MODULE]: ModuleSpec;
  readonly name: string;
  readonly file: string;
  readonly exports: M;
}

/**
 * What a lambda sees for a ctx value: a module's exports for a UdfModule, a broadcast's value,
 * an adder for an accumulator — so a lambda's ctx can be typed from the ctx passed:
 * `ds.map((p, c: LambdaCtx<typeof ctx>) => c.geo.nearest(p, c.centers), ctx)`.
 */
export type LambdaCtx<C> =
  C extends UdfModule<infer M> ? M
  : C extends Broadcast<infer T> ? T
  : C extends Accumulator ? { add(x: number): void }
  : C extends (...args: never[]) => unknown ? C
  : C extends object ? { [K in keyof C]: LambdaCtx<C[K]> }
  : C;

function isMarker(v: unknown): v is { readonly [MODULE]: ModuleSpec } {
  return v !== null && typeof v === 'object' && typeof (v as Record<string, unknown>)[MODULE] === 'object';
}

/** Every module handle in a ctx (as encoded for the plan), with where it sits (`ctx.geo`). */
function modulesInCtx(ctx: unknown, at: string, out: { spec: ModuleSpec; at: string }[]): void {
  if (!ctx || typeof ctx !== 'object' || ArrayBuffer.isView(ctx)) return;
  if (isMarker(ctx)) { out.push({ spec: ctx[MODULE], at }); return; }
  if (Array.isArray(ctx)) {
    for (let i = 0; i < ctx.length; i++) if (ctx[i] && typeof ctx[i] === 'object') modulesInCtx(ctx[i], `${at}[${i}]`, out);
    return;
  }
  for (const [k, v] of Object.entries(ctx)) if (v && typeof v === 'object') modulesInCtx(v, `${at}.${k}`, out);
}

// ---- driver ----------------------------------------------------------------------------

/**
 * The file a module argument names: a URL (file:) or a path (relative to the working
 * directory). `./x.js` that does not exist but `./x.ts` does resolves to the latter, so
 * `new URL('./x.js', import.meta.url)` works both from TypeScript sources and compiled code.
 */
export function resolveModuleFile(name: string, file: string | URL): ModuleSpec {
  let p: string;
  if (file instanceof URL || /^file:/.test(file)) {
    const u = file instanceof URL ? file : new URL(file);
    if (u.protocol !== 'file:') throw new Error(`registerModule('${name}'): only files can be registered, got ${u.href}`);
    p = fileURLToPath(u);
  } else {
    p = path.resolve(file);
  }
  if (!fs.existsSync(p)) {
    const ts = p.replace(/\.(m|c)?js$/, (_m, x: string | undefined) => `.${x ?? ''}ts`);
    if (ts !== p && fs.existsSync(ts)) p = ts;
    else throw new Error(`registerModule('${name}'): no such file ${p}`);
  }
  return { name, url: pathToFileURL(p).href, file: p };
}

/** What decodeCtx hands out in this thread, by URL: the module (on the driver, wrapped for lambda checks). */
const loaded = new Map<string, object>();
/** Imports in this thread by URL, so each file is evaluated once (a failed one is forgotten). */
const imports = new Map<string, Promise<object>>();

/** The modules registered with one session (owned by its engine). */
export class ModuleRegistry {
  private readonly byName = new Map<string, UdfModule<unknown>>();

  /** Imports the module on the driver and registers it under `name`. */
  async register<M>(name: string, file: string | URL): Promise<UdfModule<M>> {
    if (typeof name !== 'string' || name.length === 0) {
      throw new Error(`registerModule(): the name must be a non-empty string, got ${JSON.stringify(name)}`);
    }
    const spec = resolveModuleFile(name, file);
    const clash = (): UdfModule<M> | null => {
      const had = this.byName.get(name);
      if (!had) return null;
      if (had.file !== spec.file) {
        throw new Error(`registerModule('${name}'): this session already has a module named '${name}' (${had.file}); ` +
          `register ${spec.file} under another name`);
      }
      return had as UdfModule<M>;
    };
    const existing = clash();
    if (existing) return existing;
    let ns: object;
    try {
      ns = await importOnce(spec);
    } catch (err) {
      throw new Error(`registerModule('${name}'): cannot import ${spec.file}: ${(err as Error)?.message ?? String(err)}`);
    }
    const again = clash();
    if (again) return again;
    if (!loaded.has(spec.url)) loaded.set(spec.url, checkedExports(spec, ns));
    const handle = {} as UdfModule<M>;
    Object.defineProperty(handle, MODULE, { value: spec, enumerable: true });
    // Not enumerable: ctx encoding and structured cloning see only the marker.
    Object.defineProperty(handle, 'name', { value: name });
    Object.defineProperty(handle, 'file', { value: spec.file });
    Object.defineProperty(handle, 'exports', { value: ns });
    this.byName.set(name, handle);
    return handle;
  }

  /** Registered names with their files, in registration order. */
  list(): { name: string; file: string }[] {
    return [...this.byName.values()].map((h) => ({ name: h.name, file: h.file }));
  }

  /**
   * Before a job: every module in a lambda's ctx must be registered with this session (a
   * handle from another session, or a file registered here under another name, is not).
   */
  check(ctx: unknown, op: UdfOp): void {
    const found: { spec: ModuleSpec; at: string }[] = [];
    modulesInCtx(ctx, 'ctx', found);
    for (const { spec, at } of found) {
      if (this.byName.get(spec.name)?.file === spec.file) continue;
      const names = [...this.byName.values()].map((h) => `'${h.name}' (${h.file})`);
      throw new LambdaError(
        `${op}(): ${at} is UDF module '${spec.name}' (${spec.file}), which is not registered with this session; ` +
        `registered modules: ${names.length > 0 ? names.join(', ') : 'none'}. Register it on the session that runs ` +
        `the job: await session.registerModule('${spec.name}', ${JSON.stringify(spec.file)})`,
      );
    }
  }
}

/**
 * The driver's view of a module for lambda checks: reading an export it does not have fails
 * with the module's exports listed (in a worker it would just be undefined).
 */
function checkedExports(spec: ModuleSpec, ns: object): object {
  const names = Object.keys(ns).sort();
  return new Proxy(Object.freeze({ ...ns }), {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target || key === 'then' || key === 'toJSON') return Reflect.get(target, key, receiver);
      throw new LambdaError(
        `UDF module '${spec.name}' (${spec.file}) has no export '${key}'; it exports: ${names.length > 0 ? names.join(', ') : 'nothing'}`,
      );
    },
  });
}

// ---- worker ----------------------------------------------------------------------------

/**
 * Imports (once per thread) every module the task's lambdas hold in their ctx, so decodeCtx
 * can hand them out synchronously. Fails naming the module, its file and the import error.
 */
export async function loadTaskModules(plan: PhysicalPlan): Promise<void> {
  const found: { spec: ModuleSpec; at: string }[] = [];
  const walk = (p: PhysicalPlan): void => {
    if (p.kind === 'MapUdf') modulesInCtx(p.ctx, 'ctx', found);
    for (const c of physicalChildren(p)) walk(c);
  };
  walk(plan);
  for (const { spec } of found) {
    if (loaded.has(spec.url)) continue;
    try {
      loaded.set(spec.url, await importOnce(spec));
    } catch (err) {
      throw new Error(`UDF module '${spec.name}' (${spec.file}) failed to import in a worker: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}

function importOnce(spec: ModuleSpec): Promise<object> {
  let p = imports.get(spec.url);
  if (!p) {
    p = importModule(spec);
    imports.set(spec.url, p);
    p.catch(() => imports.delete(spec.url));
  }
  return p;
}

/**
 * import(), and for a .ts file that plain import() cannot load, tsx's tsImport: workers started
 * with `--import tsx` (pool.ts, from the sources) have tsx's require hook but not its ESM hooks,
 * and compiled code has neither. tsImport evaluates the file again on every call: callers cache.
 */
async function importModule(spec: ModuleSpec): Promise<object> {
  try {
    return await import(spec.url) as object;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !/\.[mc]?ts$/.test(spec.file)) throw err;
    let tsx: { tsImport(specifier: string, parent: string): Promise<object> };
    try {
      tsx = await import('tsx/esm/api');
    } catch {
      throw new Error(`${(err as Error).message}; a .ts module needs tsx installed (or compile it to .js)`);
    }
    return await tsx.tsImport(spec.url, import.meta.url);
  }
}

/** The namespace of a module loaded in this thread (decodeCtx puts it where the handle was). */
export function loadedModule(marker: object): object {
  const spec = (marker as { [MODULE]: ModuleSpec })[MODULE];
  const ns = loaded.get(spec.url);
  if (!ns) throw new Error(`internal: UDF module '${spec.name}' (${spec.file}) was not imported before its lambda ran`);
  return ns;
}

export function isModuleMarker(v: unknown): boolean {
  return isMarker(v);
}
