import type { Partner } from '../auth/Partner.ts';
import type { AdminPartner } from './AdminServices.ts';

const MASK = '****';
/** Below this length even four characters give away too much of a secret. */
const MIN_LENGTH_TO_HINT = 12;

/**
 * A partner as the admin API shows it: everything an operator needs to tell partners apart and
 * check their settings, but no secret that would let the reader act as the partner. A long client
 * secret keeps its first four characters, enough to tell which one is configured.
 */
export function maskPartner(partner: Partner): AdminPartner {
  return {
    clientId: partner.clientId,
    name: partner.name ?? null,
    clientSecret: maskSecret(partner.clientSecret),
    webhookSecret: partner.webhookSecret.startsWith('whsec_') ? `whsec_${MASK}` : MASK,
    callbackUrl: partner.callbackUrl ?? null,
    thresholds: { ...partner.thresholds },
    tokenTtlSeconds: partner.tokenTtlSeconds,
  };
}

function maskSecret(secret: string): string {
  return secret.length >= MIN_LENGTH_TO_HINT ? `${secret.slice(0, 4)}${MASK}` : MASK;
}
