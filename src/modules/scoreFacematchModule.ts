import { type Outcome, outcomeFor, type Thresholds } from '../domain/outcome.ts';
import type { Reason, ScoringEngine } from '../scoring/ScoringEngine.ts';

/** One `biometrics` item, decoded: face1Image is the selfie, face2Image the anchor. */
export interface BiometricPair {
  selfie: Buffer;
  anchor: Buffer;
}

export interface PairScore {
  score: number;
  /** Why the engine scored as it did; for the server log, never the module's response. */
  reasons: Reason[];
}

export interface FacematchModuleResult {
  score: number;
  outcome: Outcome;
  /** Index of the item whose score is the answer; null when no item could be compared. */
  decidingItem: number | null;
  items: PairScore[];
}

export interface FacematchModuleDeps {
  engine: ScoringEngine;
  thresholds: Thresholds;
  onError(context: string, error: unknown): void;
}

/**
 * The Facematch module's answer for a list of pairs. Every pair is compared,
 * one after another so a long list cannot take more than its share of the
 * engine. A pair scoring 0 is inconclusive (the seed: no face in the selfie,
 * an anchor missing or unreadable, an error) and does not decide; of the
 * conclusive pairs the lowest score decides, so the answer is never better
 * than any pair that could be compared. No conclusive pair: score 0, ERROR.
 * An engine that throws is an inconclusive pair with ENGINE_ERROR, as the seed
 * counts "an error prevented the comparison" among the score-0 cases.
 */
export async function scoreFacematchModule(
  deps: FacematchModuleDeps,
  pairs: readonly BiometricPair[],
): Promise<FacematchModuleResult> {
  const items: PairScore[] = [];
  for (const [index, pair] of pairs.entries()) {
    items.push(await scorePair(deps, pair, index));
  }
  let decidingItem: number | null = null;
  for (const [index, item] of items.entries()) {
    if (!isConclusive(item.score, deps.thresholds)) continue;
    if (decidingItem === null || item.score < (items[decidingItem] as PairScore).score) decidingItem = index;
  }
  const score = decidingItem === null ? 0 : (items[decidingItem] as PairScore).score;
  return { score, outcome: outcomeFor(score, deps.thresholds), decidingItem, items };
}

async function scorePair(deps: FacematchModuleDeps, pair: BiometricPair, index: number): Promise<PairScore> {
  try {
    const { score, reasons } = await deps.engine.score(pair.selfie, pair.anchor);
    return { score, reasons };
  } catch (error) {
    deps.onError(`facematch module, biometrics item ${index}`, error);
    const message = `The comparison could not be run: ${error instanceof Error ? error.message : String(error)}`;
    return { score: 0, reasons: [{ code: 'ENGINE_ERROR', message }] };
  }
}

function isConclusive(score: number, thresholds: Thresholds): boolean {
  return outcomeFor(score, thresholds) !== 'ERROR';
}
