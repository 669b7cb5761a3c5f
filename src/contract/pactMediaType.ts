/**
 * The media type of a pact body that names none, inferred as Pact itself does: pacts written by
 * other languages' libraries and older tools often carry a JSON body without a `Content-Type`
 * header, and Pact's verifier still treats it as JSON (and sends it without the header).
 *
 * A JSON value that is not a string is JSON; a string is JSON when it holds a JSON object or array;
 * anything else is text.
 */
export function inferPactMediaType(body: unknown): 'application/json' | 'text/plain' {
  if (typeof body !== 'string') return 'application/json';
  return parsesAsJsonDocument(body) ? 'application/json' : 'text/plain';
}

/** A JSON object or array in text form, as a header-less pact body or request bytes carry it. */
export function parsesAsJsonDocument(text: string): boolean {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

export function isJsonMediaType(mediaType: string): boolean {
  return /^application\/([\w.+-]+\+)?json\b/i.test(mediaType.trim());
}
