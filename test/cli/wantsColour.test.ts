import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { wantsColour } from '../../src/cli/wantsColour.ts';

const terminal = Object.assign(new Writable(), { isTTY: true });
const pipe = new Writable();

describe('ANSI colour in the CLI output', () => {
  it('only on a terminal', () => {
    expect(wantsColour(terminal, {})).toBe(true);
    expect(wantsColour(pipe, {})).toBe(false);
  });

  it('never with NO_COLOR set, even on a terminal', () => {
    expect(wantsColour(terminal, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(terminal, { NO_COLOR: '' })).toBe(true);
  });

  it('forced by FORCE_COLOR (other than 0), even into a pipe', () => {
    expect(wantsColour(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColour(pipe, { FORCE_COLOR: '0' })).toBe(false);
  });
});
