import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { tagNearMiss } from '../journal/nearMissTag.ts';

/**
 * Every error the Bucket Service can answer, rendered the way S3 and OSS render them, from
 * this one module. Partners' SDKs and hand-written clients parse `<Code>` to decide what to
 * do, so the codes, statuses and extra elements follow S3's spelling; the messages add how to
 * fix the request, because a mock exists to help a developer get the production call right.
 */
const STATUS_BY_CODE = {
  AccessDenied: 403,
  EntityTooLarge: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MethodNotAllowed: 405,
  NoSuchKey: 404,
  RequestTimeout: 400,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
} as const;

export type S3ErrorCode = keyof typeof STATUS_BY_CODE;

export interface S3Error {
  code: S3ErrorCode;
  status: number;
  message: string;
  /** Extra elements after `<Message>`, in order, as S3 adds them (e.g. `<Expires>`, `<ServerTime>`). */
  fields: ReadonlyArray<readonly [name: string, value: string]>;
  /** The check that refused the request, when `code` alone does not say (several are AccessDenied). */
  rule?: string;
}

/** Echoed client input is cut short: an error document must stay small whatever was sent. */
const MAX_ECHO_CHARS = 256;

function echo(value: string): string {
  return value.length > MAX_ECHO_CHARS ? `${value.slice(0, MAX_ECHO_CHARS)}…` : value;
}

function make(code: S3ErrorCode, message: string, fields: Array<[string, string]> = []): S3Error {
  return { code, status: STATUS_BY_CODE[code], message, fields };
}

/** The catalogue: one constructor per situation, each choosing the S3 code and the message. */
export const s3Errors = {
  signatureDoesNotMatch: (p: { stringToSign: string; signatureProvided: string; accessKeyId: string }) =>
    make(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Use the presigned ' +
        'URL exactly as issued (path and query unchanged) and send the Content-Type header it was issued with.',
      [
        ['OSSAccessKeyId', echo(p.accessKeyId)],
        ['StringToSign', echo(p.stringToSign)],
        ['SignatureProvided', echo(p.signatureProvided)],
      ],
    ),

  requestExpired: (p: { expiresAt: Date; now: Date }): S3Error => ({
    // S3's exact message; partners' retry logic may match on it. The elements say by how much.
    ...make('AccessDenied', 'Request has expired', [
      ['Expires', p.expiresAt.toISOString()],
      ['ServerTime', p.now.toISOString()],
    ]),
    rule: 'RequestExpired',
  }),

  writeLocked: (p: { key: string }): S3Error => ({
    ...make(
      'AccessDenied',
      'The submission this object belongs to is already confirmed; request a new presigned URL.',
      [['Key', echo(p.key)]],
    ),
    rule: 'WriteLocked',
  }),

  invalidAccessKeyId: (p: { accessKeyId: string }) =>
    make(
      'InvalidAccessKeyId',
      'The OSSAccessKeyId in the URL is not one this bucket issued. Use the presigned URL exactly as issued.',
      [['OSSAccessKeyId', echo(p.accessKeyId)]],
    ),

  entityTooLarge: (p: { maxSizeAllowed: number; proposedSize: number | null }) =>
    make(
      'EntityTooLarge',
      `Your proposed upload exceeds the maximum allowed size of ${p.maxSizeAllowed} bytes. ` +
        'Send a smaller image (downscale or recompress it).',
      p.proposedSize === null
        ? [['MaxSizeAllowed', String(p.maxSizeAllowed)]]
        : [
            ['MaxSizeAllowed', String(p.maxSizeAllowed)],
            ['ProposedSize', String(p.proposedSize)],
          ],
    ),

  incompleteBody: (p: { expected: number; provided: number }) =>
    make(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header. Send the whole body.',
      [
        ['NumberBytesExpected', String(p.expected)],
        ['NumberBytesProvided', String(p.provided)],
      ],
    ),

  invalidArgument: (p: { name: string; value: string | null; message: string }) =>
    make('InvalidArgument', p.message, [
      ['ArgumentName', p.name],
      ['ArgumentValue', p.value === null ? '' : echo(p.value)],
    ]),

  invalidUri: (p: { path: string }) =>
    make(
      'InvalidURI',
      "Couldn't parse the specified URI: its percent-encoding is malformed. Use the presigned URL exactly as issued.",
      [['URI', echo(p.path)]],
    ),

  keyTooLong: (p: { maxBytes: number; bytes: number }) =>
    make('KeyTooLongError', `Your key is too long: ${p.bytes} bytes; at most ${p.maxBytes} are allowed.`, [
      ['MaxSizeAllowed', String(p.maxBytes)],
      ['Size', String(p.bytes)],
    ]),

  methodNotAllowed: (p: { method: string; allowed: readonly string[] }) =>
    make(
      'MethodNotAllowed',
      `The specified method is not allowed against this resource. Use one of ${p.allowed.join(', ')}.`,
      [
        ['Method', echo(p.method)],
        ['ResourceType', 'OBJECT'],
      ],
    ),

  noSuchKey: (p: { key: string }) =>
    make('NoSuchKey', 'The specified key does not exist. Upload it first with its presigned PUT URL.', [
      ['Key', echo(p.key)],
    ]),

  requestTimeout: () =>
    make(
      'RequestTimeout',
      'Your socket connection to the server was not read from or written to within the timeout period. ' +
        'Send the whole body without pausing.',
    ),

  internalError: () => make('InternalError', 'We encountered an internal error. Please try again.'),

  // S3's own words for being overloaded; clients are expected to retry with backoff.
  slowDown: () => make('SlowDown', 'Please reduce your request rate. Retry the upload with backoff.'),

  serviceUnavailable: () =>
    make('ServiceUnavailable', 'The service is unable to handle this request right now. Retry the upload.'),
};

// XML 1.0 cannot carry these characters even escaped (NUL, most C0 controls, lone surrogates,
// U+FFFE/U+FFFF), and hostile keys may contain them; replacing them keeps every document parseable.
const NOT_XML_CHAR =
  /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function renderS3ErrorXml(error: S3Error, ids: { requestId: string; hostId: string }): string {
  const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    element('Code', error.code) +
    element('Message', error.message) +
    element('RequestId', ids.requestId) +
    element('HostId', ids.hostId) +
    error.fields.map(([name, value]) => element(name, value)).join('') +
    '</Error>'
  );
}

/**
 * Sends the error unless a response is already under way (a late failure after headers went
 * out can only be ended, not reported). The request id is in a header too, as OSS does, so it
 * is visible even on HEAD, whose body HTTP drops.
 */
export function sendS3Error(res: ServerResponse, error: S3Error): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const argument = error.fields.find(([name]) => name === 'ArgumentName')?.[1];
  tagNearMiss(res, {
    rule: error.rule ?? error.code,
    message: error.message,
    ...(argument ? { field: argument, location: 'query' as const } : {}),
  });
  const requestId = randomBytes(12).toString('hex').toUpperCase();
  const hostId = randomBytes(24).toString('base64');
  const body = renderS3ErrorXml(error, { requestId, hostId });
  res.statusCode = error.status;
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('x-oss-request-id', requestId);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
