// Packing task attempts onto worker slots for the timeline, and the axis' tick spacing.
import { describe, expect, it } from 'vitest';
import type { TaskTiming } from '../../src/executor/engine.js';
import { assignSlots, tickStep } from '../../src/report/timeline.js';

const task = (startMs: number, endMs: number): TaskTiming => ({
  stageId: 1, partition: 0, attempt: 0, sample: false, ok: true, error: null, queuedMs: startMs, startMs, endMs, inputRecords: 0, outputRecords: 0,
});

describe('assignSlots', () => {
  it('gives overlapping tasks different slots and reuses a slot once it is free', () => {
    const tasks = [task(0, 10), task(1, 12), task(10.2, 20), task(12, 15), task(15, 30)];
    const slots = assignSlots(tasks, 2);
    expect(slots[0]).not.toBe(slots[1]);
    expect(slots[2]).toBe(slots[0]);
    expect(slots[3]).toBe(slots[1]);
    expect(slots[4]).toBe(slots[1]);
    for (let i = 0; i < tasks.length; i++) {
      for (let j = i + 1; j < tasks.length; j++) {
        const overlap = tasks[i]!.startMs < tasks[j]!.endMs - 0.5 && tasks[j]!.startMs < tasks[i]!.endMs - 0.5;
        if (overlap) expect(slots[i], `tasks ${i} and ${j}`).not.toBe(slots[j]);
      }
    }
  });

  it('never uses more slots than workers, whatever the clocks say', () => {
    const tasks = [task(0, 10), task(0, 10), task(0, 10), task(0, 10)];
    const slots = assignSlots(tasks, 2);
    expect(new Set(slots).size).toBe(2);
    expect(assignSlots([], 4)).toEqual([]);
  });
});

describe('tickStep', () => {
  it('picks 1, 2 or 5 times a power of ten for about eight ticks', () => {
    expect(tickStep(1000)).toBe(200);
    expect(tickStep(80)).toBe(10);
    expect(tickStep(3100)).toBe(500);
    expect(tickStep(7)).toBe(1);
  });
});
