import { createTokenVerifier } from '../auth/createTokenVerifier.ts';
import { issueAccessToken } from '../auth/issueAccessToken.ts';
import { jwks } from '../auth/jwks.ts';
import type { Partner } from '../auth/Partner.ts';
import { createSigningKey, type SigningKey, signingKeyFromPem } from '../auth/SigningKey.ts';
import type { AppServices } from '../http/AppServices.ts';
import type { SecretStore } from '../store/SandboxStore.ts';

/** The Token Gateway's keys and rules, bound to the configured partners and audience. */
export async function createTokenService(options: {
  partners: ReadonlyMap<string, Partner>;
  issuer: string;
  audience: string;
  /** Where the signing key is kept: created once, the same for every instance and after a restart. */
  secrets: SecretStore;
  /** A partner's business time: tokens are issued and expire on it, so a test can expire one. */
  now: (partnerId: string) => Promise<Date>;
}): Promise<AppServices['tokens']> {
  const { partners, issuer, audience, now } = options;
  const key = await loadSigningKey(options.secrets);
  const verify = createTokenVerifier({
    keys: [key],
    issuer,
    audience,
    // Only a configured partner has a clock; a token naming another fails its check below anyway.
    now: (clientId) => (partners.has(clientId) ? now(clientId) : Promise.resolve(new Date())),
  });
  return {
    findPartner: (clientId) => partners.get(clientId),
    issue: async (partner, scope) =>
      issueAccessToken({ key, partner, issuer, audience, now: await now(partner.clientId), scope }),
    async verify(token) {
      const result = await verify(token);
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

async function loadSigningKey(secrets: SecretStore): Promise<SigningKey> {
  const pem = await secrets.getOrCreate('token-signing-key', async () =>
    (await createSigningKey()).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  );
  try {
    return signingKeyFromPem(pem);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The stored token signing key is not usable (${reason}). Remove it (token-signing-key.pem in the data dir, or the row in the database's secrets table) to have a new one created; tokens issued with the old key will stop verifying.`,
    );
  }
}
