import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from './Metrics.ts';

/**
 * Scoring takes milliseconds with fixtures and up to seconds with ONNX models on a busy CI
 * runner; the buckets cover both ends.
 */
const SCORING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A registry of its own per server: test suites start many apps in one process, and prom-client's
 * global registry would refuse the second app's metric names.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'facematch_http_requests_total',
    help: 'HTTP requests answered, by method, route (operation path template) and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const flows = new Counter({
    name: 'facematch_flows_finished_total',
    help: 'Submissions that reached COMPLETED or FAILED, by status and outcome.',
    labelNames: ['status', 'outcome'] as const,
    registers,
  });
  const callbackAttempts = new Counter({
    name: 'facematch_callback_attempts_total',
    help: 'Completion-callback attempts: delivered (2xx), rejected (other status), unreachable (no answer).',
    labelNames: ['result'] as const,
    registers,
  });
  const scoring = new Histogram({
    name: 'facematch_scoring_duration_seconds',
    help: 'Time the scoring engine took to compare two images.',
    labelNames: ['engine', 'result'] as const,
    buckets: SCORING_BUCKETS,
    registers,
  });
  return {
    watchEngineLoad: (read) => {
      // Read at scrape time rather than kept up to date: the pool already counts all of this.
      new Gauge({
        name: 'facematch_inference_workers_ready',
        help: 'Inference worker threads ready to score.',
        registers,
        collect() {
          this.reset();
          this.set(read().ready);
        },
      });
      new Gauge({
        name: 'facematch_inference_comparisons',
        help: 'Comparisons in the inference workers (running: inside a worker; waiting: queued for one).',
        labelNames: ['state'] as const,
        registers,
        collect() {
          this.reset();
          const load = read();
          this.set({ state: 'running' }, load.running);
          this.set({ state: 'waiting' }, load.waiting);
        },
      });
      new Counter({
        name: 'facematch_inference_worker_restarts_total',
        help: 'Inference workers started again after one stopped unexpectedly.',
        registers,
        collect() {
          this.reset();
          this.inc(read().restarts);
        },
      });
    },
    httpRequest: ({ method, route, status }) => requests.inc({ method, route, status: String(status) }),
    flowFinished: ({ status, outcome }) => flows.inc({ status, outcome: outcome ?? 'none' }),
    callbackAttempt: (result) => callbackAttempts.inc({ result }),
    scoring: ({ engine, seconds, failed }) =>
      scoring.observe({ engine, result: failed ? 'error' : 'ok' }, seconds),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
