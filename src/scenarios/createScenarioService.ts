import type { Submission } from '../domain/Submission.ts';
import type { RecordStore } from '../store/RecordStore.ts';
import { chooseScenario, type ScenarioChoiceResult, type ScenarioRequest } from './chooseScenario.ts';
import type { ScenarioQueue } from './createScenarioQueue.ts';
import type { ScenarioRuntime } from './createScenarioRuntime.ts';
import type { ScenarioCatalogue } from './ScenarioCatalogue.ts';
import type { FaultStep, Scenario, ScenarioFault } from './scenarioSchema.ts';

/** Everything about scenarios the flow and the HTTP edges ask, over one catalogue, queue and runtime. */
export interface ScenarioService {
  catalogue: ScenarioCatalogue;
  queue: ScenarioQueue;
  runtime: ScenarioRuntime;
  choose(request: ScenarioRequest): ScenarioChoiceResult;
  of(submission: Submission): Scenario | undefined;
  /**
   * The scenario of a submission, when the caller may see it: the owning partner for API calls,
   * anyone holding the presigned URL (partnerId null) for the bucket.
   */
  inForce(correlationId: string, partnerId: string | null): Scenario | undefined;
  /** The fault that hits this call (counting the call), or undefined. */
  takeFault(correlationId: string, step: FaultStep, partnerId: string | null): ScenarioFault | undefined;
}

export function createScenarioService(deps: {
  catalogue: ScenarioCatalogue;
  queue: ScenarioQueue;
  runtime: ScenarioRuntime;
  submissions: RecordStore<Submission>;
}): ScenarioService {
  const { catalogue, queue, runtime, submissions } = deps;
  const of = (submission: Submission) =>
    submission.scenario ? catalogue.get(submission.scenario.name) : undefined;
  const inForce = (correlationId: string, partnerId: string | null) => {
    const submission = submissions.get(correlationId);
    if (!submission || (partnerId !== null && submission.partnerId !== partnerId)) return undefined;
    return of(submission);
  };
  return {
    catalogue,
    queue,
    runtime,
    choose: (request) => chooseScenario(request, catalogue, queue),
    of,
    inForce,
    takeFault(correlationId, step, partnerId) {
      const scenario = inForce(correlationId, partnerId);
      return scenario ? runtime.takeFault(correlationId, scenario, step) : undefined;
    },
  };
}
