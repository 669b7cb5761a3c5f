import type { Submission } from '../domain/Submission.ts';
import type { SandboxStore } from '../store/SandboxStore.ts';
import { chooseScenario, type ScenarioChoiceResult, type ScenarioRequest } from './chooseScenario.ts';
import type { ScenarioCatalogue } from './ScenarioCatalogue.ts';
import type { FaultStep, Scenario, ScenarioFault } from './scenarioSchema.ts';

/** Everything about scenarios the flow and the HTTP edges ask: the catalogue, and the queues and counts in the store. */
export interface ScenarioService {
  catalogue: ScenarioCatalogue;
  /** Each partner's queue ("the next N submissions get S"). */
  queue: Pick<SandboxStore['scenarios'], 'enqueue' | 'queue' | 'clearQueue'>;
  choose(request: ScenarioRequest): Promise<ScenarioChoiceResult>;
  of(submission: Submission): Scenario | undefined;
  /**
   * The scenario of a submission, when the caller may see it: the owning partner for API calls,
   * anyone holding the presigned URL (partnerId null) for the bucket.
   */
  inForce(correlationId: string, partnerId: string | null): Promise<Scenario | undefined>;
  /** The fault of `scenario` that hits this call of a submission, or undefined; counts the call either way. */
  takeFault(correlationId: string, scenario: Scenario, step: FaultStep): Promise<ScenarioFault | undefined>;
}

export function createScenarioService(deps: {
  catalogue: ScenarioCatalogue;
  store: Pick<SandboxStore, 'submissions' | 'scenarios'>;
}): ScenarioService {
  const { catalogue, store } = deps;
  const of = (submission: Submission) =>
    submission.scenario ? catalogue.get(submission.scenario.name) : undefined;
  return {
    catalogue,
    queue: store.scenarios,
    choose: (request) => chooseScenario(request, catalogue, (partnerId) => store.scenarios.take(partnerId)),
    of,
    async inForce(correlationId, partnerId) {
      const submission = await store.submissions.get(correlationId);
      if (!submission || (partnerId !== null && submission.partnerId !== partnerId)) return undefined;
      return of(submission);
    },
    async takeFault(correlationId, scenario, step) {
      // Each fault counts the calls of its own steps; the first whose window the count falls in hits.
      const faults = scenario.faults.flatMap((fault, index) =>
        (Array.isArray(fault.on) ? fault.on : [fault.on]).includes(step) ? [{ fault, index }] : [],
      );
      if (faults.length === 0) return undefined;
      const counts = await store.scenarios.count(
        correlationId,
        faults.map(({ index }) => `fault:${index}`),
      );
      return faults.find(
        ({ fault }, i) => (counts[i] ?? 0) > fault.after && (counts[i] ?? 0) <= fault.after + fault.times,
      )?.fault;
    },
  };
}
