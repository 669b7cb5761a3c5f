import { performance } from 'node:perf_hooks';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';
import type { Metrics } from './Metrics.ts';

/** The same engine, with every `score()` timed into the scoring latency histogram. */
export function timeScoring(engine: ScoringEngine, metrics: Pick<Metrics, 'scoring'>): ScoringEngine {
  return {
    get name() {
      return engine.name;
    },
    async score(selfie, document) {
      const started = performance.now();
      let failed = true;
      try {
        const result = await engine.score(selfie, document);
        failed = false;
        return result;
      } finally {
        metrics.scoring({ engine: engine.name, seconds: (performance.now() - started) / 1000, failed });
      }
    },
    close: () => engine.close(),
  };
}
