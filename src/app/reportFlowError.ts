import { ScenarioEngineFailure } from '../scenarios/withScenarioResult.ts';
import { DeclaredEngineError } from '../scoring/fixture/DeclaredEngineError.ts';
import type { Logger } from './composeServices.ts';

/**
 * How the flow's failures reach the log. A failure a partner asked for (a `status: FAILED`
 * scenario, a fixture that declares an engine error) is the mock doing its job: one info line, no
 * stack, so it is not mistaken for a crash. Anything else is a real error, stack included.
 */
export function reportFlowError(log: Logger): (context: string, error: unknown) => void {
  return (context, error) => {
    if (error instanceof ScenarioEngineFailure || error instanceof DeclaredEngineError) {
      log.info(`${context}: failed on purpose (${error.message})`);
      return;
    }
    log.error(context, error);
  };
}
