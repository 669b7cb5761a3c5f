import type { Thresholds } from '../domain/outcome.ts';

/**
 * A partner as the Token Gateway and the rest of the flow know it. Loaded from
 * the config file by `src/config/`; the auth core only reads it.
 */
export interface Partner {
  clientId: string;
  clientSecret: string;
  /** Standard Webhooks secret, `whsec_` + base64; signs completion callbacks. */
  webhookSecret: string;
  /** Used when a submission names no callback URL of its own. */
  callbackUrl?: string;
  thresholds: Thresholds;
  /** Lifetime of the access tokens issued to this partner (`expires_in`). */
  tokenTtlSeconds: number;
  name?: string;
}
