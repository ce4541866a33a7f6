// Numbers for people: durations, counts and byte sizes as the progress bar and the job report
// print them.
import { formatBytes } from '../planner/statistics.js';

/** 850 ms, 12.3 s, 4m 05s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** 999, 12.3K, 4.5M, 1.2B. */
export function formatCount(n: number): string {
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  if (a < 1e6) return `${(n / 1e3).toFixed(a < 1e4 ? 1 : 0)}K`;
  if (a < 1e9) return `${(n / 1e6).toFixed(a < 1e7 ? 1 : 0)}M`;
  return `${(n / 1e9).toFixed(1)}B`;
}

/** Byte sizes in binary units (1.5 MiB); 0 as "0 B". */
export function formatSize(n: number): string {
  return formatBytes(Math.round(n));
}
