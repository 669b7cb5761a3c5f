import { describe, expect, it } from 'vitest';
import { parseClientCredentials } from '../../src/auth/parseClientCredentials.ts';

/** How a spec-following client builds the header (RFC 6749 §2.3.1), written out independently of the parser. */
function basic(clientId: string, clientSecret: string): string {
  const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
}

const grant = { grant_type: 'client_credentials' };

describe('parseClientCredentials', () => {
  it('reads HTTP Basic credentials', () => {
    expect(parseClientCredentials({ authorization: basic('demo', 'demo-secret'), body: grant })).toEqual({
      ok: true,
      grantType: 'client_credentials',
      clientId: 'demo',
      clientSecret: 'demo-secret',
    });
  });

  it('form-urldecodes Basic credentials, so secrets with : % + and spaces survive', () => {
    const secret = 'p:a%s+s w/ö&=';
    const parsed = parseClientCredentials({ authorization: basic('client:1', secret), body: grant });
    expect(parsed).toMatchObject({ ok: true, clientId: 'client:1', clientSecret: secret });
  });

  it('accepts a lower-case scheme name and unpadded base64', () => {
    const encoded = Buffer.from('demo:demo-secret1').toString('base64').replace(/=+$/, '');
    const parsed = parseClientCredentials({ authorization: `basic ${encoded}`, body: grant });
    expect(parsed).toMatchObject({ ok: true, clientId: 'demo', clientSecret: 'demo-secret1' });
  });

  it('reads body credentials, taken literally (the body parser already decoded them)', () => {
    const body = { ...grant, client_id: 'demo', client_secret: 'p%41+ss' };
    expect(parseClientCredentials({ body })).toMatchObject({
      ok: true,
      clientId: 'demo',
      clientSecret: 'p%41+ss',
    });
  });

  it('refuses two authentication methods at once', () => {
    const body = { ...grant, client_id: 'demo', client_secret: 'demo-secret' };
    const parsed = parseClientCredentials({ authorization: basic('demo', 'demo-secret'), body });
    expect(parsed).toMatchObject({ ok: false, error: { error: 'invalid_request', status: 400 } });
  });

  it('tolerates a body client_id that repeats the Basic one, but not a different one', () => {
    const same = parseClientCredentials({
      authorization: basic('demo', 's'),
      body: { ...grant, client_id: 'demo' },
    });
    expect(same).toMatchObject({ ok: true, clientId: 'demo' });
    const other = parseClientCredentials({
      authorization: basic('demo', 's'),
      body: { ...grant, client_id: 'demo-2' },
    });
    expect(other).toMatchObject({ ok: false, error: { error: 'invalid_request', field: 'client_id' } });
  });

  it('requires grant_type and only serves client_credentials', () => {
    const auth = basic('demo', 'demo-secret');
    expect(parseClientCredentials({ authorization: auth, body: {} })).toMatchObject({
      ok: false,
      error: { error: 'invalid_request', status: 400, field: 'grant_type' },
    });
    expect(parseClientCredentials({ authorization: auth, body: { grant_type: 'password' } })).toMatchObject({
      ok: false,
      error: { error: 'unsupported_grant_type', status: 400 },
    });
  });

  it('names the field when a value is not a single string', () => {
    for (const [field, value] of [
      ['grant_type', ['client_credentials', 'client_credentials']],
      ['client_id', 42],
      ['client_secret', { nested: true }],
      ['scope', ['a', 'b']],
    ] as const) {
      const body = { ...grant, client_id: 'demo', client_secret: 'demo-secret', [field]: value };
      expect(parseClientCredentials({ body }), field).toMatchObject({
        ok: false,
        error: { error: 'invalid_request', status: 400, field },
      });
    }
  });

  it('answers a malformed Basic header with invalid_client, 401 and a Basic challenge', () => {
    for (const authorization of [
      'Basic',
      'Basic !!!notbase64',
      `Basic ${Buffer.from('no-colon-here').toString('base64')}`,
      `Basic ${Buffer.from('demo:%zz').toString('base64')}`,
      `Basic ${Buffer.from([0x64, 0x3a, 0xff, 0xfe]).toString('base64')}`,
      'Bearer abc.def.ghi',
    ]) {
      expect(parseClientCredentials({ authorization, body: grant }), authorization).toEqual({
        ok: false,
        error: {
          error: 'invalid_client',
          description: expect.any(String),
          status: 401,
          wwwAuthenticate: 'Basic realm="facematch-mock"',
        },
      });
    }
  });

  it('asks for credentials when there are none, or only half of them', () => {
    expect(parseClientCredentials({ body: grant })).toMatchObject({
      ok: false,
      error: { error: 'invalid_client' },
    });
    expect(parseClientCredentials({ body: { ...grant, client_id: 'demo' } })).toMatchObject({
      ok: false,
      error: { error: 'invalid_client', status: 401 },
    });
  });

  it('grants the submissions scope and refuses unknown scopes', () => {
    const body = { ...grant, client_id: 'demo', client_secret: 'demo-secret' };
    expect(parseClientCredentials({ body: { ...body, scope: 'submissions' } })).toMatchObject({
      ok: true,
      scope: 'submissions',
    });
    expect(parseClientCredentials({ body })).not.toHaveProperty('scope');
    expect(parseClientCredentials({ body: { ...body, scope: 'admin' } })).toMatchObject({
      ok: false,
      error: { error: 'invalid_scope', status: 400, field: 'scope' },
    });
  });

  it('never throws on hostile input, and its descriptions fit RFC 6749 error_description', () => {
    const hostile: unknown[] = [
      null,
      undefined,
      0,
      'x',
      [],
      { __proto__: { grant_type: 'client_credentials' } },
    ];
    const headers = [
      '',
      ' ',
      'Basic ',
      `Basic ${'A'.repeat(100_000)}`,
      'Basic ====',
      'Basic a',
      '\u0000\r\n',
    ];
    for (const body of hostile) {
      for (const authorization of headers) {
        const parsed = parseClientCredentials({ authorization, body: body as Record<string, unknown> });
        if (!parsed.ok) expect(parsed.error.description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
      }
    }
  });
});
