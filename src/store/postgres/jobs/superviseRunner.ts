import type { Runner } from 'graphile-worker';

/** Waits between starting a runner again after it ended by itself: 1 s, 2 s, 4 s … 30 s. */
const restartDelayMs = (failures: number) => Math.min(1000 * 2 ** failures, 30_000);

/**
 * A graphile-worker runner kept running: graphile-worker shuts a runner down when it could not
 * record a job's end for long (the database away for minutes), leaving the instance without
 * workers while it looks alive. This starts it again, with back-off, until stop() is called. The
 * job it could not record stays locked by the old runner's id, which nobody owns any more, so the
 * take-over runs it again (see instanceLiveness).
 */
export async function superviseRunner(
  start: () => Promise<Runner>,
  warn: (message: string) => void,
): Promise<{ stop(): Promise<void> }> {
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current = await start();

  const restart = (failures: number, why: string) => {
    if (stopping) return;
    const delay = restartDelayMs(failures);
    warn(`work queue: a runner ended by itself (${why}); starting it again in ${delay / 1000} s`);
    timer = setTimeout(async () => {
      if (stopping) return;
      try {
        current = await start();
        watch(current);
      } catch (error) {
        restart(failures + 1, (error as Error).message);
      }
    }, delay);
    timer.unref();
  };
  const watch = (runner: Runner) => {
    runner.promise.then(
      () => restart(0, 'it stopped'),
      (error: unknown) => restart(1, (error as Error).message),
    );
  };
  watch(current);

  return {
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await current.stop().catch(() => undefined);
    },
  };
}
