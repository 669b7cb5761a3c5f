import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ControlServices } from '../admin/ControlServices.ts';
import { createAdminEvents } from '../admin/events/AdminEvents.ts';
import { watchJournal } from '../admin/events/watchJournal.ts';
import { watchSubmissions } from '../admin/events/watchSubmissions.ts';
import { watchUploads } from '../admin/events/watchUploads.ts';
import { resetState } from '../admin/resetState.ts';
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
import { createRequestJournal } from '../journal/RequestJournal.ts';
import { countFinishedFlows } from '../metrics/countFinishedFlows.ts';
import { createMetrics } from '../metrics/createMetrics.ts';
import { timeScoring } from '../metrics/timeScoring.ts';
import { defaultModuleBodyBytes } from '../modules/defaultModuleBodyBytes.ts';
import { runFacematchModule } from '../modules/runFacematchModule.ts';
import { createScenarioQueue } from '../scenarios/createScenarioQueue.ts';
import { createScenarioRuntime } from '../scenarios/createScenarioRuntime.ts';
import { createScenarioService, type ScenarioService } from '../scenarios/createScenarioService.ts';
import { engineForSubmission } from '../scenarios/engineForSubmission.ts';
import { loadScenarioCatalogue } from '../scenarios/ScenarioCatalogue.ts';
import { createDeclaredFixtureResult } from '../scoring/fixture/declaredFixtureResult.ts';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';
import { acceptsUpload, uploadOwner } from '../submissions/acceptsUpload.ts';
import { type AdvanceAnswer, advanceSubmission } from '../submissions/advanceSubmission.ts';
import { confirmSubmission } from '../submissions/confirmSubmission.ts';
import { createProcessingQueue } from '../submissions/createProcessingQueue.ts';
import type { FlowDeps } from '../submissions/FlowDeps.ts';
import { pollSubmission } from '../submissions/pollSubmission.ts';
import { processingConcurrency } from '../submissions/processingConcurrency.ts';
import { processSubmission } from '../submissions/processSubmission.ts';
import { reissueUploads } from '../submissions/reissueUploads.ts';
import { resumeSubmissions } from '../submissions/resumeSubmissions.ts';
import { startSubmission } from '../submissions/startSubmission.ts';
import { uploadKey } from '../submissions/uploadKey.ts';
import { createPartnerClocks, type PartnerClocks } from '../time/createPartnerClocks.ts';
import { bucketSecret } from './bucketSecret.ts';
import { composeAdmin } from './composeAdmin.ts';
import { composeProviderStates } from './composeProviderStates.ts';
import { createStores } from './createStores.ts';
import { createTokenService } from './createTokenService.ts';
import { defaultPublicUrl } from './defaultPublicUrl.ts';
import { DASHBOARD_DIR, OPENAPI_PATH, VERSION } from './projectFiles.ts';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface ComposedServer {
  services: AppServices;
  engine: ScoringEngine;
  clocks: PartnerClocks;
  scenarios: ScenarioService;
  /** Ends processing of a submission now (a `stuck` scenario's way out). */
  advance(correlationId: string): Promise<AdvanceAnswer>;
  /** Picks up work a previous process left unfinished (with a data directory). */
  resume(): Promise<{ submissions: number; callbacks: number }>;
  /** Resolves when no scoring job or callback attempt is running or scheduled. */
  idle(): Promise<void>;
  /** One retention sweep now (a timer runs one every `retention.sweepIntervalSeconds` too). */
  sweepExpired(): Promise<void>;
  /**
   * Graceful shutdown, first step: readiness turns to 503 at once, queued and
   * running jobs finish, callback attempts on the wire complete and are
   * recorded, retries stay pending in the callback log. Resolves when no job or
   * attempt is running; `close()` then stops whatever the drain time cut short.
   */
  drain(): Promise<void>;
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
  /** Wall time under the partner clocks; tests pass a settable one. */
  now: () => Date = () => new Date(),
): Promise<ComposedServer> {
  const publicUrl = (config.publicUrl ?? defaultPublicUrl(config.host, config.port)).replace(/\/+$/, '');
  const issuer = config.tokens.issuer ?? publicUrl;
  const partners = new Map<string, Partner>(config.partners.map((p) => [p.clientId, p]));
  const dataDir = config.dataDir;
  const clocks = createPartnerClocks({ frozen: config.clock === 'frozen', wallNow: () => now().getTime() });
  const clockFor = (partnerId: string) => clocks.for(partnerId);

  const tokens = await createTokenService({
    partners,
    issuer,
    audience: config.tokens.audience,
    dataDir,
    clockFor,
  });
  const bucketCredentials = {
    accessKeyId: config.bucket.accessKeyId,
    secret: bucketSecret(config.bucket.signingSecret, dataDir),
  };
  const stores = createStores(dataDir, log.warn, now, config.retention);
  const { idempotency, callbackLog, sweepExpired } = stores;
  // Every change the dashboard shows is announced on GET /__admin/events, from these watchers.
  const events = createAdminEvents();
  const submissions = watchSubmissions(stores.submissions, events.publish);
  const objects = watchUploads(stores.objects, (key) => uploadOwner(submissions, key), events.publish);
  const metrics = createMetrics();
  const engineLoad = engine.load?.bind(engine);
  if (engineLoad) metrics.watchEngineLoad(engineLoad);
  const journal = watchJournal(createRequestJournal(config.admin.journalSize), events.publish);
  const dispatcher = createCallbackDispatcher({
    retrySchedule: config.callbacks.retryScheduleMs,
    timeoutMs: config.callbacks.timeoutMs,
    log: callbackLog,
    secretFor: (partnerId) => partners.get(partnerId)?.webhookSecret,
    clockFor,
    warn: log.warn,
    onAttempt: (attempt, record) => {
      metrics.callbackAttempt(attempt.ok ? 'delivered' : attempt.statusCode ? 'rejected' : 'unreachable');
      events.publish({
        kind: 'callback-attempt',
        correlationId: record.correlationId,
        partnerId: record.partnerId,
        webhookId: record.id,
      });
    },
  });
  const scenarios = createScenarioService({
    catalogue: loadScenarioCatalogue(config.scenariosDir),
    queue: createScenarioQueue(),
    runtime: createScenarioRuntime(),
    submissions,
  });
  // Committed fixture images keep their declared results under every engine (the README's walk-through).
  const declaredFixture = createDeclaredFixtureResult();
  const thresholdsFor = (partnerId: string) => partners.get(partnerId)?.thresholds ?? DEFAULT_THRESHOLDS;

  const deps: FlowDeps = {
    submissions: countFinishedFlows(submissions, metrics),
    objects,
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
    clockFor,
    chooseScenario: (request) => scenarios.choose(request),
    scenarioOf: (submission) => scenarios.of(submission),
    scenarioRuntime: scenarios.runtime,
    callbacks: {
      deliveryCount: async (correlationId) => (await dispatcher.deliveries(correlationId)).length,
      async dispatch({ submission, url, failAttempts, duplicates }) {
        const partner = partners.get(submission.partnerId);
        if (!partner) return;
        await dispatcher.dispatch({
          correlationId: submission.correlationId,
          partnerId: partner.clientId,
          url,
          secret: partner.webhookSecret,
          event: completionEvent({ ...submission, at: clockFor(partner.clientId).now() }),
          ...(failAttempts !== undefined || duplicates !== undefined
            ? {
                forced: {
                  ...(failAttempts !== undefined ? { failAttempts } : {}),
                  ...(duplicates ? { duplicates } : {}),
                },
              }
            : {}),
        });
      },
    },
    newCorrelationId: randomUUID,
    uploadUrlTtlSeconds: config.bucket.uploadUrlTtlSeconds,
    processingDelayMs: config.processing.delayMs,
    onError: (context, error) => log.error(context, error),
  };
  const queue = createProcessingQueue(
    (id, signal) => processSubmission(deps, id, signal),
    processingConcurrency(config.processing.concurrency, engine.capacity),
  );
  let sweeping: Promise<void> | undefined;
  const sweep = () => {
    sweeping ??= sweepExpired(uploadKey)
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

  const control: ControlServices = {
    partners,
    scenarios,
    clocks,
    submissions,
    objects,
    callbacks: dispatcher,
    advance: (correlationId) => advanceSubmission(deps, queue, correlationId),
    defaultPartnerId: partners.has('demo') ? 'demo' : ([...partners.keys()][0] ?? 'demo'),
    providerStates: composeProviderStates({
      partnerExists: (clientId) => partners.has(clientId),
      start: (partnerId, request, prefer) => startSubmission(deps, partnerId, request, { prefer }),
      objects,
      confirm: (partnerId, correlationId) => confirmSubmission(deps, queue, partnerId, correlationId),
      advance: (correlationId) => advanceSubmission(deps, queue, correlationId),
    }),
    reset: (partnerId) =>
      resetState(
        {
          partnerIds: () => [...partners.keys()],
          submissions,
          objects,
          idempotency,
          callbacks: dispatcher,
          scenarios,
          clocks,
          journal,
        },
        partnerId,
      ),
  };

  const services: AppServices = {
    // The document parsed once: a second YAML parse by Prism's loader cost start-up time.
    contract: await loadContractValidator(openApiDocument),
    openApiDocument,
    // Presigned upload URLs name the public URL, which a browser may reach under another origin.
    dashboard: { dir: DASHBOARD_DIR, uploadOrigin: new URL(publicUrl).origin },
    bucketRouter: createBucketRouter({
      store: objects,
      credentials: bucketCredentials,
      maxObjectBytes: config.bucket.maxObjectBytes,
      canWrite: (key) => acceptsUpload(submissions, key),
      nowFor: (key) => {
        const owner = uploadOwner(submissions, key);
        return owner ? clockFor(owner.partnerId).now() : now();
      },
    }),
    tokens,
    submissions: {
      start: (partnerId, request, options) => startSubmission(deps, partnerId, request, options),
      reissueUploads: (partnerId, correlationId, imageTypes) =>
        reissueUploads(deps, partnerId, correlationId, imageTypes),
      confirm: (partnerId, correlationId) => confirmSubmission(deps, queue, partnerId, correlationId),
      find: (partnerId, correlationId) => visibleTo(submissions.get(correlationId), partnerId),
      poll: (partnerId, correlationId) => pollSubmission(deps, queue, partnerId, correlationId),
      callbackDeliveries: (correlationId) => dispatcher.deliveries(correlationId),
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
    validateCallbackUrl: (url) => {
      const result = validateCallbackUrl(url);
      return result.ok ? null : result.message;
    },
    idempotency,
    now,
    health: () => ({ status: draining ? 'draining' : 'ok', engine: engine.name, version: VERSION }),
    admin: await composeAdmin({ config, partners, journal, events, metrics, control }),
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
    sweepExpired: sweep,
    clocks,
    scenarios,
    advance: (correlationId) => advanceSubmission(deps, queue, correlationId),
    async resume() {
      await sweep();
      const callbacks = await dispatcher.resumePending();
      return { submissions: await resumeSubmissions(deps, queue), callbacks };
    },
    async idle() {
      // Processing waits on the partner clocks before it reaches the queue, then hands callbacks on.
      await clocks.idle();
      await queue.idle();
      await dispatcher.idle();
    },
    async drain() {
      draining = true;
      // Open event streams end first: they would otherwise hold their connections (and the drain) open.
      events.close();
      const attempts = dispatcher.drain();
      await queue.idle();
      await attempts;
      await dispatcher.idle();
    },
    async close() {
      events.close();
      clearInterval(sweeper);
      await sweeping;
      clocks.clear();
      await queue.close();
      await dispatcher.close();
      await engine.close();
    },
  };
}
