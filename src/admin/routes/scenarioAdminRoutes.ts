import express, { type Router } from 'express';
import { ProblemError } from '../../http/ProblemError.ts';
import type { Scenario } from '../../scenarios/scenarioSchema.ts';
import type { ControlServices } from '../ControlServices.ts';
import { ownPartner } from '../callerScope.ts';

/** The scenario catalogue and each partner's queue ("the next N submissions get S"). */
export function scenarioAdminRoutes(control: ControlServices): Router {
  const router = express.Router();
  const { scenarios, partners } = control;

  router.get('/scenarios', (_req, res) => {
    res.json({ scenarios: scenarios.catalogue.list().map(describeScenario) });
  });

  router.get('/partners/:clientId/scenario-queue', async (req, res) => {
    const { clientId } = ownPartner(res, partners, req.params.clientId as string);
    res.json({ clientId, queue: await scenarios.queue.queue(clientId) });
  });

  router.post('/partners/:clientId/scenario-queue', async (req, res) => {
    const { clientId } = ownPartner(res, partners, req.params.clientId as string);
    const body = (req.body ?? {}) as { scenario?: unknown; count?: unknown };
    const name = typeof body.scenario === 'string' ? body.scenario : '';
    if (!scenarios.catalogue.get(name)) {
      const known = scenarios.catalogue.names();
      const message = `No scenario "${name}"; known: ${known.join(', ')}.`;
      throw new ProblemError('unknown-scenario', {
        detail: message,
        errors: [{ location: 'body', field: '/scenario', message }],
        knownScenarios: known,
      });
    }
    // The admin document has checked count (1…10000); only the name needs the catalogue.
    const count = typeof body.count === 'number' ? body.count : 1;
    res.json({ clientId, queue: await scenarios.queue.enqueue(clientId, name, count) });
  });

  router.delete('/partners/:clientId/scenario-queue', async (req, res) => {
    const { clientId } = ownPartner(res, partners, req.params.clientId as string);
    await scenarios.queue.clearQueue(clientId);
    res.status(204).end();
  });

  return router;
}

function describeScenario(s: Scenario) {
  return {
    name: s.name,
    description: s.description,
    origin: s.origin,
    ...(s.result ? { result: s.result } : {}),
    ...(s.completion ? { completion: s.completion } : {}),
    ...(s.callback ? { callback: s.callback } : {}),
    ...(s.uploadUrls ? { uploadUrls: s.uploadUrls } : {}),
    faults: s.faults,
  };
}
