import type { IPrismDiagnostic } from '@stoplight/prism-core';
import prismRouter from '@stoplight/prism-http/dist/router/index.js';
import { validateInput, validateOutput } from '@stoplight/prism-http/dist/validator/index.js';
import type { IHttpOperation } from '@stoplight/types';
import * as E from 'fp-ts/lib/Either.js';
import { loadHttpOperations } from './loadHttpOperations.ts';
import type { FieldError } from './ProblemError.ts';

/*
 * The only file that speaks Prism (and fp-ts), beside loadHttpOperations.ts. Everything else sees plain
 * results: which operation a request hits, what is wrong with a request, and
 * what is wrong with a response of ours.
 */
export interface ExchangeRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: unknown;
}

export interface ExchangeResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown;
}

export type RouteMatch =
  | { kind: 'matched'; operation: IHttpOperation }
  | { kind: 'no-path' }
  | { kind: 'no-method' };

export interface ContractValidator {
  /** By method and path alone. */
  match(request: ExchangeRequest): RouteMatch;
  /** Field errors, plus whether the whole body's media type was refused (415). */
  checkRequest(
    operation: IHttpOperation,
    request: ExchangeRequest,
  ): { unsupportedMediaType: boolean; errors: FieldError[]; rules: string[] };
  /**
   * With `partial`, the response is what a consumer expects, a subset of what is answered: missing
   * required members are fine, anything the schema does not allow is not.
   */
  checkResponse(
    operation: IHttpOperation,
    response: ExchangeResponse,
    options?: { partial?: boolean },
  ): string[];
  /** A callback the document declares (e.g. `submissionCompletedCallback`), to check what we send with checkRequest. */
  callback(operationId: string): IHttpOperation | undefined;
}

// A CommonJS module with `exports.default`: Node's ESM loader hands over the
// exports object, bundler-style loaders (vitest) the function itself.
type Route = typeof prismRouter.default;
const routerExport = prismRouter as unknown as Route | { default: Route };
const route: Route = typeof routerExport === 'function' ? routerExport : routerExport.default;
const LOCATIONS = new Set(['body', 'query', 'header', 'path']);
const MAX_REMEMBERED_ROUTES = 5000;

/** `document` is the parsed OpenAPI document, left as it was. */
export async function loadContractValidator(document: object): Promise<ContractValidator> {
  const operations = await loadHttpOperations(document);
  const matches = new Map<string, RouteMatch>();
  const routeKey = routeKeyFor(operations);
  return {
    match(request) {
      // Routing depends on method and path alone; every submission's paths share one key.
      const key = `${request.method} ${routeKey(request.path)}`;
      const known = matches.get(key);
      if (known) return known;
      const result = route({ resources: operations, input: toPrismRequest(request) });
      let match: RouteMatch;
      if (E.isRight(result)) match = { kind: 'matched', operation: result.right };
      else {
        const type = (result.left as { name?: string }).name ?? '';
        match = type.endsWith('#NO_METHOD_MATCHED_ERROR') ? { kind: 'no-method' } : { kind: 'no-path' };
      }
      if (matches.size >= MAX_REMEMBERED_ROUTES) matches.delete(matches.keys().next().value as string);
      matches.set(key, match);
      return match;
    },
    checkRequest(operation, request) {
      const result = validateInput({ resource: operation, element: toPrismRequest(request) });
      if (E.isRight(result)) return { unsupportedMediaType: false, errors: [], rules: [] };
      const diagnostics = result.left.filter(isError);
      const fieldDiagnostics = diagnostics.filter((d) => d.code !== 415);
      return {
        unsupportedMediaType: diagnostics.some((d) => d.code === 415),
        errors: fieldDiagnostics.map((d) => withDeclaredName(operation, toFieldError(d))),
        // The JSON Schema keyword that failed (required, type, enum, …), for the request journal.
        rules: fieldDiagnostics.map((d) => String(d.code || 'schema')),
      };
    },
    callback(operationId) {
      for (const operation of operations) {
        const found = operation.callbacks?.find((c) => c.iid === operationId);
        if (found) return found;
      }
      return undefined;
    },
    checkResponse(operation, response, options = {}) {
      const result = validateOutput({
        resource: operation,
        element: { statusCode: response.statusCode, headers: response.headers, body: response.body },
      });
      if (E.isRight(result)) return [];
      const diagnostics = options.partial ? withoutMissingMembers(result.left) : result.left;
      // An undocumented status is only a warning to Prism; for our own responses it is a contract break.
      return diagnostics.map((d) => `${d.path?.length ? `${d.path.join('.')}: ` : ''}${d.message}`);
    },
  };
}

/**
 * Prism's router compares each path segment with the document's segments: equal to a literal one,
 * or anything at all for a whole-segment template (`{correlationId}`). So a segment equal to none
 * of the document's segments, raw or percent-decoded, routes like any other such segment, and
 * paths that differ only there route alike: one key for every id, and the cache stays small. A
 * partial template (`{id}.json`) would make the segment's text matter; then the key is the path.
 */
function routeKeyFor(operations: readonly IHttpOperation[]): (path: string) => string {
  const segments = new Set(
    operations.flatMap((operation) =>
      operation.path.split('/').flatMap((segment) => [segment, decodeSegment(segment)]),
    ),
  );
  const partialTemplate = [...segments].some((s) => s.includes('{') && !/^\{[^{}]+\}$/.test(s));
  if (partialTemplate) return (path) => path;
  return (path) =>
    path
      .split('/')
      .map((s) => (segments.has(s) || segments.has(decodeSegment(s)) ? s : ANY_SEGMENT))
      .join('/');
}

/** Stands for a segment that matches only templates: never kept as itself, since it is a partial template. */
const ANY_SEGMENT = '{}';

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function toPrismRequest(request: ExchangeRequest) {
  return {
    method: request.method.toLowerCase() as 'get',
    url: { path: request.path, query: request.query },
    headers: request.headers,
    body: request.body,
  };
}

/**
 * Drops `required` failures. A `oneOf`/`anyOf` (a value or null) is then judged by what is left at
 * its path: only the null branch's "must be null" means the object was fine apart from missing
 * members, so it goes; beside a real error it is noise repeating that error, so it goes too.
 */
function withoutMissingMembers(diagnostics: IPrismDiagnostic[]): IPrismDiagnostic[] {
  const key = (d: IPrismDiagnostic) => (d.path ?? []).join('.');
  const rest = diagnostics.filter((d) => d.code !== 'required');
  const noise = new Set<IPrismDiagnostic>();
  for (const d of rest) {
    if (d.code !== 'oneOf' && d.code !== 'anyOf') continue;
    const at = key(d);
    const related = rest.filter((o) => o !== d && (key(o) === at || key(o).startsWith(`${at}.`)));
    const branchTypes = related.filter((o) => o.code === 'type' && key(o) === at);
    const real = related.filter((o) => !branchTypes.includes(o));
    if (real.length > 0 || branchTypes.length === 1) {
      noise.add(d);
      for (const t of branchTypes) noise.add(t);
    }
  }
  return rest.filter((d) => !noise.has(d));
}

function isError(diagnostic: IPrismDiagnostic): boolean {
  return diagnostic.severity === 0;
}

/**
 * Prism reports path and query parameters lower-cased (`correlationid`); a partner looking for the
 * field should find it spelled as in the document (`correlationId`). Header names stay lower-case:
 * they are case-insensitive and every other header error names them that way.
 */
function withDeclaredName(operation: IHttpOperation, error: FieldError): FieldError {
  if (error.location !== 'path' && error.location !== 'query') return error;
  const declared = (error.location === 'path' ? operation.request?.path : operation.request?.query)?.find(
    (p) => p.name.toLowerCase() === error.field.toLowerCase(),
  )?.name;
  if (!declared || declared === error.field) return error;
  return {
    ...error,
    field: declared,
    message: error.message.replace(new RegExp(`\\b${escapeRegExp(error.field)}\\b`), declared),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toFieldError(diagnostic: IPrismDiagnostic): FieldError {
  const [head, ...rest] = diagnostic.path ?? [];
  const location = head && LOCATIONS.has(head) ? (head as FieldError['location']) : 'body';
  const parts = head && LOCATIONS.has(head) ? rest : (diagnostic.path ?? []);
  // Ajv reports an unknown or a missing property on its parent object; point at the property itself.
  const named =
    /additional properties; found '([^']+)'/.exec(diagnostic.message)?.[1] ??
    (diagnostic.code === 'required'
      ? /required property '([^']+)'/.exec(diagnostic.message)?.[1]
      : undefined);
  if (named) parts.push(named);
  const field =
    location === 'body'
      ? `/${parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`
      : parts.join('.');
  return { location, field, message: diagnostic.message };
}
