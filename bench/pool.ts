/** Runs the jobs `parallel` at a time, keeping their order. */
export async function pool<T>(jobs: readonly (() => Promise<T>)[], parallel: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, parallel) }, async () => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (job) results[index] = await job();
    }
  });
  await Promise.all(lanes);
  return results;
}
