import { z } from 'zod';
import { parseWebhookSecret } from '../callbacks/webhookSecret.ts';
import { hostnameOf, meansAnyHost } from '../http/serverNames.ts';

const score = z.number().int().min(1).max(100);

const thresholdsSchema = z
  .object({ success: score, review: score })
  .strict()
  .refine((t) => t.review <= t.success, {
    message: 'review must not be above success (Review is the band just below Success)',
  });

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http:// or https:// URL' });

const corsOrigin = z.string().refine((o) => o === '*' || /^https?:\/\/[^/?#\s]+$/i.test(o), {
  message: 'must be * or an origin such as https://app.example.com (scheme, host and port; no path)',
});

const allowedHost = z
  .string()
  .refine((h) => meansAnyHost(h) || hostnameOf(h.replace(/^\./, '')) !== undefined, {
    message:
      'must be a host name such as sandbox.internal (no scheme or port), .example.com for it and every name under it, or * for any name (unsafe: DNS rebinding)',
  })
  .refine((h) => !/:\d+$/.test(h) || h.endsWith(']'), { message: 'must be a host name without a port' });

const postgresUrl = z.string().refine((u) => /^postgres(ql)?:\/\/[^\s]+$/i.test(u) && URL.canParse(u), {
  message: 'must be a PostgreSQL connection URL, e.g. postgres://user:password@db.example:5432/facematch',
});

export const partnerSchema = z
  .object({
    clientId: z.string().min(1).max(256),
    clientSecret: z.string().min(8, 'must be at least 8 characters'),
    webhookSecret: z.string().superRefine((secret, ctx) => {
      const parsed = parseWebhookSecret(secret);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
    }),
    callbackUrl: httpUrl.optional(),
    thresholds: thresholdsSchema.default({ success: 80, review: 70 }),
    tokenTtlSeconds: z.number().int().min(1).max(86_400).default(3600),
    name: z.string().max(256).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8080),
    /** Base of every URL we hand out (presigned uploads, Location headers); defaults to http://localhost:<port>. */
    publicUrl: httpUrl.optional(),
    engine: z.enum(['auto', 'fixture', 'onnx']).default('auto'),
    dataDir: z.string().min(1).optional(),
    /**
     * The shared sandbox: state in PostgreSQL, so any number of instances serve one sandbox.
     * Without a database URL the process keeps its state in memory (or --data-dir) and is alone.
     */
    store: z
      .object({
        databaseUrl: postgresUrl.optional(),
        /** Connections this instance keeps to the database. */
        poolSize: z.number().int().min(2).max(200).default(10),
        /** An instance silent this long is taken for dead: its scoring jobs and callback attempts go to others. */
        takeoverSeconds: z.number().int().min(2).max(600).default(10),
        /** How often an idle worker looks for work that fell due (new work wakes it at once). */
        pollIntervalMs: z.number().int().min(20).max(10_000).default(250),
      })
      .strict()
      .default({ poolSize: 10, takeoverSeconds: 10, pollIntervalMs: 250 }),
    /**
     * What this instance does: everything (the default), only HTTP (`api`: answers and enqueues),
     * or only the work (`worker`: scoring and callbacks, with /healthz, /readyz and /metrics).
     */
    role: z.enum(['all', 'api', 'worker']).default('all'),
    partners: z
      .array(partnerSchema)
      .min(1, 'at least one partner is needed to get a token')
      .refine((ps) => new Set(ps.map((p) => p.clientId)).size === ps.length, {
        message: 'clientId values must be unique',
      }),
    tokens: z
      .object({ audience: z.string().min(1).default('facematch-api'), issuer: httpUrl.optional() })
      .strict()
      .default({ audience: 'facematch-api' }),
    bucket: z
      .object({
        maxObjectBytes: z
          .number()
          .int()
          .min(1)
          .default(10 * 1024 * 1024),
        uploadUrlTtlSeconds: z
          .number()
          .int()
          .min(1)
          .max(7 * 86_400)
          .default(900),
        accessKeyId: z.string().min(1).default('FACEMATCHMOCK'),
        signingSecret: z.string().min(16).optional(),
      })
      .strict()
      .default({ maxObjectBytes: 10 * 1024 * 1024, uploadUrlTtlSeconds: 900, accessKeyId: 'FACEMATCHMOCK' }),
    processing: z
      .object({
        delayMs: z.number().int().min(0).max(600_000).default(500),
        /** Scoring jobs at once; auto: enough to keep every scoring slot of the engine busy. */
        concurrency: z.union([z.literal('auto'), z.number().int().min(1).max(256)]).default('auto'),
        retryAfterSeconds: z.number().int().min(1).max(3600).default(1),
      })
      .strict()
      .default({ delayMs: 500, concurrency: 'auto', retryAfterSeconds: 1 }),
    callbacks: z
      .object({
        retryScheduleMs: z
          .array(z.number().int().min(0))
          .max(20)
          .default([1000, 5000, 30_000, 120_000, 600_000]),
        timeoutMs: z.number().int().min(1).max(120_000).default(5000),
        /**
         * Which receivers callbacks may reach (a callback URL is the partner's to choose, so an
         * open one would let anyone scan and read the networks the mock sits in). auto: loopback
         * and private addresses only while the server listens on loopback; public-only; or
         * allow-private. Link-local (cloud metadata) addresses and the mock's own admin, metrics
         * and bucket paths are refused under every policy.
         */
        policy: z.enum(['auto', 'public-only', 'allow-private']).default('auto'),
        /** Host names (or addresses) that may be loopback or private whatever the policy, e.g. a compose service. */
        allowHosts: z
          .array(
            z
              .string()
              .min(1)
              .refine((h) => !/[/:@\s]/.test(h) || /^\[?[0-9a-f:.]+\]?$/i.test(h), {
                message: 'must be a host name or an IP address, without scheme, port or path',
              }),
          )
          .default([]),
      })
      .strict()
      .default({
        retryScheduleMs: [1000, 5000, 30_000, 120_000, 600_000],
        timeoutMs: 5000,
        policy: 'auto',
        allowHosts: [],
      }),
    onnx: z
      .object({
        intraOpThreads: z.number().int().min(1).max(64).default(1),
        /** A models manifest of your own (bring your own YuNet/SCRFD + SFace/ArcFace files); default models/manifest.json. */
        manifestPath: z.string().min(1).optional(),
        /** Which model set of that manifest to run; default the converted face-api set. */
        modelSet: z.string().min(1).optional(),
        /**
         * Inference worker threads, each with its own sessions (~110 MB): auto = one per core
         * (os.availableParallelism()). onnxruntime-node runs a model on the calling thread, so
         * workers keep the server's event loop free and use every core (docs/scoring.md).
         */
        workers: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).default('auto'),
        /** Replaced by `workers` (models always run in worker threads now); named so the error says so. */
        offMainThread: z
          .unknown()
          .refine(() => false, {
            message:
              'was removed: the models always run in worker threads now; set onnx.workers (auto or a number) instead',
          })
          .optional(),
      })
      .strict()
      .default({ intraOpThreads: 1, workers: 'auto' }),
    /**
     * Origins whose pages may call the API or upload to presigned URLs from a browser. The
     * bucket takes any origin by default (the signature is the guard); the API none.
     */
    cors: z
      .object({
        apiOrigins: z.array(corsOrigin).default([]),
        bucketOrigins: z.array(corsOrigin).default(['*']),
      })
      .strict()
      .default({ apiOrigins: [], bucketOrigins: ['*'] }),
    /**
     * Privacy by default: these are face images. Images are deleted this long after upload,
     * submissions (with their callback log and Idempotency-Key answers) this long after creation.
     */
    retention: z
      .object({
        imageSeconds: z.number().int().min(1).default(86_400),
        submissionSeconds: z
          .number()
          .int()
          .min(1)
          .default(7 * 86_400),
        sweepIntervalSeconds: z.number().int().min(1).max(86_400).default(60),
      })
      .strict()
      .default({ imageSeconds: 86_400, submissionSeconds: 7 * 86_400, sweepIntervalSeconds: 60 }),
    /**
     * How long a client may take, so idle and stalled connections are let go: a slow upload passes
     * as long as its bytes keep coming (bodyIdle), within requestTimeoutSeconds in all.
     */
    connections: z
      .object({
        /** From the connection (or the previous request) to the end of the request's headers. */
        headersTimeoutSeconds: z.number().int().min(1).max(600).default(20),
        /** A request body (JSON, form, or an upload to the bucket) that sends nothing for this long is answered 408. */
        bodyIdleTimeoutSeconds: z.number().int().min(1).max(600).default(20),
        /** A whole request, body included: a 10 MB upload at 20 KB/s takes about 500 s. */
        requestTimeoutSeconds: z.number().int().min(1).max(3600).default(600),
        /** A connection with no request in flight (it sent nothing, or finished and said nothing more). */
        idleTimeoutSeconds: z.number().int().min(1).max(3600).default(30),
        /** A kept-alive connection waiting for its next request. */
        keepAliveTimeoutSeconds: z.number().int().min(1).max(600).default(5),
      })
      .strict()
      .default({
        headersTimeoutSeconds: 20,
        bodyIdleTimeoutSeconds: 20,
        requestTimeoutSeconds: 600,
        idleTimeoutSeconds: 30,
        keepAliveTimeoutSeconds: 5,
      }),
    /** On SIGTERM/SIGINT: how long in-flight requests, scoring jobs and callback attempts may take to finish. */
    shutdown: z
      .object({ drainSeconds: z.number().min(0).max(3600).default(10) })
      .strict()
      .default({ drainSeconds: 10 }),
    /**
     * Every partner's business clock (token and URL expiry, processing delays, callback retries)
     * starts in real time, or frozen until a test advances it through the admin API.
     */
    clock: z.enum(['real', 'frozen']).default('real'),
    /** A directory of your own scenario files (YAML, the format of fixtures/scenarios/), beside the built-ins. */
    scenariosDir: z.string().min(1).optional(),
    modules: z
      .object({
        /** Body limit of POST /v1/modules/facematch; default: two images of bucket.maxObjectBytes in base64. */
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(512 * 1024 * 1024)
          .optional(),
      })
      .strict()
      .default({}),
    /** The operator API at /__admin and GET /metrics: open unless a token is set, as WireMock's is. */
    admin: z
      .object({
        token: z
          .string()
          .min(16, 'must be at least 16 characters (e.g. the output of `openssl rand -hex 16`)')
          .optional(),
        /** How many requests the journal keeps; the oldest go first. */
        journalSize: z.number().int().min(1).max(1_000_000).default(5000),
        /**
         * Host names the admin API and the dashboard answer to besides localhost, IP addresses, the
         * public URL's host and the address listened on (src/http/serverNames.ts): `.example.com`
         * for it and every name under it, `*` for any (unsafe: DNS rebinding).
         */
        allowedHosts: z.array(allowedHost).default([]),
      })
      .strict()
      .default({ journalSize: 5000, allowedHosts: [] }),
    /** Check our own responses against the OpenAPI document: off, log violations, or answer 500 instead. */
    validateResponses: z.enum(['off', 'log', 'enforce']).default('off'),
    maxJsonBytes: z
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(64 * 1024),
  })
  .strict()
  .superRefine((config, ctx) => {
    const shared = config.store.databaseUrl !== undefined;
    if (config.role !== 'all' && !shared) {
      ctx.addIssue({
        code: 'custom',
        path: ['role'],
        message: `${config.role} needs the state shared with the other instances: give --database-url (FACEMATCH_DATABASE_URL). Without a database one process is the whole sandbox, so its role is all.`,
      });
    }
    if (shared && config.dataDir !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataDir'],
        message:
          'cannot be used with a database URL: the state is in PostgreSQL then. Give one: --data-dir for one process, --database-url for a shared sandbox.',
      });
    }
    if (shared && config.admin.token === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['admin', 'token'],
        message:
          'is required with a database URL: a shared sandbox serves many partners, so its admin API and /metrics need the operator token (--admin-token, FACEMATCH_ADMIN_TOKEN; e.g. `openssl rand -hex 16`). Partners use their own bearer tokens for their own data.',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type PartnerConfig = z.infer<typeof partnerSchema>;
