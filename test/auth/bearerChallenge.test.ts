import { describe, expect, it } from 'vitest';
import { bearerChallenge } from '../../src/auth/bearerChallenge.ts';

describe('bearerChallenge', () => {
  it('is the bare challenge when the request had no token (RFC 6750 §3.1)', () => {
    expect(bearerChallenge()).toBe('Bearer realm="facematch-mock"');
  });

  it('carries the error and its description', () => {
    expect(bearerChallenge('invalid_token', 'The access token has expired.')).toBe(
      'Bearer realm="facematch-mock", error="invalid_token", error_description="The access token has expired."',
    );
  });

  it('cannot be broken out of by quotes, backslashes, line breaks or non-ASCII', () => {
    const value = bearerChallenge('invalid_token', 'say "hi"\\", evil="1\r\nSet-Cookie: x=1 \u00e9\u{1F600}');
    expect(value).toBe(
      'Bearer realm="facematch-mock", error="invalid_token", error_description="say \'hi\'/\', evil=\'1  Set-Cookie: x=1   "',
    );
    // What RFC 6750 §3 allows inside error_description.
    expect(value.split('error_description="')[1]).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*"$/);
  });
});
