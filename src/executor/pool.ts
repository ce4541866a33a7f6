// The worker pool: piscina with `parallelism` threads. Workers need JavaScript: from compiled
// code we load dist/.../worker.js; when this module itself runs as TypeScript (vitest, tsx) we
// load worker.ts through tsx's loader, as measured in shared/MEASURED.md.
import { Piscina } from 'piscina';
import { fileURLToPath } from 'node:url';

export function createPool(parallelism: number): Piscina {
  const here = import.meta.url;
  const isTs = here.endsWith('.ts');
  const filename = fileURLToPath(new URL(isTs ? './worker.ts' : './worker.js', here));
  // Threads that finished starting. Piscina's default balancer may hand a task to a thread that
  // is still starting (a dead worker's replacement: ~1 s under tsx) while another sits idle;
  // this one picks only idle threads that are ready, so a retry runs at once on a survivor.
  const ready = new Set<number>();
  const pool = new Piscina({
    filename,
    minThreads: parallelism,
    maxThreads: parallelism,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
    execArgv: isTs ? ['--import', 'tsx'] : [],
    loadBalancer: (_task, workers) => workers.find((w) => w.currentUsage === 0 && ready.has(w.id)) ?? null,
  });
  pool.on('workerCreate', (w: { id: number }) => { ready.add(w.id); });
  pool.on('workerDestroy', (w: { id: number }) => { ready.delete(w.id); });
  return pool;
}
