import type { Thresholds } from '../domain/outcome.ts';
import type { ScoreResult, ScoringEngine } from '../scoring/ScoringEngine.ts';
import type { ScenarioResult } from './scenarioSchema.ts';
import { scoreForOutcome } from './scoreForOutcome.ts';

/** Thrown for `status: FAILED`, so the flow records FAILED / ENGINE_ERROR exactly as for a real engine failure. */
export class ScenarioEngineFailure extends Error {
  override name = 'ScenarioEngineFailure';
}

/**
 * An engine decorator: the real engine still looks at the images (so the
 * per-image analysis a partner reads stays real), then the scenario's score,
 * outcome and reasons replace its verdict.
 */
export function withScenarioResult(
  engine: ScoringEngine,
  result: ScenarioResult,
  thresholds: Thresholds,
): ScoringEngine {
  return {
    name: engine.name,
    close: () => engine.close(),
    async score(selfie, document): Promise<ScoreResult> {
      if (result.status === 'FAILED') {
        throw new ScenarioEngineFailure(result.message ?? 'the scoring engine failed (scenario)');
      }
      let seen: ScoreResult | undefined;
      try {
        seen = await engine.score(selfie, document);
      } catch {
        // The scenario decides the verdict; an engine that cannot look only costs the analysis.
      }
      return {
        score: result.score ?? scoreForOutcome(result.outcome ?? 'ERROR', thresholds),
        reasons: result.reasons.map((reason) => ({ ...reason })),
        selfie: seen?.selfie ?? null,
        document: seen?.document ?? null,
        engine: seen?.engine ?? engine.name,
      };
    },
  };
}
