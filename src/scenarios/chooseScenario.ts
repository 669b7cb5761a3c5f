import { parsePreferScenario } from './parsePreferScenario.ts';
import type { ScenarioCatalogue } from './ScenarioCatalogue.ts';

export type ScenarioSource = 'prefer-header' | 'reference-id' | 'admin-queue';

/** The scenario in force for one submission, and which lever chose it. */
export interface ScenarioChoice {
  name: string;
  source: ScenarioSource;
}

/** What a new submission offers for choosing its scenario. */
export interface ScenarioRequest {
  partnerId: string;
  prefer?: string | undefined;
  referenceId?: string | null | undefined;
}

export type ScenarioChoiceResult =
  | { ok: true; choice: ScenarioChoice | null }
  | { ok: false; field: 'Prefer' | '/referenceId'; name: string; known: string[] };

/** `scenario:<name>` or `scenario:<name>:<anything>` — a sandbox's magic value for partners that cannot add a header. */
const REFERENCE_ID_SCENARIO = /^scenario:([^:]*)(?::|$)/;

/**
 * Precedence: Prefer header > referenceId > the partner's admin queue. (Fixture
 * images and the engine come after, at scoring time.) A name that is not known
 * is refused rather than ignored, so a typo cannot silently test the happy path.
 * The queue is only drawn from when nothing earlier chose.
 */
export async function chooseScenario(
  request: ScenarioRequest,
  catalogue: ScenarioCatalogue,
  /** Takes one use of the partner's admin queue (see ScenarioStateStore.take). */
  takeQueued: (partnerId: string) => Promise<string | undefined>,
): Promise<ScenarioChoiceResult> {
  const fromHeader = parsePreferScenario(request.prefer);
  if (fromHeader !== undefined) {
    if (!catalogue.get(fromHeader)) return unknown('Prefer', fromHeader, catalogue);
    return { ok: true, choice: { name: fromHeader, source: 'prefer-header' } };
  }
  const fromReference = request.referenceId
    ? REFERENCE_ID_SCENARIO.exec(request.referenceId)?.[1]
    : undefined;
  if (fromReference !== undefined) {
    if (!catalogue.get(fromReference)) return unknown('/referenceId', fromReference, catalogue);
    return { ok: true, choice: { name: fromReference, source: 'reference-id' } };
  }
  const queued = await takeQueued(request.partnerId);
  // A queued name was checked when it was queued; a catalogue never loses names while running.
  return { ok: true, choice: queued ? { name: queued, source: 'admin-queue' } : null };
}

function unknown(
  field: 'Prefer' | '/referenceId',
  name: string,
  catalogue: ScenarioCatalogue,
): ScenarioChoiceResult {
  return { ok: false, field, name, known: catalogue.names() };
}
