/** Query parameters whose values are credentials: presigned signatures, tokens, secrets. */
const SECRET_PARAM = /signature|secret|token|password|credential/i;

/**
 * The path and query of a request as it may be shown to anyone with admin access: a presigned
 * URL's Signature would let the reader replay the upload, so its value becomes `***`. The rest of
 * the query stays byte for byte, because a near miss is often about exactly that part.
 */
export function redactPath(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return equals !== -1 && SECRET_PARAM.test(safeDecode(name)) ? `${name}=***` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
