import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { parse as parseYaml } from 'yaml';
import type { ControlServices } from '../admin/ControlServices.ts';
import { createAdminEvents } from '../admin/events/AdminEvents.ts';
import type { Partner } from '../auth/Partner.ts';
import { createBucketRouter } from '../bucket/bucketRouter.ts';
import { presignUpload } from '../bucket/presignUpload.ts';
import { admitCallbackUrl, SUBMISSION_LOOKUP_TIMEOUT_MS } from '../callbacks/admitCallbackUrl.ts';
import { createCallbackPolicy } from '../callbacks/callbackPolicy.ts';
import {
  createCallbackTargetCheck,
  type ResolveHost,
  resolveWithSystem,
} from '../callbacks/checkCallbackTarget.ts';
import { newWebhookId } from '../callbacks/webhookId.ts';
import type { Config } from '../config/configSchema.ts';
import { DEFAULT_THRESHOLDS } from '../domain/outcome.ts';
import { visibleTo } from '../domain/partnerAccess.ts';
import type { AppServices } from '../http/AppServices.ts';
import { loadContractValidator } from '../http/contractValidator.ts';
import { countFinishedFlows } from '../metrics/countFinishedFlows.ts';
import { createMetrics } from '../metrics/createMetrics.ts';
import { timeScoring } from '../metrics/timeScoring.ts';
import { defaultModuleBodyBytes } from '../modules/defaultModuleBodyBytes.ts';
import { runFacematchModule } from '../modules/runFacematchModule.ts';
import { createScenarioService, type ScenarioService } from '../scenarios/createScenarioService.ts';
import { engineForSubmission } from '../scenarios/engineForSubmission.ts';
import { loadScenarioCatalogue } from '../scenarios/ScenarioCatalogue.ts';
import { createDeclaredFixtureResult } from '../scoring/fixture/declaredFixtureResult.ts';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';
import type { SandboxStore } from '../store/SandboxStore.ts';
import { StorageError } from '../store/StorageError.ts';
import { type AdvanceAnswer, advanceSubmission } from '../submissions/advanceSubmission.ts';
import { attemptDelivery } from '../submissions/attemptDelivery.ts';
import { confirmSubmission } from '../submissions/confirmSubmission.ts';
import type { FlowDeps } from '../submissions/FlowDeps.ts';
import { pollSubmission } from '../submissions/pollSubmission.ts';
import { processingConcurrency } from '../submissions/processingConcurrency.ts';
import { processSubmission } from '../submissions/processSubmission.ts';
import { redeliverCallback } from '../submissions/redeliverCallback.ts';
import { reissueUploads } from '../submissions/reissueUploads.ts';
import { startSubmission } from '../submissions/startSubmission.ts';
import { awaitsUpload, uploadedImages, uploadOwner } from '../submissions/uploadedImages.ts';
import { createPartnerClocks, type PartnerClocks } from '../time/PartnerClocks.ts';
import { composeAdmin } from './composeAdmin.ts';
import { composeProviderStates } from './composeProviderStates.ts';
import { createStore } from './createStore.ts';
import { createTokenService } from './createTokenService.ts';
import { defaultPublicUrl } from './defaultPublicUrl.ts';
import { DASHBOARD_DIR, OPENAPI_PATH, VERSION } from './projectFiles.ts';
import { reportFlowError } from './reportFlowError.ts';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Callback attempts at once per instance: they mostly wait on receivers, so more than scoring. */
const DELIVERY_CONCURRENCY = 16;

export interface ComposedServer {
  services: AppServices;
  engine: ScoringEngine;
  store: SandboxStore;
  clocks: PartnerClocks;
  scenarios: ScenarioService;
  /** Ends processing of a submission now (a `stuck` scenario's way out). */
  advance(correlationId: string): Promise<AdvanceAnswer>;
  /** Starts running due work here: scoring and callback attempts, what a previous process left included. */
  startWork(): Promise<void>;
  /** Resolves when no scoring job or callback attempt is pending or running. */
  idle(): Promise<void>;
  /** One retention sweep now (a timer runs one every `retention.sweepIntervalSeconds` too). */
  sweepExpired(): Promise<void>;
  /**
   * Graceful shutdown, first step: readiness turns to 503 at once, running jobs and callback
   * attempts finish and are recorded, submissions whose processing delay ends before `until` (the
   * end of the drain time) are scored, and what falls due later stays pending in the store.
   * Resolves when nothing runs; `close()` then stops whatever the drain time cut short.
   */
  drain(until?: Date): Promise<void>;
  close(): Promise<void>;
}

/**
 * The composition root: the only place that knows every adapter, turns the validated config into
 * concrete stores, engines and routers, and wires them.
 */
export async function composeServices(
  config: Config,
  engine: ScoringEngine,
  log: Logger,
  /** Wall time under the partner clocks; tests pass a settable one. */
  now: () => Date = () => new Date(),
  /** How callback host names are resolved; tests inject their own (no external DNS in tests). */
  resolveHost: ResolveHost = resolveWithSystem,
): Promise<ComposedServer> {
  const publicUrl = (config.publicUrl ?? defaultPublicUrl(config.host, config.port)).replace(/\/+$/, '');
  const callbackPolicy = createCallbackPolicy({
    mode: config.callbacks.policy,
    listenHost: config.host,
    listenPort: config.port,
    publicUrl,
    allowHosts: config.callbacks.allowHosts,
    localAddresses: Object.values(networkInterfaces()).flatMap((nics) => (nics ?? []).map((n) => n.address)),
  });
  const checkCallbackTarget = (resolveTimeoutMs: number) =>
    createCallbackTargetCheck({ policy: callbackPolicy, resolveHost, resolveTimeoutMs });
  const checkAtSubmission = checkCallbackTarget(SUBMISSION_LOOKUP_TIMEOUT_MS);
  const issuer = config.tokens.issuer ?? publicUrl;
  const partners = new Map<string, Partner>(config.partners.map((p) => [p.clientId, p]));
  const store = await createStore(config, log, now);
  const clocks = createPartnerClocks({
    clocks: store.clocks,
    work: store.work,
    wallNow: () => now().getTime(),
    warn: log.warn,
  });
  const tokens = await createTokenService({
    partners,
    issuer,
    audience: config.tokens.audience,
    secrets: store.secrets,
    now: (partnerId) => clocks.now(partnerId),
  });
  const bucketCredentials = {
    accessKeyId: config.bucket.accessKeyId,
    secret:
      config.bucket.signingSecret ??
      (await store.secrets.getOrCreate('bucket-signing-secret', async () =>
        randomBytes(32).toString('base64url'),
      )),
  };
  // Every change the dashboard shows is announced on GET /__admin/events, from every instance.
  const events = createAdminEvents();
  const unsubscribe = store.changes.subscribe((change) => events.publish(change));
  const metrics = createMetrics();
  const engineLoad = engine.load?.bind(engine);
  if (engineLoad) metrics.watchEngineLoad(engineLoad);
  const scenarios = createScenarioService({ catalogue: loadScenarioCatalogue(config.scenariosDir), store });
  // Committed fixture images keep their declared results under every engine (the README's walk-through).
  const declaredFixture = createDeclaredFixtureResult();
  const thresholdsFor = (partnerId: string) => partners.get(partnerId)?.thresholds ?? DEFAULT_THRESHOLDS;
  const submissions = countFinishedFlows(store.submissions, metrics);

  const deps: FlowDeps = {
    store: { ...store, submissions },
    // Timed as a whole, so the histogram counts what scored each submission (scenario, fixture or engine).
    engineFor: (submission) =>
      timeScoring(
        engineForSubmission(
          engine,
          scenarios.of(submission),
          thresholdsFor(submission.partnerId),
          declaredFixture,
        ),
        metrics,
      ),
    engineName: engine.name,
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
    thresholdsFor,
    defaultCallbackUrl: (partnerId) => partners.get(partnerId)?.callbackUrl ?? null,
    webhookSecretFor: (partnerId) => partners.get(partnerId)?.webhookSecret,
    clocks,
    chooseScenario: (request) => scenarios.choose(request),
    scenarioOf: (submission) => scenarios.of(submission),
    newCorrelationId: randomUUID,
    newWebhookId,
    uploadUrlTtlSeconds: config.bucket.uploadUrlTtlSeconds,
    processingDelayMs: config.processing.delayMs,
    callbacks: {
      retryScheduleMs: config.callbacks.retryScheduleMs,
      timeoutMs: config.callbacks.timeoutMs,
      checkTarget: checkCallbackTarget(config.callbacks.timeoutMs),
    },
    onError: reportFlowError(log),
  };

  let sweeping: Promise<void> | undefined;
  const sweep = () => {
    sweeping ??= store
      .sweepExpired()
      .then(
        ({ images, submissions: expired, answers }) => {
          if (images + expired + answers > 0)
            log.info(
              `retention: deleted ${images} image(s), ${expired} submission(s), ${answers} stored answer(s)`,
            );
        },
        (error: unknown) =>
          log.warn(`retention sweep failed (tried again later): ${(error as Error).message}`),
      )
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  };
  // Unref'd: the sweep must never be what keeps a process (or a test run) alive.
  const sweeper = setInterval(() => void sweep(), config.retention.sweepIntervalSeconds * 1000);
  sweeper.unref();
  let draining = false;
  const openApiDocument = parseYaml(readFileSync(OPENAPI_PATH, 'utf8')) as object;
  const advance = (correlationId: string) => advanceSubmission(deps, correlationId);

  const control: ControlServices = {
    partners,
    scenarios,
    clocks,
    store: { submissions, deliveries: store.deliveries },
    advance,
    redeliver: (webhookId) => redeliverCallback(deps, webhookId),
    defaultPartnerId: partners.has('demo') ? 'demo' : ([...partners.keys()][0] ?? 'demo'),
    providerStates: composeProviderStates({
      store,
      partnerExists: (clientId) => partners.has(clientId),
      start: (partnerId, request, prefer) => startSubmission(deps, partnerId, request, { prefer }),
      confirm: (partnerId, correlationId) => confirmSubmission(deps, partnerId, correlationId),
      advance,
    }),
    reset: (partnerId) => store.reset(partnerId ?? null),
  };

  const services: AppServices = {
    // The document parsed once: a second YAML parse by Prism's loader cost start-up time.
    contract: await loadContractValidator(openApiDocument),
    openApiDocument,
    publicUrl,
    // Presigned upload URLs name the public URL, which a browser may reach under another origin.
    dashboard: { dir: DASHBOARD_DIR, uploadOrigin: new URL(publicUrl).origin },
    bucketRouter: createBucketRouter({
      store: uploadedImages(submissions),
      credentials: bucketCredentials,
      maxObjectBytes: config.bucket.maxObjectBytes,
      bodyIdleTimeoutMs: config.connections.bodyIdleTimeoutSeconds * 1000,
      canWrite: (key) => awaitsUpload(submissions, key),
      nowFor: async (key) => {
        const owner = await uploadOwner(submissions, key);
        return owner ? clocks.now(owner.partnerId) : now();
      },
      onError: (error) => log.error('bucket request failed', error),
    }),
    tokens,
    submissions: {
      start: (partnerId, request, options) => startSubmission(deps, partnerId, request, options),
      reissueUploads: (partnerId, correlationId, imageTypes) =>
        reissueUploads(deps, partnerId, correlationId, imageTypes),
      confirm: (partnerId, correlationId) => confirmSubmission(deps, partnerId, correlationId),
      find: async (partnerId, correlationId) => visibleTo(await submissions.get(correlationId), partnerId),
      poll: (partnerId, correlationId) => pollSubmission(deps, partnerId, correlationId),
      callbackDeliveries: (correlationId) => store.deliveries.list({ correlationId }),
    },
    scenarios,
    modules: {
      facematch: (partnerId, pairs, prefer) =>
        runFacematchModule(
          {
            engine: timeScoring(engine, metrics),
            declaredFixture,
            catalogue: scenarios.catalogue,
            thresholdsFor,
            onError: deps.onError,
          },
          partnerId,
          pairs,
          prefer,
        ),
    },
    validateCallbackUrl: (url) => admitCallbackUrl(url, checkAtSubmission),
    idempotency: store.idempotency,
    now,
    version: VERSION,
    async health() {
      const reachable = await store.ping().then(
        () => true,
        (error: unknown) => {
          if (!(error instanceof StorageError)) throw error;
          return false;
        },
      );
      return {
        status: draining ? 'draining' : reachable ? 'ok' : 'unavailable',
        engine: engine.name,
        version: VERSION,
        store: store.kind,
        role: config.role,
      };
    },
    admin: await composeAdmin({
      config,
      publicUrl,
      partners,
      journal: store.journal,
      events,
      metrics,
      control,
      verifyPartnerToken: tokens.verify,
    }),
    objectOwner: (key) => uploadOwner(submissions, key),
    settings: {
      maxJsonBytes: config.maxJsonBytes,
      moduleMaxBodyBytes: config.modules.maxBodyBytes ?? defaultModuleBodyBytes(config.bucket.maxObjectBytes),
      maxImageBytes: config.bucket.maxObjectBytes,
      retryAfterSeconds: config.processing.retryAfterSeconds,
      validateResponses: config.validateResponses,
      cors: config.cors,
    },
    log,
  };

  return {
    services,
    engine,
    store,
    sweepExpired: sweep,
    clocks,
    scenarios,
    advance,
    async startWork() {
      await sweep();
      await store.work.start(
        {
          // A job, like a request, reads its partner's clock once.
          process: (correlationId, signal) =>
            clocks.readOnce(() => processSubmission(deps, correlationId, signal)),
          deliver: (webhookId, signal) =>
            clocks.readOnce(() =>
              attemptDelivery(deps, webhookId, signal, (attempt) =>
                metrics.callbackAttempt(
                  attempt.ok ? 'delivered' : attempt.statusCode ? 'rejected' : 'unreachable',
                ),
              ),
            ),
        },
        {
          processConcurrency: processingConcurrency(config.processing.concurrency, engine.capacity),
          deliverConcurrency: DELIVERY_CONCURRENCY,
        },
      );
    },
    idle: () => store.work.idle(),
    async drain(until) {
      draining = true;
      // Open event streams end first: they would otherwise hold their connections (and the drain) open.
      events.close();
      await store.work.drain(until);
    },
    async close() {
      unsubscribe();
      events.close();
      clearInterval(sweeper);
      await sweeping;
      await store.close();
      await engine.close();
    },
  };
}
