import { Transform } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';

/**
 * Passes text through with its ANSI escape sequences removed. Whole lines are passed on, so an
 * escape sequence split across two chunks is still seen whole.
 */
export function withoutColour(): Transform {
  let pending = '';
  return new Transform({
    transform(chunk, _encoding, done) {
      pending += String(chunk);
      const end = pending.lastIndexOf('\n') + 1;
      const lines = pending.slice(0, end);
      pending = pending.slice(end);
      done(null, lines ? stripVTControlCharacters(lines) : undefined);
    },
    flush(done) {
      done(null, pending ? stripVTControlCharacters(pending) : undefined);
    },
  });
}
