/**
 * Scoring jobs run a few at a time: the ONNX engine is CPU-bound, and letting
 * every confirmed submission start at once would only make each one slower
 * and starve the event loop that answers polls.
 */
export interface ProcessingQueue {
  /**
   * Queues the job unless it is already queued or running; resolves when that
   * job has finished (at once if the queue is closed), so a test clock that
   * advances can wait for the work it made due.
   */
  enqueue(correlationId: string): Promise<void>;
  /** Resolves when no job is queued or running. */
  idle(): Promise<void>;
  /** Stops taking new jobs and tells running ones to stop at their next safe point; they stay PROCESSING for a resume. */
  close(): Promise<void>;
}

export function createProcessingQueue(
  run: (correlationId: string, signal: AbortSignal) => Promise<void>,
  concurrency: number,
  /** A job that throws could not record its result (storage); it is tried again after this. */
  retryFailedAfterMs = 5000,
): ProcessingQueue {
  const waiting: string[] = [];
  const jobs = new Map<string, { done: Promise<void>; resolve: () => void }>();
  let running = 0;
  let closed = false;
  const shutdown = new AbortController();
  let idleWaiters: Array<() => void> = [];

  const settleIdle = () => {
    if (running > 0 || waiting.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const pump = () => {
    while (!closed && running < concurrency && waiting.length > 0) {
      const id = waiting.shift() as string;
      running++;
      // run() records scoring failures itself; a rejection means the result could not be
      // stored, so the submission is still PROCESSING and is tried again rather than left stuck.
      let failed = false;
      void run(id, shutdown.signal)
        .catch(() => {
          failed = true;
        })
        .finally(() => {
          running--;
          jobs.get(id)?.resolve();
          jobs.delete(id);
          if (failed && !closed) {
            // Unref'd: a retry must not hold a stopping process; the data dir resumes it instead.
            setTimeout(() => void enqueue(id), retryFailedAfterMs).unref();
          }
          pump();
          settleIdle();
        });
    }
    settleIdle();
  };

  function enqueue(correlationId: string): Promise<void> {
    if (closed) return Promise.resolve();
    // The same submission is never scored twice at once, however often it is queued.
    const existing = jobs.get(correlationId);
    if (existing) return existing.done;
    let resolve = () => {};
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    jobs.set(correlationId, { done, resolve });
    waiting.push(correlationId);
    pump();
    return done;
  }

  return {
    enqueue,
    idle: () =>
      new Promise((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      }),
    async close() {
      closed = true;
      waiting.length = 0;
      shutdown.abort();
      if (running > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      for (const job of jobs.values()) job.resolve();
      jobs.clear();
    },
  };
}
