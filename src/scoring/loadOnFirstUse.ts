import type { ScoringEngine } from './ScoringEngine.ts';

/**
 * An engine made when it is first asked to score. An `api` instance scores only the synchronous
 * module's rare requests (scoring jobs run on workers), so it does not load models, and their
 * memory, until one arrives.
 */
export function loadOnFirstUse(name: string, load: () => Promise<ScoringEngine>): ScoringEngine {
  let loaded: Promise<ScoringEngine> | undefined;
  const engine = () => {
    loaded ??= load();
    // A failed load is tried again on the next request rather than remembered.
    loaded.catch(() => {
      loaded = undefined;
    });
    return loaded;
  };
  return {
    name,
    async score(selfie, document) {
      return (await engine()).score(selfie, document);
    },
    async close() {
      if (loaded) await (await loaded.catch(() => undefined))?.close();
    },
  };
}
