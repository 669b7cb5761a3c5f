import express, { type Router } from 'express';
import { IMAGE_ROLES } from '../../domain/Submission.ts';
import type { AdminServices } from '../AdminServices.ts';
import { findVisibleSubmission, partnerFilter } from '../callerScope.ts';
import type { components } from '../generated/admin.ts';
import { submissionTimeline } from '../submissionTimeline.ts';

/** A submission's history in one list: the record, the bucket, the callback log and the journal. */
export function timelineRoutes(admin: AdminServices): Router {
  const router = express.Router();
  const { control } = admin;
  router.get('/__admin/submissions/:correlationId/timeline', async (req, res) => {
    const correlationId = req.params.correlationId as string;
    const submission = await findVisibleSubmission(res, control, correlationId);
    // A partner's timeline shows its own requests only, not another partner's tries at the same id.
    const partnerId = partnerFilter(res, undefined);
    const [selfie, document] = await Promise.all(
      IMAGE_ROLES.map((role) => control.store.submissions.imageMeta(correlationId, role)),
    );
    const body: components['schemas']['SubmissionTimeline'] = {
      correlationId,
      partnerId: submission.partnerId,
      events: submissionTimeline({
        submission,
        uploads: { SELFIE: selfie ?? null, DOCUMENT: document ?? null },
        deliveries: await control.store.deliveries.list({ correlationId }),
        journal: await admin.journal.list({ correlationId, ...(partnerId ? { partnerId } : {}) }),
      }),
    };
    res.set('Cache-Control', 'no-store').json(body);
  });
  return router;
}
