import type { Thresholds } from '../domain/outcome.ts';
import { engineForSubmission } from '../scenarios/engineForSubmission.ts';
import { parsePreferScenario } from '../scenarios/parsePreferScenario.ts';
import type { ScenarioCatalogue } from '../scenarios/ScenarioCatalogue.ts';
import type { DeclaredFixtureResult } from '../scoring/fixture/declaredFixtureResult.ts';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';
import {
  type BiometricPair,
  type FacematchModuleResult,
  scoreFacematchModule,
} from './scoreFacematchModule.ts';

export type FacematchModuleAnswer =
  | { kind: 'scored'; result: FacematchModuleResult; scenario: string | null }
  | { kind: 'unknown-scenario'; name: string; known: string[] };

export interface RunFacematchModuleDeps {
  engine: ScoringEngine;
  declaredFixture: DeclaredFixtureResult;
  catalogue: ScenarioCatalogue;
  thresholdsFor(partnerId: string): Thresholds;
  onError(context: string, error: unknown): void;
}

/**
 * One synchronous module call with the same precedence as the asynchronous
 * flow, minus what has no meaning without a submission: a `Prefer: scenario=`
 * sets the result (timing, callback and fault parts of a scenario do not
 * apply), else fixture images give their declared results, else the engine.
 */
export async function runFacematchModule(
  deps: RunFacematchModuleDeps,
  partnerId: string,
  pairs: BiometricPair[],
  prefer: string | undefined,
): Promise<FacematchModuleAnswer> {
  const name = parsePreferScenario(prefer);
  const scenario = name === undefined ? undefined : deps.catalogue.get(name);
  if (name !== undefined && !scenario)
    return { kind: 'unknown-scenario', name, known: deps.catalogue.names() };
  const thresholds = deps.thresholdsFor(partnerId);
  const engine = engineForSubmission(deps.engine, scenario, thresholds, deps.declaredFixture);
  const result = await scoreFacematchModule({ engine, thresholds, onError: deps.onError }, pairs);
  return { kind: 'scored', result, scenario: scenario?.name ?? null };
}
