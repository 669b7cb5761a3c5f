import express, { type Router } from 'express';
import { PROVIDER_STATES, type ProviderStateAnswer } from '../../contract/providerStates.ts';
import { ProblemError } from '../../http/ProblemError.ts';
import { adminCallerOf } from '../AdminCaller.ts';
import type { ControlServices } from '../ControlServices.ts';
import { ownPartner } from '../callerScope.ts';

/**
 * Pact provider states, set up the way a Pact verifier asks (`providerStatesSetupUrl`): the same
 * endpoint serves our own provider verification and `facematch-mock verify` for partners' pacts.
 */
export function providerStateRoutes(control: ControlServices): Router {
  const router = express.Router();

  router.get('/provider-states', (_req, res) => {
    res.json({ states: PROVIDER_STATES });
  });

  router.post('/provider-states', async (req, res) => {
    const body = (req.body ?? {}) as {
      state?: string | null;
      params?: Record<string, unknown> | null;
      action?: string;
    };
    // Pact's verifier makes a state-change call before every interaction, with an empty state when
    // the interaction names none (a partner's token request usually does not): there is nothing to
    // set up, and refusing it would fail a valid pact.
    if (body.action === 'teardown' || !body.state) {
      res.json({});
      return;
    }
    // A partner's own verifier names no clientId: the state is set up for the partner asking.
    const caller = adminCallerOf(res);
    const fallback = caller.role === 'partner' ? caller.clientId : control.defaultPartnerId;
    const clientId = typeof req.query.clientId === 'string' ? req.query.clientId : fallback;
    const { clientId: partnerId } = ownPartner(res, control.partners, clientId);
    const answer = await control.providerStates.setUp(partnerId, body.state, body.params ?? {});
    res.json(valuesOf(answer, body.state));
  });

  return router;
}

function valuesOf(answer: ProviderStateAnswer, state: string): Record<string, string> {
  switch (answer.kind) {
    case 'set-up':
      return answer.values;
    case 'unknown-state': {
      const message = `No provider state "${state}"; known: ${answer.known.map((k) => `"${k}"`).join(', ')}.`;
      throw new ProblemError('unknown-provider-state', {
        detail: message,
        errors: [{ location: 'body', field: '/state', message }],
        knownStates: answer.known,
      });
    }
    case 'bad-param':
      throw new ProblemError('validation-failed', {
        detail: `Provider state "${state}": params.${answer.field} ${answer.message}.`,
        errors: [{ location: 'body', field: `/params/${answer.field}`, message: answer.message }],
      });
    case 'unknown-partner':
      throw new ProblemError('partner-not-found');
  }
}
