import { Counter, Histogram, Registry } from 'prom-client';
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
    httpRequest: ({ method, route, status }) => requests.inc({ method, route, status: String(status) }),
    flowFinished: ({ status, outcome }) => flows.inc({ status, outcome: outcome ?? 'none' }),
    callbackAttempt: (result) => callbackAttempts.inc({ result }),
    scoring: ({ engine, seconds, failed }) =>
      scoring.observe({ engine, result: failed ? 'error' : 'ok' }, seconds),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
