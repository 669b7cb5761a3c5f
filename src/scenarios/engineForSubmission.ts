import type { Thresholds } from '../domain/outcome.ts';
import type { DeclaredFixtureResult } from '../scoring/fixture/declaredFixtureResult.ts';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';
import type { Scenario } from './scenarioSchema.ts';
import { withScenarioResult } from './withScenarioResult.ts';

/**
 * The scoring half of the precedence rule (header > referenceId > admin queue >
 * fixture image > engine): a submission with a scenario that sets a result gets
 * it; otherwise a committed fixture image gets its declared result whatever
 * engine runs, so the fixtures work under the real ONNX engine too; otherwise
 * the engine decides.
 */
export function engineForSubmission(
  engine: ScoringEngine,
  scenario: Scenario | undefined,
  thresholds: Thresholds,
  declaredFixture: DeclaredFixtureResult | undefined,
): ScoringEngine {
  if (scenario?.result) return withScenarioResult(engine, scenario.result, thresholds);
  if (!declaredFixture) return engine;
  return {
    name: engine.name,
    close: () => engine.close(),
    async score(selfie, document) {
      return (await declaredFixture(selfie, document)) ?? engine.score(selfie, document);
    },
  };
}
