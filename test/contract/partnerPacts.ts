/**
 * Hand-written V4 pacts of the kind a partner's own consumer tests produce, to feed `verify` and
 * `check-pact`: a compatible one (a form-encoded token request, a stale bearer token) and
 * deliberately incompatible ones.
 */
const STALE_TOKEN = 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJkZW1vIn0.c3RhbGU';
const ISO = { match: 'regex', regex: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' };

export function pact(provider: string, interactions: unknown[]) {
  return {
    consumer: { name: 'acme-loans-backend' },
    provider: { name: provider },
    interactions,
    metadata: { pactSpecification: { version: '4.0' } },
  };
}

export const formTokenInteraction = {
  type: 'Synchronous/HTTP',
  description: 'a token request with the credentials in a form body',
  providerStates: [{ name: 'a partner with valid credentials' }],
  request: {
    method: 'POST',
    path: '/v1/oauth/token',
    headers: { 'Content-Type': ['application/x-www-form-urlencoded'] },
    body: {
      content: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
      contentType: 'application/x-www-form-urlencoded',
      encoded: false,
    },
  },
  response: {
    status: 200,
    body: {
      content: { access_token: 'x', token_type: 'Bearer', expires_in: 3600 },
      contentType: 'application/json',
      encoded: false,
    },
    matchingRules: {
      body: {
        '$.access_token': { combine: 'AND', matchers: [{ match: 'type' }] },
        '$.expires_in': { combine: 'AND', matchers: [{ match: 'integer' }] },
      },
    },
  },
};

export function detailsInteraction(
  options: { description?: string; state?: string; extraResultField?: string; status?: number } = {},
) {
  const result: Record<string, unknown> = { outcome: 'Review', score: 74 };
  if (options.extraResultField) result[options.extraResultField] = 0.97;
  return {
    type: 'Synchronous/HTTP',
    description: options.description ?? 'the details of a submission in review',
    providerStates: [{ name: options.state ?? 'a completed submission', params: { outcome: 'Review' } }],
    request: {
      method: 'GET',
      path: '/v1/submissions/11111111-2222-4333-8444-555555555555',
      headers: { Authorization: [STALE_TOKEN] },
      generators: {
        path: { type: 'ProviderState', expression: '/v1/submissions/${correlationId}' },
      },
    },
    response: {
      status: options.status ?? 200,
      body: {
        content: { status: 'COMPLETED', completedAt: '2026-01-01T10:00:00.000Z', result },
        contentType: 'application/json',
        encoded: false,
      },
      matchingRules: {
        body: {
          '$.completedAt': { combine: 'AND', matchers: [ISO] },
          '$.result.score': { combine: 'AND', matchers: [{ match: 'integer' }] },
        },
      },
    },
  };
}

export const unknownSubmissionInteraction = (status: number) => ({
  type: 'Synchronous/HTTP',
  description: 'the details of a submission that does not exist',
  providerStates: [{ name: 'a partner with valid credentials' }],
  request: {
    method: 'GET',
    path: '/v1/submissions/00000000-0000-4000-8000-000000000000',
    headers: { Authorization: [STALE_TOKEN] },
  },
  response: { status },
});

export function callbackMessage(extraDataField?: string) {
  const data: Record<string, unknown> = { correlationId: 'c0ffee', status: 'COMPLETED' };
  if (extraDataField) data[extraDataField] = 74;
  return {
    type: 'Asynchronous/Messages',
    description: 'a completion callback',
    providerStates: [{ name: 'a completed submission', params: { outcome: 'Review' } }],
    contents: {
      content: { type: 'submission.completed', timestamp: '2026-01-01T10:00:00.000Z', data },
      contentType: 'application/json',
      encoded: false,
    },
    matchingRules: {
      body: {
        '$.timestamp': { combine: 'AND', matchers: [ISO] },
        '$.data.correlationId': { combine: 'AND', matchers: [{ match: 'type' }] },
      },
    },
    metadata: { contentType: 'application/json' },
  };
}

/** A V2 pact as older tools and other languages' libraries write it: bodies as plain values. */
export function v2Pact(interactions: unknown[], provider = 'facematch-api') {
  return {
    consumer: { name: 'acme-loans-backend' },
    provider: { name: provider },
    interactions,
    metadata: { pactSpecification: { version: '2.0.0' } },
  };
}

/**
 * A stateless V2 pact with no Content-Type anywhere a body is JSON, as pacts from other languages'
 * libraries and older tools come: Pact types such a body by itself. `extraField` adds a field the
 * API does not return to the created submission.
 */
export function headerlessPact(options: { extraField?: string } = {}) {
  const created: Record<string, unknown> = { status: 'AWAITING_UPLOAD', documentType: 'KTP' };
  if (options.extraField) created[options.extraField] = 0.97;
  return v2Pact([
    {
      description: 'a token request',
      request: {
        method: 'POST',
        path: '/v1/oauth/token',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
      },
      response: {
        status: 200,
        body: { token_type: 'Bearer', expires_in: 3600 },
        matchingRules: { '$.body.expires_in': { match: 'type' } },
      },
    },
    {
      description: 'a request to create a submission, with a JSON body and no Content-Type',
      request: {
        method: 'POST',
        path: '/v1/submissions',
        headers: { Authorization: 'Bearer stale' },
        body: { selfieContentType: 'image/png', documentContentType: 'image/jpeg', documentType: 'KTP' },
      },
      response: { status: 201, body: created },
    },
    {
      description: 'a request to create a submission, with the JSON body as text',
      request: {
        method: 'POST',
        path: '/v1/submissions',
        headers: { Authorization: 'Bearer stale' },
        body: '{"selfieContentType":"image/png","documentContentType":"image/jpeg"}',
      },
      response: { status: 201, body: { status: 'AWAITING_UPLOAD' } },
    },
  ]);
}
