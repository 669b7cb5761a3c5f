/**
 * The `scenario` preference of a Prefer header (RFC 7240), as Prism reads
 * `Prefer: code=404`: preferences are comma-separated, each `token[=value]`
 * with optional `;` parameters, values bare or quoted. Other preferences
 * (respond-async, return=minimal…) are ignored, as the RFC asks.
 * Returns undefined when the header names no scenario.
 */
export function parsePreferScenario(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const preference of splitOutsideQuotes(header, ',')) {
    const [head] = splitOutsideQuotes(preference, ';');
    const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(.*?))?\s*$/.exec(head ?? '');
    if (match?.[1]?.toLowerCase() !== 'scenario') continue;
    const value = match[2] ?? '';
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2
      ? value.slice(1, -1).replace(/\\(.)/g, '$1')
      : value;
  }
  return undefined;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '"') quoted = !quoted;
    if (char === '\\' && quoted && i + 1 < text.length) {
      current += char + text[++i];
      continue;
    }
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}
