/**
 * The two demo partners of src/config/demo.config.json, repeated here rather
 * than imported: the bench drives the server as an outside partner would, with
 * the credentials printed at start-up, and must notice if those change.
 */
export const PARTNERS = [
  {
    clientId: 'demo',
    clientSecret: 'demo-secret',
    webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  },
  {
    clientId: 'demo-2',
    clientSecret: 'demo-2-secret',
    webhookSecret: 'whsec_ZGVtbzItd2ViaG9vay1zZWNyZXQtOTg3NjU0MzIx',
  },
] as const;

export type BenchPartner = (typeof PARTNERS)[number];

export interface BenchConfigOptions {
  callbackUrlFor: (clientId: string) => string;
  processingDelayMs: number;
  processingConcurrency: number | 'auto';
}

/**
 * The config file handed to the child server. Callbacks go to each partner's
 * default URL (no per-submission callbackUrl) so that path is what gets loaded;
 * the retry schedule is short so a failed first attempt is retried within the
 * bench's grace period instead of being counted as lost.
 */
export function benchConfig(options: BenchConfigOptions) {
  return {
    host: '127.0.0.1',
    port: 0,
    partners: PARTNERS.map((p) => ({ ...p, callbackUrl: options.callbackUrlFor(p.clientId) })),
    processing: {
      delayMs: options.processingDelayMs,
      concurrency: options.processingConcurrency,
      retryAfterSeconds: 1,
    },
    callbacks: { retryScheduleMs: [50, 100, 200, 400, 800], timeoutMs: 2000 },
  };
}
