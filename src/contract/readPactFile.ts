import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../config/ConfigError.ts';
import { inferPactMediaType, isJsonMediaType } from './pactMediaType.ts';

/**
 * What a pact file may be before anything checks or replays it. 50 MB is five times the largest
 * partner pact seen (10 MB, 5 000 interactions); a real pact nests a dozen levels at most, so 64
 * leaves room for deep bodies while keeping every walk over the document shallow.
 */
export const PACT_FILE_LIMITS = { maxBytes: 50 * 1024 * 1024, maxDepth: 64 } as const;

/** A file that is not a pact facematch-mock can check: bad input, so exit 2 like any other. */
export class PactFileError extends ConfigError {}

export interface ProviderState {
  name: string;
  params: Record<string, unknown>;
}

/** A body with its media type: the one the pact names, or the one Pact infers. */
export interface PactBody {
  /** Parsed when the media type is JSON and the pact holds it as text; latin1 text when base64. */
  value: unknown;
  mediaType: string;
}

export interface PactHttpPart {
  headers: Record<string, string>;
  body: PactBody | undefined;
}

export interface PactHttpInteraction {
  kind: 'http';
  /** Where it is in the file, e.g. `$.interactions[3]`, for messages a partner can find. */
  at: string;
  description: string;
  states: ProviderState[];
  request: PactHttpPart & { method: string; path: string; query: Record<string, string | string[]> };
  response: PactHttpPart & { status: number };
}

export interface PactMessageInteraction {
  kind: 'message';
  at: string;
  description: string;
  states: ProviderState[];
  body: unknown;
}

export type PactInteraction = PactHttpInteraction | PactMessageInteraction;

export interface PactDocument {
  file: string;
  /** The major Pact specification version the file states, or the shape it has (1–4). */
  specification: number;
  consumer: string;
  provider: string;
  interactions: PactInteraction[];
}

/** Reads and validates a pact file; a PactFileError names the file and the JSON path of each problem. */
export async function readPactFile(file: string): Promise<PactDocument> {
  let text: string;
  try {
    const info = await stat(file);
    if (info.size > PACT_FILE_LIMITS.maxBytes) {
      throw new PactFileError(
        `${file}: ${mb(info.size)} is larger than a pact may be (${mb(PACT_FILE_LIMITS.maxBytes)})`,
      );
    }
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof PactFileError) throw error;
    throw new PactFileError(`${file} cannot be read: ${(error as Error).message}`);
  }
  // Some Windows tools write a byte-order mark, which JSON does not allow.
  return parsePact(text.replace(/^\uFEFF/, ''), file);
}

export function parsePact(text: string, file: string): PactDocument {
  const tooDeep = nestingBeyond(text, PACT_FILE_LIMITS.maxDepth);
  if (tooDeep !== undefined) {
    throw new PactFileError(
      `${file}: nested more than ${PACT_FILE_LIMITS.maxDepth} levels deep (at character ${tooDeep}); not a pact`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PactFileError(`${file} is not a JSON pact file: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  const document = new PactReader(file, problems).document(json);
  if (problems.length > 0 || !document) {
    const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `${file}: ${p}`);
    if (problems.length > MAX_PROBLEMS) shown.push(`… and ${problems.length - MAX_PROBLEMS} more`);
    throw new PactFileError(`Not a pact facematch-mock can check:\n${shown.join('\n')}`);
  }
  return document;
}

const MAX_PROBLEMS = 20;

/**
 * The character offset where the text nests deeper than `max`, or undefined. A scan of the text,
 * not of parsed values: a hostile file nested 100 000 deep never reaches a walker that could
 * overflow the stack.
 */
function nestingBeyond(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let n = 0; n < text.length; n++) {
    const c = text.charCodeAt(n);
    if (inString) {
      if (c === 0x5c)
        n++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return n;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

type Json = Record<string, unknown>;

/** The interaction types this can check; others (synchronous messages, plugins) it cannot. */
const HTTP = 'Synchronous/HTTP';
const MESSAGE = 'Asynchronous/Messages';

class PactReader {
  private specification = 3;

  constructor(
    private readonly file: string,
    private readonly problems: string[],
  ) {}

  document(json: unknown): PactDocument | undefined {
    if (!isObject(json))
      return this.fail('$', 'expected a pact (a JSON object with consumer, provider and interactions)', json);
    this.specification = this.version(json);
    const consumer = this.name(json, 'consumer');
    const provider = this.name(json, 'provider');
    const interactions: PactInteraction[] = [];
    const hasInteractions = json.interactions !== undefined;
    const hasMessages = json.messages !== undefined && this.specification < 4;
    if (!hasInteractions && !hasMessages) {
      this.refuse('$.interactions', 'expected an array of interactions, got nothing');
    }
    if (hasInteractions)
      interactions.push(
        ...this.list(json.interactions, '$.interactions', (i, at) => this.interaction(i, at)),
      );
    if (hasMessages)
      interactions.push(...this.list(json.messages, '$.messages', (m, at) => this.message(m, at)));
    if (this.problems.length === 0 && interactions.length === 0) {
      this.refuse(hasInteractions ? '$.interactions' : '$.messages', 'no interactions: nothing to check');
    }
    if (consumer === undefined || provider === undefined) return undefined;
    return { file: this.file, specification: this.specification, consumer, provider, interactions };
  }

  /** `metadata.pactSpecification.version` (`pact-specification` in older files); the shape when absent. */
  private version(json: Json): number {
    const metadata = json.metadata;
    if (metadata !== undefined && !isObject(metadata)) {
      this.fail('$.metadata', 'expected an object', metadata);
      return 3;
    }
    for (const key of ['pactSpecification', 'pact-specification']) {
      const stated = metadata?.[key];
      if (stated === undefined) continue;
      const version = isObject(stated) ? stated.version : undefined;
      const major = typeof version === 'string' ? /^v?([1-4])(\.|$)/i.exec(version)?.[1] : undefined;
      if (!major) {
        this.fail(
          `$.metadata.${key}.version`,
          'expected a Pact specification version 2.x, 3.x or 4.x',
          version,
        );
        return 3;
      }
      return Number(major);
    }
    const first = Array.isArray(json.interactions) ? json.interactions[0] : undefined;
    return isObject(first) && typeof first.type === 'string' ? 4 : 3;
  }

  private name(json: Json, party: 'consumer' | 'provider'): string | undefined {
    const value = json[party];
    if (!isObject(value) || typeof value.name !== 'string' || value.name.trim() === '') {
      return this.fail(
        isObject(value) ? `$.${party}.name` : `$.${party}`,
        isObject(value) ? 'expected a non-empty name' : `expected {"name": "<the ${party}>"}`,
        isObject(value) ? value.name : value,
      );
    }
    return value.name;
  }

  private list<T>(value: unknown, at: string, read: (item: Json, at: string) => T | undefined): T[] {
    if (!Array.isArray(value)) return this.fail(at, 'expected an array of interactions', value) ?? [];
    const out: T[] = [];
    for (const [n, item] of value.entries()) {
      const itemAt = `${at}[${n}]`;
      if (!isObject(item)) {
        this.fail(itemAt, 'expected an interaction (an object)', item);
        continue;
      }
      const read_ = read(item, itemAt);
      if (read_) out.push(read_);
    }
    return out;
  }

  private interaction(i: Json, at: string): PactInteraction | undefined {
    if (this.specification >= 4) {
      if (i.type === MESSAGE) return this.message(i, at);
      if (i.type !== HTTP) {
        return typeof i.type === 'string'
          ? this.refuse(
              `${at}.type`,
              `${JSON.stringify(i.type)} interactions are not checked: facematch-mock checks ${HTTP} interactions and the completion callback (${MESSAGE})`,
            )
          : this.fail(`${at}.type`, `expected "${HTTP}" or "${MESSAGE}"`, i.type);
      }
    }
    const description = this.description(i, at);
    const states = this.states(i, at);
    const request = this.part(i.request, `${at}.request`);
    const response = this.part(i.response, `${at}.response`);
    if (!request || !response || description === undefined || !states) return undefined;
    const method = this.method(request.json.method, `${at}.request.method`);
    const path = this.path(request.json.path, `${at}.request.path`);
    const query = this.query(request.json.query, `${at}.request.query`);
    const status = this.status(response.json.status, `${at}.response.status`);
    if (method === undefined || path === undefined || !query || status === undefined) return undefined;
    return {
      kind: 'http',
      at,
      description,
      states,
      request: { method, path, query, headers: request.headers, body: request.body },
      response: { status, headers: response.headers, body: response.body },
    };
  }

  private message(m: Json, at: string): PactMessageInteraction | undefined {
    const description = this.description(m, at);
    const states = this.states(m, at);
    if (description === undefined || !states) return undefined;
    const contents = m.contents;
    // V4 messages hold `{content, contentType, encoded}`; V3 ones the value itself.
    const body =
      this.specification >= 4 && isObject(contents) && 'content' in contents
        ? this.body(contents, {}, `${at}.contents`)?.value
        : contents;
    return { kind: 'message', at, description, states, body };
  }

  private description(i: Json, at: string): string | undefined {
    return typeof i.description === 'string'
      ? i.description
      : this.fail(`${at}.description`, 'expected a string', i.description);
  }

  private states(i: Json, at: string): ProviderState[] | undefined {
    const states: ProviderState[] = [];
    if (i.providerState !== undefined && i.providerState !== null) {
      if (typeof i.providerState !== 'string')
        return this.fail(`${at}.providerState`, 'expected a string', i.providerState);
      if (i.providerState !== '') states.push({ name: i.providerState, params: {} });
    }
    if (i.providerStates !== undefined) {
      if (!Array.isArray(i.providerStates)) {
        return this.fail(`${at}.providerStates`, 'expected an array of {"name", "params"}', i.providerStates);
      }
      for (const [n, s] of i.providerStates.entries()) {
        const stateAt = `${at}.providerStates[${n}]`;
        if (!isObject(s) || typeof s.name !== 'string')
          return this.fail(`${stateAt}.name`, 'expected a string', isObject(s) ? s.name : s);
        if (s.params !== undefined && s.params !== null && !isObject(s.params)) {
          return this.fail(`${stateAt}.params`, 'expected an object', s.params);
        }
        states.push({ name: s.name, params: (s.params as Json | null | undefined) ?? {} });
      }
    }
    return states;
  }

  private part(value: unknown, at: string): (PactHttpPart & { json: Json }) | undefined {
    if (!isObject(value)) return this.fail(at, 'expected an object', value);
    const headers = this.headers(value.headers, `${at}.headers`);
    if (!headers) return undefined;
    const body =
      value.body === undefined || value.body === null
        ? undefined
        : this.body(value.body, headers, `${at}.body`);
    if (body === null) return undefined;
    return { json: value, headers, body };
  }

  private headers(value: unknown, at: string): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    if (value === undefined || value === null) return out;
    if (!isObject(value)) return this.fail(at, 'expected an object of header names and values', value);
    for (const [name, v] of Object.entries(value)) {
      const values = Array.isArray(v) ? v : [v];
      if (!values.every((x) => typeof x === 'string' || typeof x === 'number')) {
        return this.fail(`${at}.${name}`, 'expected a string (or, from V3 on, an array of strings)', v);
      }
      out[name.toLowerCase()] = values.join(', ');
    }
    return out;
  }

  /** The body with its media type; null when it is malformed (the problem is recorded). */
  private body(value: unknown, headers: Record<string, string>, at: string): PactBody | null {
    let content = value;
    let named = headers['content-type'];
    if (this.specification >= 4) {
      if (!isObject(value) || !('content' in value)) {
        this.fail(at, 'expected a V4 body {"content", "contentType", "encoded"}', value);
        return null;
      }
      if (value.contentType !== undefined && typeof value.contentType !== 'string') {
        this.fail(`${at}.contentType`, 'expected a media type', value.contentType);
        return null;
      }
      named ??= value.contentType as string | undefined;
      content = value.content;
      if (value.encoded === 'base64' || value.encoded === true) {
        if (typeof content !== 'string') {
          this.fail(`${at}.content`, 'expected base64 text (the body is encoded)', content);
          return null;
        }
        return {
          value: Buffer.from(content, 'base64').toString('latin1'),
          mediaType: named ?? 'application/octet-stream',
        };
      }
    }
    const mediaType = named || inferPactMediaType(content);
    if (typeof content === 'string' && isJsonMediaType(mediaType)) {
      // A JSON body held as text is the JSON it spells (Pact reads it so); text that is not JSON stays text.
      try {
        return { value: JSON.parse(content), mediaType };
      } catch {
        return { value: content, mediaType };
      }
    }
    return { value: content, mediaType };
  }

  private method(value: unknown, at: string): string | undefined {
    return typeof value === 'string' && /^[A-Za-z]+$/.test(value)
      ? value.toUpperCase()
      : this.fail(at, 'expected an HTTP method such as "GET"', value);
  }

  private path(value: unknown, at: string): string | undefined {
    return typeof value === 'string' && value.startsWith('/')
      ? value
      : this.fail(at, 'expected a path starting with /', value);
  }

  private query(value: unknown, at: string): Record<string, string | string[]> | undefined {
    if (value === undefined || value === null) return {};
    if (typeof value === 'string') return Object.fromEntries(new URLSearchParams(value));
    if (!isObject(value))
      return this.fail(at, 'expected a query string or an object of names and values', value);
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(value)) {
      const values = Array.isArray(v) ? v : [v];
      if (!values.every((x) => typeof x === 'string' || typeof x === 'number')) {
        return this.fail(`${at}.${k}`, 'expected a string or an array of strings', v);
      }
      out[k] = values.length === 1 ? String(values[0]) : values.map(String);
    }
    return out;
  }

  private status(value: unknown, at: string): number | undefined {
    return Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599
      ? (value as number)
      : this.fail(at, 'expected an integer 100–599', value);
  }

  /** Records what was expected and what the file holds; undefined, so a reader can `return this.fail(…)`. */
  private fail(at: string, expected: string, got: unknown): undefined {
    return this.refuse(at, `${expected}, got ${shown(got)}`);
  }

  private refuse(at: string, why: string): undefined {
    this.problems.push(`${at}: ${why}`);
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
