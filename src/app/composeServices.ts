import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Partner } from '../auth/Partner.ts';
import { createBucketRouter } from '../bucket/bucketRouter.ts';
import { presignUpload } from '../bucket/presignUpload.ts';
import { createCallbackDispatcher } from '../callbacks/callbackDispatcher.ts';
import { completionEvent } from '../callbacks/completionEvent.ts';
import { validateCallbackUrl } from '../callbacks/validateCallbackUrl.ts';
import type { Config } from '../config/configSchema.ts';
import { DEFAULT_THRESHOLDS } from '../domain/outcome.ts';
import { visibleTo } from '../domain/partnerAccess.ts';
import type { AppServices } from '../http/AppServices.ts';
import { loadContractValidator } from '../http/contractValidator.ts';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';
import { confirmSubmission } from '../submissions/confirmSubmission.ts';
import { createProcessingQueue } from '../submissions/createProcessingQueue.ts';
import type { FlowDeps } from '../submissions/FlowDeps.ts';
import { processSubmission } from '../submissions/processSubmission.ts';
import { resumeSubmissions } from '../submissions/resumeSubmissions.ts';
import { startSubmission } from '../submissions/startSubmission.ts';
import { bucketSecret } from './bucketSecret.ts';
import { createStores } from './createStores.ts';
import { createTokenService } from './createTokenService.ts';
import { defaultPublicUrl } from './defaultPublicUrl.ts';
import { OPENAPI_PATH, VERSION } from './projectFiles.ts';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface ComposedServer {
  services: AppServices;
  engine: ScoringEngine;
  /** Picks up work a previous process left unfinished (with a data directory). */
  resume(): Promise<{ submissions: number; callbacks: number }>;
  /** Resolves when no scoring job or callback attempt is running or scheduled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The composition root: the only place that knows every adapter, turns the
 * validated config into concrete stores, engines and routers, and wires them.
 */
export async function composeServices(
  config: Config,
  engine: ScoringEngine,
  log: Logger,
  now: () => Date = () => new Date(),
): Promise<ComposedServer> {
  const publicUrl = (config.publicUrl ?? defaultPublicUrl(config.host, config.port)).replace(/\/+$/, '');
  const issuer = config.tokens.issuer ?? publicUrl;
  const partners = new Map<string, Partner>(config.partners.map((p) => [p.clientId, p]));
  const dataDir = config.dataDir;

  const tokens = await createTokenService({
    partners,
    issuer,
    audience: config.tokens.audience,
    dataDir,
    now,
  });
  const bucketCredentials = {
    accessKeyId: config.bucket.accessKeyId,
    secret: bucketSecret(config.bucket.signingSecret, dataDir),
  };
  const { objects, submissions, idempotency, callbackLog } = createStores(dataDir, log.warn);
  const dispatcher = createCallbackDispatcher({
    retrySchedule: config.callbacks.retryScheduleMs,
    timeoutMs: config.callbacks.timeoutMs,
    log: callbackLog,
    secretFor: (partnerId) => partners.get(partnerId)?.webhookSecret,
    now,
    warn: log.warn,
  });

  const deps: FlowDeps = {
    submissions,
    objects,
    engine,
    presign: (imageType, key, contentType, expiresAt) => ({
      imageType,
      ...presignUpload({
        publicBaseUrl: publicUrl,
        key,
        contentType,
        expiresAt,
        credentials: bucketCredentials,
      }),
    }),
    objectKey: (correlationId, role) => `uploads/${correlationId}/${role}`,
    thresholdsFor: (partnerId) => partners.get(partnerId)?.thresholds ?? DEFAULT_THRESHOLDS,
    defaultCallbackUrl: (partnerId) => partners.get(partnerId)?.callbackUrl ?? null,
    async notifyCompletion({ submission, url }) {
      const partner = partners.get(submission.partnerId);
      if (!url || !partner) return;
      // One delivery per submission, even if a restart repeats the hand-over.
      if ((await dispatcher.deliveries(submission.correlationId)).length > 0) return;
      await dispatcher.dispatch({
        correlationId: submission.correlationId,
        partnerId: partner.clientId,
        url,
        secret: partner.webhookSecret,
        event: completionEvent({ ...submission, status: submission.status, at: now() }),
      });
    },
    newCorrelationId: randomUUID,
    now,
    uploadUrlTtlSeconds: config.bucket.uploadUrlTtlSeconds,
    processingDelayMs: config.processing.delayMs,
    onError: (context, error) => log.error(context, error),
  };
  const queue = createProcessingQueue(
    (id, signal) => processSubmission(deps, id, signal),
    config.processing.concurrency,
  );
  const openApiDocument = parseYaml(readFileSync(OPENAPI_PATH, 'utf8')) as object;

  const services: AppServices = {
    // The document parsed once: a second YAML parse by Prism's loader cost start-up time.
    contract: await loadContractValidator(openApiDocument),
    openApiDocument,
    bucketRouter: createBucketRouter({
      store: objects,
      credentials: bucketCredentials,
      maxObjectBytes: config.bucket.maxObjectBytes,
      // Once confirmed, the images are what was scored; later writes would make the result lie.
      canWrite: (key) => {
        const correlationId = /^uploads\/([^/]+)\//.exec(key)?.[1];
        const submission = correlationId ? submissions.get(correlationId) : undefined;
        return submission !== undefined && submission.status === 'AWAITING_UPLOAD';
      },
    }),
    tokens,
    submissions: {
      start: (partnerId, request) => startSubmission(deps, partnerId, request),
      confirm: (partnerId, correlationId) => confirmSubmission(deps, queue, partnerId, correlationId),
      find: (partnerId, correlationId) => visibleTo(submissions.get(correlationId), partnerId),
      callbackDeliveries: (correlationId) => dispatcher.deliveries(correlationId),
    },
    validateCallbackUrl: (url) => {
      const result = validateCallbackUrl(url);
      return result.ok ? null : result.message;
    },
    idempotency,
    health: () => ({ ready: true, engine: engine.name, version: VERSION }),
    settings: {
      maxJsonBytes: config.maxJsonBytes,
      retryAfterSeconds: config.processing.retryAfterSeconds,
      validateResponses: config.validateResponses,
    },
    log,
  };

  return {
    services,
    engine,
    async resume() {
      const callbacks = await dispatcher.resumePending();
      return { submissions: await resumeSubmissions(deps, queue), callbacks };
    },
    async idle() {
      await queue.idle();
      await dispatcher.idle();
    },
    async close() {
      await queue.close();
      await dispatcher.close();
      await engine.close();
    },
  };
}
