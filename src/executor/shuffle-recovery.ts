// Lost shuffle blocks are recomputed from lineage, as Spark does on a FetchFailed: when a task's
// input cannot be read because map outputs of a parent shuffle are gone, the map tasks that
// wrote them run again (the scheduler supplies how: the parent stage's plan as it ran, with its
// range bounds), their output is put back, and the read is tried again. Readers that meet the
// same lost output while it is being recomputed wait for that one rerun.
import { FetchFailedError } from '../cache/block-manager.js';

/** Reads of one input that meet lost blocks this many times in a row fail the job (spark.stage.maxConsecutiveAttempts). */
export const MAX_CONSECUTIVE_FETCH_FAILURES = 4;

export class ShuffleRecovery {
  private readonly pending = new Map<string, Promise<void>>();

  /** `rerun` runs map tasks of a shuffle-map stage again and puts their output back (or throws). */
  constructor(private readonly rerun: (stageId: number, mapTasks: readonly number[]) => Promise<void>) {}

  /** Runs `read`; while it finds map outputs lost, reruns the map tasks that wrote them and reads again. */
  async read<T>(read: () => Promise<T>, onFetchFailed: (e: FetchFailedError) => void = () => {}): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await read();
      } catch (err) {
        if (!(err instanceof FetchFailedError)) throw err;
        onFetchFailed(err);
        if (n >= MAX_CONSECUTIVE_FETCH_FAILURES) {
          throw new Error(`a task's input was lost ${n} times in a row, giving up: ${err.message}`);
        }
        await this.recover(err.stageId, err.mapTasks);
      }
    }
  }

  private async recover(stageId: number, mapTasks: readonly number[]): Promise<void> {
    const waits: Promise<void>[] = [];
    const todo: number[] = [];
    for (const m of mapTasks) {
      const p = this.pending.get(`${stageId}/${m}`);
      if (p) waits.push(p);
      else todo.push(m);
    }
    if (todo.length > 0) {
      const run = this.rerun(stageId, todo).finally(() => {
        for (const m of todo) this.pending.delete(`${stageId}/${m}`);
      });
      for (const m of todo) this.pending.set(`${stageId}/${m}`, run);
      waits.push(run);
    }
    await Promise.all(waits);
  }
}
