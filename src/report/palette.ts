// One color per stage, the same in the DAG picture, the timeline and the explain pictures.
const STAGE_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#e15759', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'] as const;

/** The color of stage `id` (ids start at 1). */
export function stageColor(id: number): string {
  return STAGE_COLORS[(((id - 1) % STAGE_COLORS.length) + STAGE_COLORS.length) % STAGE_COLORS.length]!;
}
