import { describe, expect, it } from 'vitest';
import { MAX_CALLBACK_URL_LENGTH, validateCallbackUrl } from '../../src/callbacks/validateCallbackUrl.ts';

describe('validateCallbackUrl', () => {
  it.each(['https://partner.example/callbacks', 'http://127.0.0.1:9000/hook?tenant=a'])(
    'accepts %s',
    (url) => {
      expect(validateCallbackUrl(url)).toEqual({ ok: true, url });
    },
  );

  it.each([
    ['a relative path', '/callbacks', /absolute http or https URL/],
    ['an empty string', '', /absolute http or https URL/],
    ['a non-string', 42, /absolute http or https URL/],
    ['another scheme', 'ftp://partner.example/cb', /http or https, not ftp/],
    ['credentials', 'https://user:pw@partner.example/cb', /must not contain credentials/],
    ['a fragment', 'https://partner.example/cb#x', /fragment/],
    ['an over-long URL', `https://partner.example/${'a'.repeat(MAX_CALLBACK_URL_LENGTH)}`, /at most 2048/],
  ])('rejects %s with a message saying how to fix it', (_label, url, message) => {
    const result = validateCallbackUrl(url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
