import type { ContractValidator, ExchangeRequest } from '../http/contractValidator.ts';
import { PROVIDER_STATES } from './providerStates.ts';
import type {
  PactDocument,
  PactHttpInteraction,
  PactHttpPart,
  PactInteraction,
  PactMessageInteraction,
} from './readPactFile.ts';

export interface PactMismatch {
  /** The interaction as a partner names it: its provider states and description. */
  interaction: string;
  /** Where the interaction is in the pact file, e.g. `$.interactions[3]`. */
  at: string;
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

/**
 * The offline half of bi-directional contract testing: each interaction of a validated consumer pact
 * (readPactFile: V2–V4, HTTP and messages) checked against the OpenAPI document with the same
 * validator that checks the server's live traffic — the request must be one the API accepts, the
 * expected response one it may answer (an undocumented status or a field the schema does not have
 * is a mismatch), and a message must be a body the completion callback may carry.
 */
export function checkPactAgainstOpenApi(pact: PactDocument, contract: ContractValidator): PactCheck {
  const mismatches: PactMismatch[] = [];
  for (const i of pact.interactions) {
    mismatches.push(...checkStates(i));
    mismatches.push(...(i.kind === 'http' ? checkHttp(i, contract) : checkMessage(i, contract)));
  }
  return {
    consumer: pact.consumer,
    provider: pact.provider,
    interactions: pact.interactions.length,
    mismatches,
  };
}

function checkHttp(interaction: PactHttpInteraction, contract: ContractValidator): PactMismatch[] {
  const { request, response } = interaction;
  const exchange: ExchangeRequest = {
    method: request.method,
    path: request.path,
    query: request.query,
    headers: withMediaType(request),
    body: request.body?.value,
  };
  const mismatch = (part: PactMismatch['part'], field: string, message: string): PactMismatch => ({
    interaction: describe(interaction),
    at: interaction.at,
    part,
    field,
    message,
  });
  const match = contract.match(exchange);
  if (match.kind !== 'matched') {
    return [
      mismatch(
        'request',
        `${exchange.method} ${exchange.path}`,
        match.kind === 'no-path'
          ? 'the API has no such path (see openapi/facematch.yaml)'
          : `the path exists, but not for ${exchange.method}`,
      ),
    ];
  }
  const found: PactMismatch[] = [];
  const checked = contract.checkRequest(match.operation, exchange);
  if (checked.unsupportedMediaType) {
    found.push(
      mismatch(
        'request',
        'header content-type',
        `the API does not accept ${exchange.headers['content-type'] ?? 'this body'} here`,
      ),
    );
  }
  for (const e of checked.errors) found.push(mismatch('request', `${e.location} ${e.field}`, e.message));
  const status = response.status;
  if (!match.operation.responses.some((r) => statusMatches(r.code, status))) {
    found.push(
      mismatch(
        'response',
        'status',
        `${status} is not a status ${exchange.method} ${exchange.path} answers; documented: ${match.operation.responses.map((r) => r.code).join(', ')}`,
      ),
    );
    return found;
  }
  const expectsBody = response.body !== undefined;
  for (const problem of contract.checkResponse(
    match.operation,
    { statusCode: status, headers: withMediaType(response), body: response.body?.value },
    { partial: true },
  )) {
    const [field, ...rest] = problem.split(': ');
    // A consumer that states no body reads none; whatever body (and media type) the API sends cannot break it.
    if (!expectsBody && /^(body|Response body|The received media type)/.test(problem)) continue;
    found.push(
      mismatch('response', rest.length ? (field as string) : 'body', rest.length ? rest.join(': ') : problem),
    );
  }
  return found;
}

function checkMessage(message: PactMessageInteraction, contract: ContractValidator): PactMismatch[] {
  const callback = contract.callback(CALLBACK_OPERATION);
  if (!callback) throw new Error(`openapi/facematch.yaml declares no ${CALLBACK_OPERATION}`);
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
    body: message.body,
  });
  // A message states the members the consumer reads; the callback may carry more (a partial object).
  return checked.errors
    .filter((_e, n) => checked.rules[n] !== 'required')
    .map((e) => ({
      interaction: describe(message),
      at: message.at,
      part: 'message' as const,
      field: e.field,
      message: `${e.message} (the submission.completed callback's body)`,
    }));
}

/** Provider states are part of the contract too: a name the mock cannot set up fails verification later. */
function checkStates(interaction: PactInteraction): PactMismatch[] {
  const known: readonly string[] = PROVIDER_STATES.map((s) => s.name);
  return interaction.states
    .map((s) => s.name)
    .filter((name) => !known.includes(name))
    .map((name) => ({
      interaction: describe(interaction),
      at: interaction.at,
      part: 'provider state' as const,
      field: name,
      message: `no such provider state; known: ${known.map((k) => `"${k}"`).join(', ')}`,
    }));
}

/** As Pact's verifier names an interaction: "Given <states> - <description>". */
function describe(interaction: PactInteraction): string {
  const states = interaction.states.map((s) => s.name);
  return `${states.length ? `Given ${states.join(' and ')} - ` : ''}${interaction.description || '(no description)'}`;
}

function statusMatches(code: string, status: number): boolean {
  if (code === String(status)) return true;
  if (/^[1-5]XX$/i.test(code)) return code[0] === String(status)[0];
  return code === 'default';
}

/** The headers with the body's media type, named or inferred: the document picks the schema by it. */
function withMediaType(part: PactHttpPart): Record<string, string> {
  return part.body && !part.headers['content-type']
    ? { ...part.headers, 'content-type': part.body.mediaType }
    : part.headers;
}
