import type { Outcome } from '../domain/outcome.ts';
import type { ImageContentType } from '../domain/Submission.ts';
import type { ImageRole } from '../scoring/ScoringEngine.ts';
import type { ConfirmAnswer } from '../store/SandboxStore.ts';
import type { AdvanceAnswer } from '../submissions/advanceSubmission.ts';
import type { StartAnswer, StartRequest } from '../submissions/startSubmission.ts';

/**
 * The provider states our Pact contracts (and a partner's own pacts) may name. The names are public
 * contract: partners write them into their pacts, so they never change once shipped.
 */
export const PROVIDER_STATES = [
  {
    name: 'a partner with valid credentials',
    description: 'The partner exists; its client credentials get a token. Creates nothing.',
    params: {},
    returns: ['clientId'],
  },
  {
    name: 'a submission awaiting upload',
    description:
      'A new submission of the partner, status AWAITING_UPLOAD. With `uploaded: true` both images are in the bucket (ready to confirm); with `scenario` that scenario governs it (e.g. confirm-429, upload-url-expired).',
    params: {
      scenario: 'optional; any scenario name (GET /__admin/scenarios)',
      uploaded: 'optional; true to upload both images',
    },
    returns: [
      'correlationId',
      'accessKeyId',
      'selfieUploadPath',
      'selfieExpires',
      'selfieSignature',
      'documentUploadPath',
      'documentExpires',
      'documentSignature',
    ],
  },
  {
    name: 'a completed submission',
    description: 'A submission of the partner that has finished with this outcome (status COMPLETED).',
    params: { outcome: 'Success, Review, Fail or ERROR' },
    returns: ['correlationId'],
  },
  {
    name: 'a failed submission',
    description:
      'A submission of the partner whose processing failed: status FAILED, ERROR, reason ENGINE_ERROR.',
    params: {},
    returns: ['correlationId'],
  },
] as const;

export type ProviderStateName = (typeof PROVIDER_STATES)[number]['name'];

/** The scenario that produces each outcome a completed submission can have. */
const SCENARIO_FOR_OUTCOME: Record<Outcome, string> = {
  Success: 'success',
  Review: 'review',
  Fail: 'fail',
  ERROR: 'error',
};

export interface ProviderStateDeps {
  partnerExists(clientId: string): boolean;
  start(partnerId: string, request: StartRequest, prefer: string | undefined): Promise<StartAnswer>;
  storeImage(correlationId: string, role: ImageRole, bytes: Buffer, contentType: string): Promise<void>;
  confirm(partnerId: string, correlationId: string): Promise<ConfirmAnswer>;
  advance(correlationId: string): Promise<AdvanceAnswer>;
  /** Images whose declared results hold under every engine, so the scenario alone decides. */
  images(): Promise<Record<ImageRole, { bytes: Buffer; contentType: ImageContentType }>>;
}

export type ProviderStateAnswer =
  | { kind: 'set-up'; values: Record<string, string> }
  | { kind: 'unknown-state'; known: string[] }
  | { kind: 'unknown-partner' }
  | { kind: 'bad-param'; field: string; message: string };

/**
 * Sets a state up for one partner with the flow itself — start, upload, confirm, advance — and the
 * scenario that yields what the state promises; nothing is written around the flow's rules.
 */
export async function setUpProviderState(
  deps: ProviderStateDeps,
  partnerId: string,
  state: string,
  params: Record<string, unknown>,
): Promise<ProviderStateAnswer> {
  if (!PROVIDER_STATES.some((s) => s.name === state)) {
    return { kind: 'unknown-state', known: PROVIDER_STATES.map((s) => s.name) };
  }
  if (!deps.partnerExists(partnerId)) return { kind: 'unknown-partner' };
  switch (state as ProviderStateName) {
    case 'a partner with valid credentials':
      return { kind: 'set-up', values: { clientId: partnerId } };
    case 'a submission awaiting upload': {
      const { scenario, uploaded } = params;
      if (scenario !== undefined && typeof scenario !== 'string') {
        return { kind: 'bad-param', field: 'scenario', message: 'must be a scenario name' };
      }
      if (uploaded !== undefined && typeof uploaded !== 'boolean') {
        return { kind: 'bad-param', field: 'uploaded', message: 'must be true or false' };
      }
      return awaitingUpload(deps, partnerId, scenario, uploaded === true);
    }
    case 'a completed submission': {
      const outcome = params.outcome;
      if (typeof outcome !== 'string' || !(outcome in SCENARIO_FOR_OUTCOME)) {
        return { kind: 'bad-param', field: 'outcome', message: 'must be Success, Review, Fail or ERROR' };
      }
      return finished(deps, partnerId, SCENARIO_FOR_OUTCOME[outcome as Outcome]);
    }
    case 'a failed submission':
      return finished(deps, partnerId, 'failed');
  }
}

async function awaitingUpload(
  deps: ProviderStateDeps,
  partnerId: string,
  scenario: string | undefined,
  uploaded: boolean,
): Promise<ProviderStateAnswer> {
  const images = await deps.images();
  const started = await deps.start(
    partnerId,
    { selfieContentType: images.SELFIE.contentType, documentContentType: images.DOCUMENT.contentType },
    scenario ? `scenario=${scenario}` : undefined,
  );
  if (started.kind === 'unknown-scenario') {
    return { kind: 'bad-param', field: 'scenario', message: `known: ${started.known.join(', ')}` };
  }
  const { correlationId } = started.submission;
  if (uploaded) {
    for (const role of ['SELFIE', 'DOCUMENT'] as const) {
      await deps.storeImage(correlationId, role, images[role].bytes, images[role].contentType);
    }
  }
  const values: Record<string, string> = { correlationId };
  for (const upload of started.uploads) {
    const url = new URL(upload.url);
    const prefix = upload.imageType === 'SELFIE' ? 'selfie' : 'document';
    values[`${prefix}UploadPath`] = url.pathname;
    values[`${prefix}Expires`] = url.searchParams.get('Expires') ?? '';
    values[`${prefix}Signature`] = url.searchParams.get('Signature') ?? '';
    values.accessKeyId = url.searchParams.get('OSSAccessKeyId') ?? '';
  }
  return { kind: 'set-up', values };
}

async function finished(
  deps: ProviderStateDeps,
  partnerId: string,
  scenario: string,
): Promise<ProviderStateAnswer> {
  const ready = await awaitingUpload(deps, partnerId, scenario, true);
  if (ready.kind !== 'set-up') return ready;
  const correlationId = ready.values.correlationId as string;
  const confirmed = await deps.confirm(partnerId, correlationId);
  if (confirmed.kind !== 'started') throw new Error(`provider state: confirm answered ${confirmed.kind}`);
  const advanced = await deps.advance(correlationId);
  if (advanced.kind === 'not-found') throw new Error('provider state: the submission vanished');
  return { kind: 'set-up', values: { correlationId } };
}
