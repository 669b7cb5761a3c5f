/**
 * Whether text written to `stream` may carry ANSI colour: only on a terminal, and never with
 * NO_COLOR set (https://no-color.org); FORCE_COLOR (other than 0) forces it, e.g. for a CI system
 * that renders colour. A CI log or a file gets plain text, which greps and diffs cleanly.
 */
export function wantsColour(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return (stream as { isTTY?: boolean }).isTTY === true;
}
