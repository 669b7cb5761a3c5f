/**
 * Every problem+json the API can answer, in one place: a stable `code`, the
 * HTTP status, a title, and a default detail. Routes raise a code; the one
 * renderer in renderProblem.ts writes it. The `type` URI is `/problems/<code>`
 * on this server, where the entry is described.
 */
export const PROBLEMS = {
  'validation-failed': {
    status: 400,
    title: 'The request does not match the API contract',
    detail: 'Fix the fields listed in `errors` and send the request again.',
  },
  'malformed-json': {
    status: 400,
    title: 'The request body is not valid JSON',
    detail: 'Send a JSON object with Content-Type: application/json.',
  },
  'unknown-scenario': {
    status: 400,
    title: 'No scenario of that name',
    detail: 'Use one of the names in `knownScenarios` (GET /__admin/scenarios describes them).',
  },
  'unknown-provider-state': {
    status: 400,
    title: 'No provider state of that name',
    detail: 'Use one of the names in `knownStates` (GET /__admin/provider-states describes them).',
  },
  'invalid-request': {
    status: 400,
    title: 'The token request is malformed',
    detail: 'See error_description.',
  },
  'unsupported-grant-type': {
    status: 400,
    title: 'Only the client_credentials grant is supported',
    detail: 'Send grant_type=client_credentials.',
  },
  'invalid-client': {
    status: 401,
    title: 'Client authentication failed',
    detail:
      'Check the client id and secret (HTTP Basic, or client_id and client_secret in the body — not both).',
  },
  'invalid-token': {
    status: 401,
    title: 'The access token is missing, expired or invalid',
    detail: 'Get a new token from POST /v1/oauth/token and send it as `Authorization: Bearer <token>`.',
  },
  'admin-token-required': {
    status: 401,
    title: 'The admin API needs the operator token or a partner access token',
    detail:
      "This server was started with --admin-token (or FACEMATCH_ADMIN_TOKEN): send `Authorization: Bearer <operator token>`, or a partner access token from POST /v1/oauth/token for that partner's own data.",
  },
  'operator-only': {
    status: 403,
    title: 'Only the operator may do this',
    detail:
      'This operation spans every partner; a partner access token reaches its own data only (GET /__admin/openapi.json says which operations).',
  },
  'cross-site-request': {
    status: 403,
    title: 'The admin API does not take requests from pages of other sites',
    detail:
      'A browser sent this for a page that is not served by this server: use the dashboard at /ui, or call the admin API from a script or test suite (they send no Origin).',
  },
  'submission-not-found': {
    status: 404,
    title: 'No such submission',
    detail: 'The correlation id is unknown to this partner.',
  },
  'partner-not-found': {
    status: 404,
    title: 'No such partner',
    detail: 'Use a clientId from the configuration (GET /__admin/partners lists them).',
  },
  'image-not-found': {
    status: 404,
    title: 'No such image',
    detail: 'The image has not been uploaded (or has expired).',
  },
  'delivery-not-found': {
    status: 404,
    title: 'No such callback delivery',
    detail: 'Use a webhookId from GET /__admin/callbacks.',
  },
  'not-found': {
    status: 404,
    title: 'No such endpoint',
    detail: 'See /docs for the endpoints this server offers.',
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method not allowed on this endpoint',
    detail: 'See /docs for the methods this endpoint accepts.',
  },
  'uploads-missing': {
    status: 409,
    title: 'Images are missing',
    detail: 'Upload every image listed in `missingImages` to its presigned URL, then confirm again.',
  },
  'already-confirmed': {
    status: 409,
    title: 'The submission is already confirmed',
    detail: 'Its images are being (or have been) scored; start a new submission to upload other images.',
  },
  'not-processing': {
    status: 409,
    title: 'The submission is not processing',
    detail: 'Only a PROCESSING submission can be advanced.',
  },
  'delivery-in-progress': {
    status: 409,
    title: 'The delivery is still being attempted',
    detail: 'Wait until it is delivered or given up, then redeliver.',
  },
  'delivery-unsignable': {
    status: 409,
    title: 'The delivery cannot be signed',
    detail: "Configure the partner's webhookSecret, then redeliver.",
  },
  'idempotency-key-in-use': {
    status: 409,
    title: 'A request with this Idempotency-Key is still being processed',
    detail: 'Wait for the first request to finish, then retry.',
  },
  'payload-too-large': {
    status: 413,
    title: 'The request body is too large',
    detail: 'Send a smaller body; images go to the presigned upload URLs, not to this API.',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported Content-Type',
    detail: 'Send the body as application/json.',
  },
  'misdirected-host': {
    status: 421,
    title: 'This server does not answer to that host name',
    detail:
      "The Host header names a host that is not one of this server's names: add it to admin.allowedHosts (--admin-allowed-hosts, FACEMATCH_ADMIN_ALLOWED_HOSTS).",
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'This Idempotency-Key was used with a different request',
    detail: 'Use a new Idempotency-Key for a different request body or target.',
  },
  'not-ready': {
    status: 503,
    title: 'The server is starting or shutting down',
    detail: 'Retry after the number of seconds in Retry-After; /readyz answers 200 once requests are taken.',
  },
  'storage-unavailable': {
    status: 503,
    title: "The sandbox's store could not be reached",
    detail:
      'Nothing was changed; retry after Retry-After. The server log says why (the database is away, or the data directory is full or not writable).',
  },
  'rate-limited': {
    status: 429,
    title: 'Too many requests',
    detail: 'Wait for the number of seconds in Retry-After, then send the same request again.',
  },
  'internal-error': {
    status: 500,
    title: 'Internal server error',
    detail: 'This is a bug in facematch-mock; the server log has the details.',
  },
  'request-timeout': {
    status: 408,
    title: 'The request body stopped arriving',
    detail:
      'No byte of the body arrived for too long (connections.bodyIdleTimeoutSeconds); nothing was changed. Send the request again.',
  },
  'service-unavailable': {
    status: 503,
    title: 'The service is temporarily unavailable',
    detail: 'Retry the request with backoff (honour Retry-After when present).',
  },
  'response-contract-violation': {
    status: 500,
    title: 'facematch-mock produced a response that breaks its own OpenAPI contract',
    detail: 'This is a bug in facematch-mock; `errors` lists what was wrong.',
  },
} as const satisfies Record<string, { status: number; title: string; detail: string }>;

export type ProblemCode = keyof typeof PROBLEMS;
