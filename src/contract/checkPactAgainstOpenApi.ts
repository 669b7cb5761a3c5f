import type { ContractValidator, ExchangeRequest } from '../http/contractValidator.ts';
import { PROVIDER_STATES } from './providerStates.ts';

export interface PactMismatch {
  interaction: string;
  part: 'request' | 'response' | 'message' | 'provider state';
  /** The field or header the mismatch is about, as the document's validator names it. */
  field: string;
  message: string;
}

export interface PactCheck {
  consumer: string;
  provider: string;
  interactions: number;
  mismatches: PactMismatch[];
}

/** The callback every message interaction is checked against: the one callback the document declares. */
const CALLBACK_OPERATION = 'submissionCompletedCallback';

type Json = Record<string, unknown>;

/**
 * The offline half of bi-directional contract testing: each interaction of a consumer pact (V2–V4,
 * HTTP and messages) checked against the OpenAPI document with the same validator that checks the
 * server's live traffic — the request must be one the API accepts, the expected response one it may
 * answer (an undocumented status or a field the schema does not have is a mismatch), and a message
 * must be a body the completion callback may carry.
 */
export function checkPactAgainstOpenApi(pact: unknown, contract: ContractValidator): PactCheck {
  const doc = (pact ?? {}) as Json;
  const http: Json[] = [];
  const messages: Json[] = [];
  for (const i of asArray(doc.interactions)) {
    const type = String(i.type ?? 'Synchronous/HTTP');
    if (type === 'Synchronous/HTTP') http.push(i);
    else if (type === 'Asynchronous/Messages') messages.push(i);
    else messages.push({ ...i, unsupported: type });
  }
  messages.push(...asArray(doc.messages));
  const mismatches: PactMismatch[] = [];
  for (const i of [...http, ...messages]) mismatches.push(...checkStates(i));
  for (const i of http) mismatches.push(...checkHttp(i, contract));
  for (const m of messages) mismatches.push(...checkMessage(m, contract));
  return {
    consumer: String((doc.consumer as Json | undefined)?.name ?? '?'),
    provider: String((doc.provider as Json | undefined)?.name ?? '?'),
    interactions: http.length + messages.length,
    mismatches,
  };
}

function checkHttp(interaction: Json, contract: ContractValidator): PactMismatch[] {
  const name = describe(interaction);
  const request = (interaction.request ?? {}) as Json;
  const response = (interaction.response ?? {}) as Json;
  const exchange: ExchangeRequest = {
    method: String(request.method ?? 'GET').toUpperCase(),
    path: String(request.path ?? '/'),
    query: queryOf(request.query),
    headers: headersOf(request.headers, request.body),
    body: bodyOf(request.body),
  };
  const match = contract.match(exchange);
  if (match.kind !== 'matched') {
    return [
      {
        interaction: name,
        part: 'request',
        field: `${exchange.method} ${exchange.path}`,
        message:
          match.kind === 'no-path'
            ? 'the API has no such path (see openapi/facematch.yaml)'
            : `the path exists, but not for ${exchange.method}`,
      },
    ];
  }
  const found: PactMismatch[] = [];
  const checked = contract.checkRequest(match.operation, exchange);
  if (checked.unsupportedMediaType) {
    found.push({
      interaction: name,
      part: 'request',
      field: 'header content-type',
      message: `the API does not accept ${exchange.headers['content-type'] ?? 'this body'} here`,
    });
  }
  for (const e of checked.errors) {
    found.push({ interaction: name, part: 'request', field: `${e.location} ${e.field}`, message: e.message });
  }
  const status = Number(response.status ?? 200);
  if (!match.operation.responses.some((r) => statusMatches(r.code, status))) {
    found.push({
      interaction: name,
      part: 'response',
      field: 'status',
      message: `${status} is not a status ${exchange.method} ${exchange.path} answers; documented: ${match.operation.responses.map((r) => r.code).join(', ')}`,
    });
    return found;
  }
  const expectsBody = bodyOf(response.body) !== undefined;
  for (const problem of contract.checkResponse(
    match.operation,
    {
      statusCode: status,
      headers: headersOf(response.headers, response.body),
      body: bodyOf(response.body),
    },
    { partial: true },
  )) {
    const [field, ...rest] = problem.split(': ');
    // A consumer that states no body reads none; whatever body the API sends cannot break it.
    if (!expectsBody && /^(body|Response body)/.test(rest.length ? (field as string) : problem)) continue;
    found.push({
      interaction: name,
      part: 'response',
      field: rest.length ? (field as string) : 'body',
      message: rest.length ? rest.join(': ') : problem,
    });
  }
  return found;
}

function checkMessage(message: Json, contract: ContractValidator): PactMismatch[] {
  const name = describe(message);
  if (message.unsupported) {
    return [
      { interaction: name, part: 'message', field: 'type', message: `${message.unsupported} is not checked` },
    ];
  }
  const callback = contract.callback(CALLBACK_OPERATION);
  if (!callback) throw new Error(`openapi/facematch.yaml declares no ${CALLBACK_OPERATION}`);
  const contents = message.contents as Json | undefined;
  const body = contents && 'content' in contents ? bodyOf(contents) : contents;
  // The signature headers are the transport's, not the message's: valid placeholders let the body speak.
  const checked = contract.checkRequest(callback, {
    method: 'POST',
    path: '/',
    query: {},
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'msg_placeholder',
      'webhook-timestamp': '0',
      'webhook-signature': 'v1,placeholder',
    },
    body,
  });
  // A message states the members the consumer reads; the callback may carry more (a partial object).
  return checked.errors
    .filter((_e, n) => checked.rules[n] !== 'required')
    .map((e) => ({
      interaction: name,
      part: 'message' as const,
      field: e.field,
      message: `${e.message} (the submission.completed callback's body)`,
    }));
}

/** Provider states are part of the contract too: a name the mock cannot set up fails verification later. */
function checkStates(interaction: Json): PactMismatch[] {
  const known: readonly string[] = PROVIDER_STATES.map((s) => s.name);
  return asArray(interaction.providerStates)
    .map((s) => String(s.name))
    .concat(interaction.providerState ? [String(interaction.providerState)] : [])
    .filter((name) => !known.includes(name))
    .map((name) => ({
      interaction: describe(interaction),
      part: 'provider state' as const,
      field: name,
      message: `no such provider state; known: ${known.map((k) => `"${k}"`).join(', ')}`,
    }));
}

function describe(interaction: Json): string {
  const states = asArray(interaction.providerStates)
    .map((s) => String(s.name))
    .concat(interaction.providerState ? [String(interaction.providerState)] : []);
  return `${states.length ? `Given ${states.join(' and ')} - ` : ''}${String(interaction.description ?? '(no description)')}`;
}

function statusMatches(code: string, status: number): boolean {
  if (code === String(status)) return true;
  if (/^[1-5]XX$/i.test(code)) return code[0] === String(status)[0];
  return code === 'default';
}

function asArray(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function queryOf(query: unknown): Record<string, string | string[]> {
  if (typeof query === 'string') return Object.fromEntries(new URLSearchParams(query));
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Json)) {
    out[k] = Array.isArray(v) ? (v.length === 1 ? String(v[0]) : v.map(String)) : String(v);
  }
  return out;
}

function headersOf(headers: unknown, body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((headers ?? {}) as Json)) {
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  // V4 records the body's media type beside it; the document picks the schema by it.
  const contentType = (body as Json | undefined)?.contentType;
  if (!out['content-type'] && typeof contentType === 'string') out['content-type'] = contentType;
  return out;
}

/** V4 bodies are `{content, contentType, encoded}`; V2/V3 bodies are the value itself. */
function bodyOf(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'object' && 'content' in (body as Json) && 'contentType' in (body as Json)) {
    const { content, encoded } = body as Json;
    if (encoded === 'base64' || encoded === true)
      return Buffer.from(String(content), 'base64').toString('latin1');
    return content;
  }
  return body;
}
