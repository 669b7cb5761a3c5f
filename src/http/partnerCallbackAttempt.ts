import type { DeliveryAttempt } from '../domain/CallbackDelivery.ts';
import type { components } from './generated/openapi.ts';

/**
 * An attempt as the partner contract shows it: what the mock records besides (the headers sent,
 * an excerpt of the receiver's answer) is for the admin API only.
 */
export function partnerCallbackAttempt(attempt: DeliveryAttempt): components['schemas']['CallbackAttempt'] {
  return {
    at: attempt.at,
    durationMs: attempt.durationMs,
    ok: attempt.ok,
    ...(attempt.statusCode === undefined ? {} : { statusCode: attempt.statusCode }),
    ...(attempt.error === undefined ? {} : { error: attempt.error }),
  };
}
