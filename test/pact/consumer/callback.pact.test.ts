import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyCallback } from '../../../src/client/index.ts';
import { CONSUMER, PACT_MOCK_RETRIES, PROVIDERS, pactOutput } from './pactFiles.ts';

const { like, regex } = MatchersV3;

const SECRET = 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5';

let output: Awaited<ReturnType<typeof pactOutput>>;
let pact: PactV4;
beforeAll(async () => {
  output = await pactOutput(PROVIDERS.callbacks);
  pact = new PactV4({ consumer: CONSUMER, provider: PROVIDERS.callbacks, dir: output.dir, logLevel: 'warn' });
});

// A V4 asynchronous message: what our callback handler must understand, and what the provider's
// verification proves the real dispatcher sends (test/pact/provider/).
it('understands a submission.completed callback', { retry: PACT_MOCK_RETRIES }, async () => {
  await pact
    .addAsynchronousInteraction()
    .given('a completed submission', { outcome: 'Success' })
    .expectsToReceive('a submission.completed callback', (m) =>
      m
        .withJSONContent({
          type: 'submission.completed',
          timestamp: regex(
            '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$',
            '2026-01-01T10:00:00.000Z',
          ),
          data: {
            correlationId: like('0f5c2a8e-3b1d-4c6e-9a7f-2d4b6c8e0a1b'),
            status: regex('^(COMPLETED|FAILED)$', 'COMPLETED'),
          },
        })
        .withMetadata({ contentType: 'application/json' }),
    )
    .executeTest(async (message) => {
      // The handler verifies before it parses: the message arrives signed, as the dispatcher sends it.
      const rawBody = JSON.stringify(message.contents.content);
      const id = 'msg_2mD9dQkq3f';
      const at = new Date();
      const signature = new Webhook(SECRET).sign(id, at, rawBody);
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      };
      const event = verifyCallback({ headers, rawBody }, { secret: SECRET });
      expect(event.data.correlationId).toBe('0f5c2a8e-3b1d-4c6e-9a7f-2d4b6c8e0a1b');
    });
});

afterAll(async () => {
  const { written, committed, file } = await output.settle();
  expect(written, `pacts/${file} differs from what the consumer tests write; run \`npm run pacts\``).toEqual(
    committed,
  );
});
