import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/ConfigError.ts';
import { loadScenarios } from './loadScenarios.ts';
import type { Scenario } from './scenarioSchema.ts';

/** Resolved from this module so the server finds its built-ins from any working directory. */
export const BUILTIN_SCENARIOS_DIR = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));

export interface ScenarioCatalogue {
  get(name: string): Scenario | undefined;
  names(): string[];
  list(): Scenario[];
}

/** The built-in scenarios plus a team's own directory; a name may be defined once. */
export function loadScenarioCatalogue(extraDir?: string): ScenarioCatalogue {
  const scenarios = new Map<string, Scenario>();
  const builtin = loadScenarios(BUILTIN_SCENARIOS_DIR, () => 'builtin');
  const extra = extraDir ? loadScenarios(extraDir) : [];
  for (const scenario of [...builtin, ...extra]) {
    const existing = scenarios.get(scenario.name);
    if (existing) {
      throw new ConfigError(
        `${scenario.origin}: a scenario named "${scenario.name}" already exists (${existing.origin}); rename the file.`,
      );
    }
    scenarios.set(scenario.name, scenario);
  }
  return {
    get: (name) => scenarios.get(name),
    names: () => [...scenarios.keys()],
    list: () => [...scenarios.values()],
  };
}
