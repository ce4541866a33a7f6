// What a task holds in memory, counted by the engine itself: ArrayBuffers live outside V8's
// heap limits, so nothing else would stop a hash table from growing until the process dies.
// Each operator that keeps data (a hash join's table, an aggregation's groups, a sort's
// buffer, the output a task holds until it ends) registers a consumer and sets its current
// bytes; the task's total is the sum, its peak is what the stage metrics report, and an
// operator asks overBudget() (over the operators' state, not the held output) to decide
// whether to spill, flush or change strategy.
//
//   const mem = new TaskMemory(msg.memoryBytes);
//   const groups = mem.consumer('HashAggregate');
//   groups.set(agg.memoryBytes());
//   if (mem.overBudget()) { ...spill... ; groups.set(0); }
export class TaskMemory {
  private held = 0;
  private governed = 0;
  private peakBytes = 0;

  /** @param budget this task's share of the session's memory budget, in bytes */
  constructor(readonly budget: number) {}

  /**
   * @param budgeted false for what is only reported, not governed: the output a task holds
   *                 until it ends (its size is the job's, not an operator's choice), so that
   *                 it does not push the operators into spilling.
   */
  consumer(name: string, budgeted = true): MemoryConsumer {
    return new MemoryConsumer(this, name, budgeted);
  }

  /** Bytes held now, over all consumers. */
  get used(): number { return this.held; }

  /** Bytes held now by the consumers the budget governs. */
  get governedBytes(): number { return this.governed; }

  /** The most bytes held at once. */
  get peak(): number { return this.peakBytes; }

  overBudget(): boolean { return this.governed > this.budget; }

  /** @internal consumers report their changes here */
  change(delta: number, budgeted: boolean): void {
    this.held += delta;
    if (budgeted) this.governed += delta;
    if (this.held > this.peakBytes) this.peakBytes = this.held;
  }
}

export class MemoryConsumer {
  private bytes = 0;

  constructor(private readonly memory: TaskMemory, readonly name: string, private readonly budgeted: boolean) {}

  /** Sets the bytes this consumer holds now. */
  set(bytes: number): void {
    this.memory.change(bytes - this.bytes, this.budgeted);
    this.bytes = bytes;
  }

  add(bytes: number): void { this.set(this.bytes + bytes); }

  get held(): number { return this.bytes; }

  /** Whether holding `more` bytes on top of everything held now stays within the budget. */
  fits(more: number): boolean { return this.memory.governedBytes + more <= this.memory.budget; }

  overBudget(): boolean { return this.memory.overBudget(); }

  release(): void { this.set(0); }
}
