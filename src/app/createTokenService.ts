import { createTokenVerifier } from '../auth/createTokenVerifier.ts';
import { issueAccessToken } from '../auth/issueAccessToken.ts';
import { jwks } from '../auth/jwks.ts';
import { loadOrCreateSigningKey } from '../auth/loadOrCreateSigningKey.ts';
import type { Partner } from '../auth/Partner.ts';
import type { AppServices } from '../http/AppServices.ts';
import type { Clock } from '../time/Clock.ts';

/** The Token Gateway's keys and rules, bound to the configured partners and audience. */
export async function createTokenService(options: {
  partners: ReadonlyMap<string, Partner>;
  issuer: string;
  audience: string;
  /** Where the signing key persists, so tokens survive a restart; in memory when absent. */
  dataDir: string | undefined;
  /** A partner's business clock: tokens are issued and expire on it, so a test can expire one. */
  clockFor: (partnerId: string) => Clock;
}): Promise<AppServices['tokens']> {
  const { partners, issuer, audience, clockFor } = options;
  const key = await loadOrCreateSigningKey(options.dataDir);
  const verify = createTokenVerifier({ keys: [key], issuer, audience, now: (id) => clockFor(id).now() });
  return {
    findPartner: (clientId) => partners.get(clientId),
    issue: (partner, scope) =>
      issueAccessToken({ key, partner, issuer, audience, now: clockFor(partner.clientId).now(), scope }),
    verify(token) {
      const result = verify(token);
      if (!result.ok)
        return { ok: false, description: result.description, expiredFor: result.expired?.clientId };
      const partner = partners.get(result.clientId);
      return partner
        ? { ok: true, partner }
        : { ok: false, description: 'The token names a client that no longer exists.' };
    },
    jwks: () => jwks(key),
  };
}
