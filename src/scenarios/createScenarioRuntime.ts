import type { FaultStep, Scenario, ScenarioFault } from './scenarioSchema.ts';

/**
 * What a scenario has already done to one submission: how many calls each
 * fault has seen and how many polls saw PROCESSING. Kept in memory: after a
 * restart a fault may fire once more, which a partner's retry logic must
 * survive anyway, and no partner data depends on it.
 */
export interface ScenarioRuntime {
  /** The fault that hits this call, if any; counts the call either way. */
  takeFault(correlationId: string, scenario: Scenario, step: FaultStep): ScenarioFault | undefined;
  /** Counts a status poll that saw PROCESSING; returns the count so far. */
  countPoll(correlationId: string): number;
  forget(correlationId: string): void;
}

export function createScenarioRuntime(): ScenarioRuntime {
  const calls = new Map<string, number[]>();
  const polls = new Map<string, number>();
  return {
    takeFault(correlationId, scenario, step) {
      const seen = calls.get(correlationId) ?? scenario.faults.map(() => 0);
      calls.set(correlationId, seen);
      let hit: ScenarioFault | undefined;
      scenario.faults.forEach((fault, index) => {
        const steps: readonly FaultStep[] = Array.isArray(fault.on) ? fault.on : [fault.on];
        if (!steps.includes(step)) return;
        const count = (seen[index] ?? 0) + 1;
        seen[index] = count;
        if (!hit && count > fault.after && count <= fault.after + fault.times) hit = fault;
      });
      return hit;
    },
    countPoll(correlationId) {
      const count = (polls.get(correlationId) ?? 0) + 1;
      polls.set(correlationId, count);
      return count;
    },
    forget(correlationId) {
      calls.delete(correlationId);
      polls.delete(correlationId);
    },
  };
}
