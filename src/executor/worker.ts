// The worker entry: piscina calls the default export with one task message. It runs the
// stage's operators for the task's partition and sends the output back as Arrow buffers in a
// transfer list. Errors come back as plain objects: class names and fields do not survive the
// thread boundary otherwise.
import { Piscina } from 'piscina';
import type { Batch } from './batch.js';
import { batchBytes, numRows, own } from './batch.js';
import { runPlan } from './ops/run-plan.js';
import { writeTaskOutput } from './ops/write.js';
import { type TaskMessage, type TaskResult, emptyMetrics } from './task.js';
import { type WireBatch, toWire, wireBytes } from './wire.js';
import { ShuffleWriter } from './ops/shuffle-write.js';
import { KeySampler } from './ops/key-sampler.js';
import { loadTaskModules } from './udf-modules.js';
import { TaskMemory } from './task-memory.js';

export default async function runTask(msg: TaskMessage): Promise<unknown> {
  const started = performance.now();
  const metrics = emptyMetrics();
  const env = { msg, metrics, accumulators: new Map<number, number>(), memory: new TaskMemory(msg.memoryBytes) };
  const transfer: ArrayBuffer[] = [];
  try {
    const out = msg.output;
    // The sink: a shuffle splits rows into buckets as they come; a sample keeps a few keys;
    // results and writes keep the (owned) batches until the task ends.
    const shuffle = out.kind === 'shuffle' ? new ShuffleWriter(out.partitioning, out.bounds) : null;
    const sampler = out.kind === 'sample' ? new KeySampler(out.order, out.rows, msg.partition) : null;
    const batches: Batch[] = [];
    // Shuffle buckets, results and written rows are held until the task ends (reported in the
    // peak, not governed by the budget).
    const held = env.memory.consumer('task output', false);
    // UDF modules the task's lambdas hold: imported once per worker, before the first batch.
    await loadTaskModules(msg.plan);
    for await (const b of runPlan(msg.plan, msg.partition, env)) {
      if (numRows(b) === 0) continue;
      if (msg.fault === 'crash') crash();
      if (sampler) { sampler.add(b); continue; }
      if (shuffle) {
        // The writer splits a borrowed batch into its buckets at once (no whole copy first).
        const rows = numRows(b);
        const bytes = Math.round(batchBytes(b) * (rows / b.length));
        metrics.outputRecords += rows;
        metrics.outputBytes += bytes;
        held.add(bytes);
        shuffle.add(b);
        continue;
      }
      // Own it now: the batch may view memory its producer reuses for the next one.
      const d = own(b);
      metrics.outputRecords += d.length;
      const bytes = batchBytes(d);
      metrics.outputBytes += bytes;
      held.add(bytes);
      batches.push(d);
    }
    let wire: WireBatch[] = [];
    let buckets: WireBatch[][] | null = null;
    let files: string[] = [];
    switch (out.kind) {
      case 'result':
        wire = batches.map((b) => toWire(b, transfer));
        break;
      case 'sample':
        wire = [toWire(sampler!.finish(), transfer)];
        break;
      case 'shuffle':
        buckets = shuffle!.finish().map((bucket) => bucket.map((b) => toWire(b, transfer)));
        metrics.shuffleWriteBytes += buckets.reduce((s, bucket) => s + bucket.reduce((t, w) => t + wireBytes(w), 0), 0);
        break;
      case 'write':
        files = await writeTaskOutput(out, msg.partition, msg.attempt, msg.plan.schema, batches);
        break;
    }
    // Injected faults strike after the work (files written, buckets built): that output must be thrown away.
    if (msg.fault === 'crash') crash();
    if (msg.fault === 'fail') {
      throw new Error(`injected task failure (faults.taskFailureRate): stage ${msg.stageId}, partition ${msg.partition}, attempt ${msg.attempt}`);
    }
    metrics.durationMs = performance.now() - started;
    // What this task's operators held at their peak, as the engine counts it (task-memory.ts).
    metrics.peakMemoryBytes = env.memory.peak;
    const result: TaskResult = { ok: true, batches: wire, buckets, files, schema: msg.plan.schema, metrics, accumulators: Object.fromEntries(env.accumulators) };
    return Piscina.move({ [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: result } as never);
  } catch (err) {
    const e = err as Error;
    metrics.durationMs = performance.now() - started;
    const result: TaskResult = {
      ok: false,
      error: { message: e?.message ?? String(err), name: e?.name ?? 'Error', stack: e?.stack },
      metrics,
    };
    return result;
  }
}

/** Exit code of an injected worker crash (the task's error reads "worker exited with code: 70"). */
export const INJECTED_CRASH_EXIT_CODE = 70;

/** Injected worker death: the thread exits in the middle of the task (piscina replaces it). */
function crash(): never {
  process.exit(INJECTED_CRASH_EXIT_CODE);
}
