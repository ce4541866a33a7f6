// The worker pool: piscina with `parallelism` threads. Workers need JavaScript: from compiled
// code we load dist/.../worker.js; when this module itself runs as TypeScript (vitest, tsx) we
// load worker.ts through tsx's loader, as measured in shared/MEASURED.md.
import { Piscina } from 'piscina';
import { fileURLToPath } from 'node:url';

export function createPool(parallelism: number): Piscina {
  const here = import.meta.url;
  const isTs = here.endsWith('.ts');
  const filename = fileURLToPath(new URL(isTs ? './worker.ts' : './worker.js', here));
  return new Piscina({
    filename,
    minThreads: parallelism,
    maxThreads: parallelism,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
    execArgv: isTs ? ['--import', 'tsx'] : [],
  });
}
