import express, { type Router } from 'express';
import { ProblemError } from '../../http/ProblemError.ts';
import type { ControlServices } from '../ControlServices.ts';
import { requirePartner } from './requirePartner.ts';

/**
 * A partner's test clock (Stripe's test clocks are the model): advance it and
 * what falls due happens before the answer; freeze it; DELETE returns it to
 * real time.
 */
export function clockAdminRoutes(control: ControlServices): Router {
  const router = express.Router();
  const { clocks, partners } = control;
  const state = (clientId: string) => ({ clientId, ...clocks.for(clientId).state() });

  router.get('/partners/:clientId/clock', (req, res) => {
    const { clientId } = requirePartner(partners, req.params.clientId as string);
    res.json(state(clientId));
  });

  router.post('/partners/:clientId/clock', async (req, res) => {
    const { clientId } = requirePartner(partners, req.params.clientId as string);
    const body = (req.body ?? {}) as { advanceSeconds?: unknown; freeze?: unknown };
    const advance = body.advanceSeconds;
    if (advance !== undefined && (typeof advance !== 'number' || !(advance >= 0) || advance > 366 * 86_400)) {
      throw new ProblemError('validation-failed', {
        errors: [
          {
            location: 'body',
            field: '/advanceSeconds',
            message: 'must be a number of seconds from 0 to 31622400',
          },
        ],
      });
    }
    if (body.freeze !== undefined && typeof body.freeze !== 'boolean') {
      throw new ProblemError('validation-failed', {
        errors: [{ location: 'body', field: '/freeze', message: 'must be true or false' }],
      });
    }
    if (advance === undefined && body.freeze === undefined) {
      throw new ProblemError('validation-failed', {
        detail: 'Send {"advanceSeconds": N} to move the clock on, {"freeze": true} to stop it, or both.',
        errors: [
          { location: 'body', field: '/advanceSeconds', message: 'advanceSeconds or freeze is required' },
        ],
      });
    }
    const clock = clocks.for(clientId);
    if (body.freeze === true) clock.freeze();
    if (typeof advance === 'number') await clock.advance(advance * 1000);
    if (body.freeze === false) clock.resume();
    res.json(state(clientId));
  });

  router.delete('/partners/:clientId/clock', async (req, res) => {
    const { clientId } = requirePartner(partners, req.params.clientId as string);
    await clocks.for(clientId).reset();
    res.json(state(clientId));
  });

  return router;
}
