import { z } from 'zod';

/**
 * The scenario file format: one YAML file per scenario, named `<name>.yaml`.
 * Built-ins live in fixtures/scenarios/ and use exactly this format, so a
 * team's own scenarios (`--scenarios DIR`) can do everything they do.
 * `npm run gen` publishes it as openapi/scenario.schema.json for editors.
 */

/** The partner-visible steps a fault can hit, named after what the partner is doing. */
export const FAULT_STEPS = ['uploads', 'upload', 'confirm', 'status', 'details', 'callbacks'] as const;
export type FaultStep = (typeof FAULT_STEPS)[number];

/** Problems a fault may answer with on API steps; each is documented on every partner operation. */
export const FAULT_PROBLEMS = [
  'rate-limited',
  'service-unavailable',
  'internal-error',
  'invalid-token',
] as const;
/** S3 errors a fault may answer with on the upload step, as a real bucket under load would. */
export const FAULT_S3_ERRORS = ['SlowDown', 'ServiceUnavailable', 'InternalError'] as const;

const REASON_CODES = [
  'NO_FACE_SELFIE',
  'NO_FACE_DOCUMENT',
  'MULTIPLE_FACES',
  'UNREADABLE_IMAGE',
  'LOW_QUALITY_SELFIE',
  'LOW_QUALITY_DOCUMENT',
  'ENGINE_ERROR',
] as const;

const reason = z.strictObject({
  code: z.enum(REASON_CODES).describe('A reason code of the API (Reason.code).'),
  image: z.enum(['SELFIE', 'DOCUMENT']).optional().describe('Which image the reason is about.'),
  message: z.string().min(1).max(500).describe('What the partner reads in the details.'),
});

const result = z
  .strictObject({
    score: z
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe('Exact score; the outcome then follows from the partner thresholds. 0 needs a reason.'),
    outcome: z
      .enum(['Success', 'Review', 'Fail', 'ERROR'])
      .optional()
      .describe("Outcome to produce; the score is chosen inside the partner's band for it."),
    status: z
      .enum(['COMPLETED', 'FAILED'])
      .default('COMPLETED')
      .describe('FAILED: the comparison could not run (score 0, ERROR, ENGINE_ERROR).'),
    reasons: z.array(reason).max(10).default([]),
    message: z.string().min(1).max(500).optional().describe('With status FAILED: the ENGINE_ERROR message.'),
  })
  .superRefine((r, ctx) => {
    if (r.score !== undefined && r.outcome !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'give score or outcome, not both' });
    }
    if (r.status === 'FAILED' && (r.score !== undefined || r.outcome !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: 'a FAILED submission always has score 0 and outcome ERROR; drop score and outcome',
      });
    }
    if (r.status !== 'FAILED' && r.score === undefined && r.outcome === undefined) {
      ctx.addIssue({ code: 'custom', path: ['score'], message: 'give score or outcome (or status: FAILED)' });
    }
    if ((r.score === 0 || r.outcome === 'ERROR') && r.reasons.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['reasons'],
        message: 'score 0 / ERROR means inconclusive and needs at least one reason saying why',
      });
    }
  });

const completion = z
  .strictObject({
    afterPolls: z
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('Processing ends once this many status polls have seen PROCESSING.'),
    afterSeconds: z
      .number()
      .min(0)
      .max(30 * 86_400)
      .optional()
      .describe("Processing ends this long after confirm, on the partner's clock."),
    manual: z
      .boolean()
      .optional()
      .describe('Processing ends only when POST /__admin/submissions/{id}/advance is called.'),
  })
  .superRefine((c, ctx) => {
    if (c.manual && (c.afterPolls !== undefined || c.afterSeconds !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['manual'],
        message: 'manual completion takes no afterPolls/afterSeconds',
      });
    }
  });

const callback = z.strictObject({
  deliver: z.boolean().default(true).describe('false: no completion callback at all (polling only).'),
  failAttempts: z
    .union([z.literal('all'), z.int().min(1).max(100)])
    .optional()
    .describe('Count the first N attempts (or all) as failed whatever the receiver answers, so retries run.'),
  duplicates: z
    .int()
    .min(0)
    .max(5)
    .default(0)
    .describe('After a delivery succeeds, deliver the same webhook-id this many more times.'),
});

const fault = z
  .strictObject({
    on: z
      .union([z.enum(FAULT_STEPS), z.array(z.enum(FAULT_STEPS)).min(1)])
      .describe('The step(s) the fault hits.'),
    times: z.int().min(1).max(1000).default(1).describe('How many matching calls it hits, then it is spent.'),
    after: z.int().min(0).max(1000).default(0).describe('Let this many matching calls through first.'),
    delayMs: z.int().min(0).max(60_000).optional().describe('Wait this long (wall time) before answering.'),
    reset: z.boolean().optional().describe('Reset the connection (TCP RST) instead of answering.'),
    problem: z.enum(FAULT_PROBLEMS).optional().describe('Answer with this problem (API steps).'),
    s3: z.enum(FAULT_S3_ERRORS).optional().describe('Answer with this S3 error (the upload step).'),
    retryAfterSeconds: z.int().min(0).max(86_400).optional().describe('Retry-After on the answer.'),
    detail: z.string().min(1).max(500).optional().describe("The problem's detail text."),
  })
  .superRefine((f, ctx) => {
    const answers = [f.reset, f.problem, f.s3].filter((v) => v !== undefined && v !== false).length;
    if (answers > 1) {
      ctx.addIssue({ code: 'custom', path: ['reset'], message: 'give at most one of reset, problem, s3' });
    }
    if (answers === 0 && f.delayMs === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['on'],
        message: 'a fault needs delayMs, reset, problem or s3 — otherwise it does nothing',
      });
    }
    const steps = Array.isArray(f.on) ? f.on : [f.on];
    if (f.s3 && steps.some((s) => s !== 'upload')) {
      ctx.addIssue({ code: 'custom', path: ['s3'], message: 's3 errors apply to the upload step only' });
    }
    if (f.problem && steps.includes('upload')) {
      ctx.addIssue({
        code: 'custom',
        path: ['problem'],
        message: 'the bucket answers in S3 XML: use s3 on the upload step',
      });
    }
  });

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().min(1).max(1000).describe('One line on what a partner sees.'),
    result: result.optional().describe('Forced score/outcome/status; the engine decides when absent.'),
    completion: completion.optional(),
    callback: callback.optional(),
    uploadUrls: z
      .strictObject({
        expired: z
          .boolean()
          .describe('The URLs handed out at creation are already expired; re-issued ones work.'),
      })
      .optional(),
    faults: z.array(fault).max(20).default([]),
  })
  .describe('A facematch-mock scenario (fixtures/scenarios/*.yaml, --scenarios DIR).');

export type ScenarioSpec = z.infer<typeof scenarioSchema>;
export type ScenarioFault = z.infer<typeof fault>;
export type ScenarioResult = z.infer<typeof result>;

export interface Scenario extends ScenarioSpec {
  name: string;
  /** Where it was defined: 'builtin' or the file of a --scenarios directory. */
  origin: string;
}

export const SCENARIO_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
