// Long enough for any real endpoint with a query string, short enough that a
// pasted payload is not mistaken for a URL and stored on every submission.
export const MAX_CALLBACK_URL_LENGTH = 2048;

export type CallbackUrlResult = { ok: true; url: string } | { ok: false; message: string };

export function validateCallbackUrl(url: unknown): CallbackUrlResult {
  if (typeof url !== 'string' || url.length === 0) {
    return {
      ok: false,
      message: 'must be an absolute http or https URL, e.g. https://partner.example/callbacks',
    };
  }
  if (url.length > MAX_CALLBACK_URL_LENGTH) {
    return {
      ok: false,
      message: `must be at most ${MAX_CALLBACK_URL_LENGTH} characters (got ${url.length})`,
    };
  }
  let parsed: URL;
  try {
    // No base URL: a relative path would silently resolve against nothing useful.
    parsed = new URL(url);
  } catch {
    return {
      ok: false,
      message: 'must be an absolute http or https URL, e.g. https://partner.example/callbacks',
    };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, message: `must use http or https, not ${parsed.protocol.replace(/:$/, '')}` };
  }
  // Credentials in the URL would be stored in delivery logs and shown on the
  // dashboard; receivers must authenticate callbacks by the webhook signature.
  if (parsed.username !== '' || parsed.password !== '') {
    return {
      ok: false,
      message:
        'must not contain credentials (user:password@); verify callbacks with the webhook signature instead',
    };
  }
  if (parsed.hash !== '') {
    return { ok: false, message: 'must not contain a #fragment; it is never sent to the server' };
  }
  return { ok: true, url };
}
