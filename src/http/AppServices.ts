import type { Router } from 'express';
import type { AdminServices } from '../admin/AdminServices.ts';
import type { Partner } from '../auth/Partner.ts';
import type { CallbackDeliveryRecord } from '../domain/CallbackDelivery.ts';
import type { Submission } from '../domain/Submission.ts';
import type { FacematchModuleAnswer } from '../modules/runFacematchModule.ts';
import type { BiometricPair } from '../modules/scoreFacematchModule.ts';
import type { ScenarioService } from '../scenarios/createScenarioService.ts';
import type { ConfirmAnswer, IdempotencyStore } from '../store/SandboxStore.ts';
import type { ReissueAnswer } from '../submissions/reissueUploads.ts';
import type { StartAnswer, StartRequest } from '../submissions/startSubmission.ts';
import type { ContractValidator } from './contractValidator.ts';

/** What the HTTP adapter needs, built by the composition root (src/app/). */
export interface AppServices {
  contract: ContractValidator;
  openApiDocument: unknown;
  /** The URL handed out to partners, without a final slash: the served document names it. */
  publicUrl: string;
  /** The dashboard: its built files (index.html, assets/), served at /ui, and where its uploads go. */
  dashboard: { dir: string; uploadOrigin: string };
  bucketRouter: Router;
  tokens: {
    findPartner(clientId: string): Partner | undefined;
    issue(
      partner: Partner,
      scope?: string,
    ): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }>;
    /** The partner a bearer token speaks for, or why it cannot be accepted. */
    verify(token: string): Promise<
      | { ok: true; partner: Partner }
      /** `expiredFor`: the client of a genuine token that has only expired. */
      | { ok: false; description: string; expiredFor?: string }
    >;
    jwks(): unknown;
  };
  submissions: {
    start(
      partnerId: string,
      request: StartRequest,
      options: { prefer?: string | undefined },
    ): Promise<StartAnswer>;
    reissueUploads(
      partnerId: string,
      correlationId: string,
      imageTypes?: Array<'SELFIE' | 'DOCUMENT'>,
    ): Promise<ReissueAnswer>;
    confirm(partnerId: string, correlationId: string): Promise<ConfirmAnswer>;
    find(partnerId: string, correlationId: string): Promise<Submission | undefined>;
    /** A status poll: like find, but a scenario that completes after N polls counts it. */
    poll(partnerId: string, correlationId: string): Promise<Submission | undefined>;
    callbackDeliveries(correlationId: string): Promise<CallbackDeliveryRecord[]>;
  };
  scenarios: Pick<ScenarioService, 'inForce' | 'takeFault'>;
  modules: {
    /** The synchronous Facematch module, with the partner's thresholds. */
    facematch(
      partnerId: string,
      pairs: BiometricPair[],
      prefer: string | undefined,
    ): Promise<FacematchModuleAnswer>;
  };
  /** Why a submission's callbackUrl is refused (its shape, or the callback policy), or null. */
  validateCallbackUrl(url: unknown): Promise<string | null>;
  /** The one clock: idempotency timestamps and retention use it, so tests can move time. */
  now(): Date;
  idempotency: IdempotencyStore;
  /** The operator API at /__admin and /metrics, and the journal and metrics every request feeds. */
  admin: AdminServices;
  /** The submission a bucket object belongs to, so the journal can attribute uploads. */
  objectOwner(key: string): Promise<{ correlationId: string; partnerId: string } | undefined>;
  /** This server's version (package.json). */
  version: string;
  /**
   * `draining` once a shutdown began, `unavailable` while the store cannot be reached: a load
   * balancer should send new work elsewhere.
   */
  health(): Promise<{
    status: 'ok' | 'draining' | 'unavailable';
    engine: string;
    version: string;
    store: 'memory' | 'directory' | 'postgres';
    role: 'all' | 'api' | 'worker';
  }>;
  settings: {
    maxJsonBytes: number;
    /** Body limit of the Facematch module, which takes its images inline. */
    moduleMaxBodyBytes: number;
    /** Largest decoded image the module takes; the bucket's object limit. */
    maxImageBytes: number;
    retryAfterSeconds: number;
    validateResponses: 'off' | 'log' | 'enforce';
    cors: { apiOrigins: readonly string[]; bucketOrigins: readonly string[] };
  };
  log: {
    info(message: string): void;
    warn(message: string): void;
    error(message: string, error?: unknown): void;
  };
}
