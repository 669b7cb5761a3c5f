import express, { type Router } from 'express';
import type { CallbackDeliveryRecord } from '../../domain/CallbackDelivery.ts';
import type { Submission } from '../../domain/Submission.ts';
import { IMAGE_ROLES } from '../../domain/Submission.ts';
import { ProblemError } from '../../http/ProblemError.ts';
import { partnerMatchResult } from '../../http/partnerMatchResult.ts';
import { appliedThresholds } from '../appliedThresholds.ts';
import type { ControlServices } from '../ControlServices.ts';
import { findVisibleSubmission, partnerFilter, submissionNotFound } from '../callerScope.ts';
import { engineAnalysis } from '../engineAnalysis.ts';

/**
 * Every partner's submissions as the mock holds them — scenario, result,
 * images and callback deliveries included — and the way out of `stuck`.
 * A partner sees and advances its own only (callerScope.ts).
 */
export function submissionAdminRoutes(control: ControlServices): Router {
  const router = express.Router();
  const { submissions } = control.store;

  router.get('/submissions', async (req, res) => {
    const { partner, status, scenario, correlationId, referenceId } = req.query as Record<
      string,
      string | undefined
    >;
    const partnerId = partnerFilter(res, partner);
    if (partnerId === null) return void res.json({ submissions: [] });
    // The admin document has checked limit (1…1000) and status; query values arrive as strings.
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    const found = await submissions.list({
      ...(partnerId === undefined ? {} : { partnerId }),
      ...(status === undefined ? {} : { status: status as Submission['status'] }),
      ...(scenario === undefined ? {} : { scenario }),
      ...(correlationId === undefined ? {} : { correlationId }),
      ...(referenceId === undefined ? {} : { referenceId }),
      limit,
    });
    res.json({ submissions: found.map(summary) });
  });

  router.get('/submissions/:correlationId', async (req, res) => {
    const submission = await findVisibleSubmission(res, control, req.params.correlationId as string);
    res.json(await detailed(control, submission));
  });

  router.get('/submissions/:correlationId/images/:imageType', async (req, res) => {
    const submission = await findVisibleSubmission(res, control, req.params.correlationId as string);
    const role = req.params.imageType as string;
    if (!(IMAGE_ROLES as readonly string[]).includes(role)) {
      throw new ProblemError('validation-failed', {
        errors: [{ location: 'path', field: 'imageType', message: 'must be SELFIE or DOCUMENT' }],
      });
    }
    const object = await submissions.image(submission.correlationId, role as 'SELFIE');
    if (!object) {
      throw new ProblemError('image-not-found', {
        detail: `No ${role} image has been uploaded for this submission.`,
      });
    }
    // Whatever the partner uploaded is served as opaque bytes: never sniffed, never run as HTML.
    res
      .status(200)
      .set({
        'Content-Type': /^image\/(jpeg|png|webp|jp2)$/.test(object.contentType)
          ? object.contentType
          : 'application/octet-stream',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'",
        'Cache-Control': 'no-store',
        ETag: object.etag,
      })
      .end(object.bytes);
  });

  router.post('/submissions/:correlationId/advance', async (req, res) => {
    const correlationId = req.params.correlationId as string;
    await findVisibleSubmission(res, control, correlationId);
    const answer = await control.advance(correlationId);
    if (answer.kind === 'not-found') throw submissionNotFound(correlationId);
    if (answer.kind === 'not-processing') {
      throw new ProblemError('not-processing', {
        detail: `Submission ${correlationId} is ${answer.submission.status}; only a PROCESSING submission can be advanced.`,
      });
    }
    res.json(await detailed(control, answer.submission));
  });

  return router;
}

function summary(s: Submission) {
  return {
    correlationId: s.correlationId,
    partnerId: s.partnerId,
    referenceId: s.referenceId,
    documentType: s.documentType,
    status: s.status,
    scenario: s.scenario ?? null,
    score: s.result?.score ?? null,
    outcome: s.result?.outcome ?? null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

async function detailed(control: ControlServices, s: Submission) {
  const images = await Promise.all(
    IMAGE_ROLES.map(async (role) => {
      const meta = await control.store.submissions.imageMeta(s.correlationId, role);
      return {
        imageType: role,
        uploaded: meta !== null,
        contentType: meta?.contentType ?? null,
        size: meta?.size ?? null,
        etag: meta?.etag ?? null,
        href: `/__admin/submissions/${s.correlationId}/images/${role}`,
      };
    }),
  );
  const deliveries = await control.store.deliveries.list({ correlationId: s.correlationId });
  return {
    ...summary(s),
    callbackUrl: s.callbackUrl,
    contentTypes: s.contentTypes,
    confirmedAt: s.confirmedAt,
    completedAt: s.completedAt,
    result: partnerMatchResult(s.result),
    thresholds: appliedThresholds(s, control.partners.get(s.partnerId)?.thresholds),
    analysis: engineAnalysis(s.result),
    images,
    callbacks: deliveries.map(deliveryBody),
  };
}

export function deliveryBody(r: CallbackDeliveryRecord) {
  return {
    webhookId: r.id,
    correlationId: r.correlationId,
    partnerId: r.partnerId,
    url: r.url,
    state: r.state,
    createdAt: r.createdAt,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt ?? null,
    failureReason: r.failureReason ?? null,
    body: r.body,
  };
}
