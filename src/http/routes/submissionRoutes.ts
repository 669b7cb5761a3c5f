import express, { type Request, type Response, type Router } from 'express';
import type { Partner } from '../../auth/Partner.ts';
import type { Submission } from '../../domain/Submission.ts';
import type { PresignedUpload } from '../../submissions/FlowDeps.ts';
import type { StartRequest } from '../../submissions/startSubmission.ts';
import type { AppServices } from '../AppServices.ts';
import type { components } from '../generated/openapi.ts';
import { type Answer, createIdempotencyGuard } from '../idempotency.ts';
import { ProblemError } from '../ProblemError.ts';
import { partnerCallbackAttempt } from '../partnerCallbackAttempt.ts';
import { partnerMatchResult } from '../partnerMatchResult.ts';
import { requireBearer } from '../requireBearer.ts';
import { SCENARIO_HEADER, scenarioFaults } from '../scenarioFaults.ts';

type Schemas = components['schemas'];

export function submissionRoutes(services: AppServices): Router {
  const router = express.Router();
  const idempotent = createIdempotencyGuard(services.idempotency, {
    now: services.now,
    onStoreFailure: (error) => services.log.error('could not store an Idempotency-Key answer', error),
  });
  const { retryAfterSeconds } = services.settings;
  router.use('/v1/submissions', requireBearer(services.tokens));
  router.use('/v1/submissions/:correlationId', scenarioFaults(services));

  router.post('/v1/submissions', async (req, res) => {
    const request = (req.body ?? {}) as StartRequest;
    if (request.callbackUrl !== undefined) {
      const problem = await services.validateCallbackUrl(request.callbackUrl);
      if (problem) {
        throw new ProblemError('validation-failed', {
          errors: [{ location: 'body', field: '/callbackUrl', message: problem }],
        });
      }
    }
    const answer = await services.submissions.start(partnerOf(res).clientId, request, {
      prefer: req.get('Prefer'),
    });
    if (answer.kind === 'unknown-scenario') {
      const where = answer.field === 'Prefer' ? 'the Prefer header' : 'referenceId (scenario:<name>…)';
      const message = `No scenario "${answer.name}" in ${where}; known: ${answer.known.join(', ')}.`;
      throw new ProblemError('unknown-scenario', {
        detail: message,
        errors: [{ location: answer.field === 'Prefer' ? 'header' : 'body', field: answer.field, message }],
        knownScenarios: answer.known,
      });
    }
    const { submission, uploads } = answer;
    if (submission.scenario) {
      res.set(SCENARIO_HEADER, submission.scenario.name);
      if (submission.scenario.source === 'prefer-header') {
        res.set('Preference-Applied', `scenario=${submission.scenario.name}`);
      }
    }
    const body: Schemas['CreateSubmissionResponse'] = {
      correlationId: submission.correlationId,
      status: 'AWAITING_UPLOAD',
      referenceId: submission.referenceId,
      documentType: submission.documentType,
      uploads: uploads.map(uploadBody),
      createdAt: submission.createdAt,
    };
    res.status(201).location(`/v1/submissions/${submission.correlationId}`).json(body);
  });

  router.post('/v1/submissions/:correlationId/uploads', async (req, res) => {
    const correlationId = req.params.correlationId as string;
    const wanted = (req.body as { imageTypes?: Array<'SELFIE' | 'DOCUMENT'> } | undefined)?.imageTypes;
    const answer = await services.submissions.reissueUploads(partnerOf(res).clientId, correlationId, wanted);
    if (answer.kind === 'not-found') throw notFound(correlationId);
    if (answer.kind === 'already-confirmed') {
      throw new ProblemError('already-confirmed', {
        detail: `Submission ${correlationId} is ${answer.submission.status}; its images can no longer change. Start a new submission to upload other images.`,
      });
    }
    const body: Schemas['ReissuedUploads'] = { correlationId, uploads: answer.uploads.map(uploadBody) };
    res.json(body);
  });

  router.post('/v1/submissions/:correlationId/confirm', async (req, res) => {
    const partnerId = partnerOf(res).clientId;
    const correlationId = req.params.correlationId as string;
    const confirm = async (): Promise<Answer> => {
      const answer = await services.submissions.confirm(partnerId, correlationId);
      if (answer.kind === 'not-found') throw notFound(correlationId);
      if (answer.kind === 'uploads-missing') {
        throw new ProblemError('uploads-missing', {
          detail: `Upload ${answer.missing.join(' and ')} to the presigned URL${answer.missing.length > 1 ? 's' : ''}, then confirm again.`,
          missingImages: answer.missing,
        });
      }
      return {
        status: 202,
        headers: { Location: statusUrl(correlationId), 'Retry-After': String(retryAfterSeconds) },
        body: statusBody(answer.submission),
      };
    };
    const key = req.get('Idempotency-Key');
    const answer = key
      ? await idempotent({ partnerId, key, method: req.method, path: req.path, body: req.body }, confirm)
      : await confirm();
    res.status(answer.status).set(answer.headers).json(answer.body);
  });

  router.get('/v1/submissions/:correlationId/status', async (req, res) => {
    const correlationId = req.params.correlationId as string;
    const submission = await services.submissions.poll(partnerOf(res).clientId, correlationId);
    if (!submission) throw notFound(correlationId);
    if (submission.status === 'PROCESSING') res.set('Retry-After', String(retryAfterSeconds));
    res.json(statusBody(submission));
  });

  router.get('/v1/submissions/:correlationId', async (req, res) => {
    const s = await findOwn(services, req, res);
    const body: Schemas['SubmissionDetails'] = {
      correlationId: s.correlationId,
      referenceId: s.referenceId,
      documentType: s.documentType,
      status: s.status,
      createdAt: s.createdAt,
      confirmedAt: s.confirmedAt,
      completedAt: s.completedAt,
      result: partnerMatchResult(s.result),
    };
    res.json(body);
  });

  router.get('/v1/submissions/:correlationId/callbacks', async (req, res) => {
    const submission = await findOwn(services, req, res);
    const records = await services.submissions.callbackDeliveries(submission.correlationId);
    res.json({
      correlationId: submission.correlationId,
      deliveries: records.map((r) => ({
        webhookId: r.id,
        url: r.url,
        state: r.state,
        attempts: r.attempts.map(partnerCallbackAttempt),
        nextAttemptAt: r.nextAttemptAt ?? null,
      })),
    });
  });

  return router;
}

function uploadBody(u: PresignedUpload): Schemas['PresignedUpload'] {
  return { ...u, headers: { 'Content-Type': u.headers['Content-Type'] as Schemas['ImageContentType'] } };
}

function partnerOf(res: Response): Partner {
  return res.locals.partner as Partner;
}

async function findOwn(services: AppServices, req: Request, res: Response): Promise<Submission> {
  const correlationId = req.params.correlationId as string;
  const submission = await services.submissions.find(partnerOf(res).clientId, correlationId);
  if (!submission) throw notFound(correlationId);
  return submission;
}

function notFound(correlationId: string): ProblemError {
  return new ProblemError('submission-not-found', {
    detail: `No submission ${correlationId} exists for this partner. Use the correlationId returned by POST /v1/submissions.`,
  });
}

function statusUrl(correlationId: string): string {
  return `/v1/submissions/${correlationId}/status`;
}

function statusBody(submission: Submission): Schemas['SubmissionStatus'] {
  return {
    correlationId: submission.correlationId,
    status: submission.status,
    updatedAt: submission.updatedAt,
  };
}
