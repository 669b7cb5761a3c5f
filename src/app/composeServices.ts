import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createTokenVerifier } from '../auth/createTokenVerifier.ts';
import { issueAccessToken } from '../auth/issueAccessToken.ts';
import { jwks } from '../auth/jwks.ts';
import { loadOrCreateSigningKey } from '../auth/loadOrCreateSigningKey.ts';
import type { Partner } from '../auth/Partner.ts';
import { createBucketRouter } from '../bucket/bucketRouter.ts';
import { createDirectoryObjectStore } from '../bucket/directoryObjectStore.ts';
import { createMemoryObjectStore } from '../bucket/memoryObjectStore.ts';
import { presignUpload } from '../bucket/presignUpload.ts';
import { createCallbackDispatcher } from '../callbacks/callbackDispatcher.ts';
import { completionEvent } from '../callbacks/completionEvent.ts';
import { createDirectoryCallbackLog } from '../callbacks/directoryCallbackLog.ts';
import { createMemoryCallbackLog } from '../callbacks/memoryCallbackLog.ts';
import { validateCallbackUrl } from '../callbacks/validateCallbackUrl.ts';
import type { Config } from '../config/configSchema.ts';
import { visibleTo } from '../domain/partnerAccess.ts';
import type { Submission } from '../domain/Submission.ts';
import type { AppServices } from '../http/AppServices.ts';
import { loadContractValidator } from '../http/contractValidator.ts';
import type { StoredAnswer } from '../http/idempotency.ts';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';
import { createDirectoryRecordStore } from '../store/createDirectoryRecordStore.ts';
import { createMemoryRecordStore, type RecordStore } from '../store/RecordStore.ts';
import { confirmSubmission } from '../submissions/confirmSubmission.ts';
import { createProcessingQueue } from '../submissions/createProcessingQueue.ts';
import type { FlowDeps } from '../submissions/FlowDeps.ts';
import { processSubmission } from '../submissions/processSubmission.ts';
import { resumeSubmissions } from '../submissions/resumeSubmissions.ts';
import { startSubmission } from '../submissions/startSubmission.ts';
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
  const publicUrl = (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
  const issuer = config.tokens.issuer ?? publicUrl;
  const partners = new Map<string, Partner>(config.partners.map((p) => [p.clientId, p]));
  const dataDir = config.dataDir;
  const warnUnreadable = (file: string, error: unknown) =>
    log.warn(`skipping unreadable ${file}: ${String(error)}`);

  const signingKey = await loadOrCreateSigningKey(dataDir);
  const verifyToken = createTokenVerifier({
    keys: [signingKey],
    issuer,
    audience: config.tokens.audience,
    now,
  });
  const bucketCredentials = { accessKeyId: config.bucket.accessKeyId, secret: bucketSecret(config, dataDir) };
  const objects = dataDir ? createDirectoryObjectStore(join(dataDir, 'objects')) : createMemoryObjectStore();
  const submissions: RecordStore<Submission> = dataDir
    ? createDirectoryRecordStore(join(dataDir, 'submissions'), warnUnreadable)
    : createMemoryRecordStore();
  const idempotency: RecordStore<StoredAnswer> = dataDir
    ? createDirectoryRecordStore(join(dataDir, 'idempotency'), warnUnreadable)
    : createMemoryRecordStore();
  const callbackLog = dataDir
    ? createDirectoryCallbackLog(join(dataDir, 'callbacks'), { onCorrupt: warnUnreadable })
    : createMemoryCallbackLog();
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
    presign: (key, contentType, expiresAt) => ({
      imageType: key.endsWith('/SELFIE') ? 'SELFIE' : 'DOCUMENT',
      ...presignUpload({
        publicBaseUrl: publicUrl,
        key,
        contentType,
        expiresAt,
        credentials: bucketCredentials,
      }),
    }),
    objectKey: (correlationId, role) => `uploads/${correlationId}/${role}`,
    thresholdsFor: (partnerId) => partners.get(partnerId)?.thresholds ?? { success: 80, review: 70 },
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
  const openApiDocument = parseYaml(readFileSync(OPENAPI_PATH, 'utf8')) as unknown;

  const services: AppServices = {
    contract: await loadContractValidator(OPENAPI_PATH),
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
    tokens: {
      findPartner: (clientId) => partners.get(clientId),
      issue: (partner, scope) =>
        issueAccessToken({
          key: signingKey,
          partner,
          issuer,
          audience: config.tokens.audience,
          now: now(),
          scope,
        }),
      verify(token) {
        const result = verifyToken(token);
        if (!result.ok) return { ok: false, description: result.description };
        const partner = partners.get(result.clientId);
        return partner
          ? { ok: true, partner }
          : { ok: false, description: 'The token names a client that no longer exists.' };
      },
      jwks: () => jwks(signingKey),
    },
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

/**
 * Presigned URLs must stay valid across a restart with a data directory, so
 * the bucket's signing secret is kept there; without one it lives as long as
 * the process, like everything else.
 */
function bucketSecret(config: Config, dataDir: string | undefined): string {
  if (config.bucket.signingSecret) return config.bucket.signingSecret;
  const fresh = randomBytes(32).toString('base64url');
  if (!dataDir) return fresh;
  const file = join(dataDir, 'bucket-signing-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, fresh, { mode: 0o600 });
    return fresh;
  }
}
