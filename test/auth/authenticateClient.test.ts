import { describe, expect, it } from 'vitest';
import { authenticateClient } from '../../src/auth/authenticateClient.ts';
import type { Partner } from '../../src/auth/Partner.ts';

const demo: Partner = {
  clientId: 'demo',
  clientSecret: 'demo-secret',
  webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  thresholds: { success: 80, review: 70 },
  tokenTtlSeconds: 3600,
};
const find = (clientId: string) => (clientId === demo.clientId ? demo : undefined);

describe('authenticateClient', () => {
  it('returns the partner for the right secret', () => {
    expect(authenticateClient({ clientId: 'demo', clientSecret: 'demo-secret' }, find)).toEqual({
      ok: true,
      partner: demo,
    });
  });

  it('gives the same invalid_client answer for a wrong secret and an unknown client', () => {
    const wrongSecret = authenticateClient({ clientId: 'demo', clientSecret: 'demo-secreT' }, find);
    const unknownClient = authenticateClient({ clientId: 'nobody', clientSecret: 'demo-secret' }, find);
    const shorterSecret = authenticateClient({ clientId: 'demo', clientSecret: 'demo' }, find);
    expect(wrongSecret).toEqual({
      ok: false,
      error: {
        error: 'invalid_client',
        description: expect.any(String),
        status: 401,
        wwwAuthenticate: 'Basic realm="facematch-mock"',
      },
    });
    expect(unknownClient).toEqual(wrongSecret);
    expect(shorterSecret).toEqual(wrongSecret);
  });
});
