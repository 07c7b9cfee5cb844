import { performance } from 'node:perf_hooks';

/** Runs `work` for items 0..count-1 on `concurrency` lanes; returns the wall time in ms. */
export async function runOnLanes(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return performance.now() - started;
}
