import { randomUUID } from 'node:crypto';
import { completionEvent } from '../callbacks/completionEvent.ts';
import { signWebhook } from '../callbacks/signWebhook.ts';
import { CALLBACK_USER_AGENT } from '../callbacks/userAgent.ts';
import { newWebhookId } from '../callbacks/webhookId.ts';
import { networkFailureReason, ReceiverUnreachable } from './ReceiverUnreachable.ts';

export interface WebhookCheck {
  name: string;
  /** What a correct receiver does. */
  expectation: string;
  passed: boolean;
  /** The status it answered, or why there was none. */
  answer: string;
  /** Acceptable, but worth knowing (an unknown event type refused rather than ignored). */
  note?: string;
}

type Expect = '2xx' | '4xx' | 'not-5xx';

/**
 * The reverse contract test: a partner's callback receiver, sent our real completion events, signed
 * as the dispatcher signs them, and broken in the ways an attacker or a retry breaks them. Throws
 * ReceiverUnreachable when the first event cannot even be sent.
 */
export async function checkWebhookReceiver(options: {
  url: string;
  secret: string;
  timeoutMs: number;
  now?: () => Date;
}): Promise<WebhookCheck[]> {
  const now = options.now ?? (() => new Date());
  const event = (type = 'submission.completed') =>
    JSON.stringify({
      ...completionEvent({
        correlationId: randomUUID(),
        referenceId: 'facematch-mock-check-webhook',
        status: 'COMPLETED',
        at: now(),
      }),
      type,
    });
  const sign = (id: string, body: string, at = now()): Record<string, string> => ({
    ...signWebhook({ secret: options.secret, id, timestamp: Math.floor(at.getTime() / 1000), body }),
  });

  async function send(
    headers: Record<string, string>,
    body: string,
  ): Promise<number | string | ReceiverUnreachable> {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': CALLBACK_USER_AGENT, ...headers },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'manual',
      });
      await response.body?.cancel();
      return response.status;
    } catch (error) {
      const name = (error as Error).name;
      return name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs} ms`
        : new ReceiverUnreachable(options.url, networkFailureReason(error));
    }
  }

  function judge(
    name: string,
    expect: Expect,
    answer: number | string | ReceiverUnreachable,
    expectation: string,
  ): WebhookCheck {
    const status = typeof answer === 'number' ? answer : undefined;
    const ok =
      status !== undefined &&
      (expect === '2xx'
        ? status >= 200 && status < 300
        : expect === '4xx'
          ? status >= 400 && status < 500
          : status < 500);
    const check: WebhookCheck = {
      name,
      expectation,
      passed: ok,
      answer: answer instanceof ReceiverUnreachable ? `unreachable (${answer.reason})` : String(answer),
    };
    if (expect === 'not-5xx' && ok && status !== undefined && status >= 400) {
      check.note = `refused with ${status}; ignoring unknown event types with a 2xx lets new types roll out without retries`;
    }
    return check;
  }

  const checks: WebhookCheck[] = [];
  const validId = newWebhookId();
  const validBody = event();
  const first = await send(sign(validId, validBody), validBody);
  // Nothing listens there: the other five checks would only repeat it.
  if (first instanceof ReceiverUnreachable) throw first;
  checks.push(judge('valid event', '2xx', first, '2xx within the timeout'));
  checks.push(
    judge(
      'duplicate delivery (same webhook-id again)',
      '2xx',
      await send(sign(validId, validBody), validBody),
      '2xx: a retried delivery is acknowledged, not refused (deduplicate on webhook-id)',
    ),
  );
  {
    const id = newWebhookId();
    const body = event();
    const headers = sign(id, body);
    const tampered = { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32, 7).toString('base64')}` };
    checks.push(judge('tampered signature', '4xx', await send(tampered, body), '4xx, never 2xx'));
  }
  {
    const id = newWebhookId();
    const body = event();
    const stale = sign(id, body, new Date(now().getTime() - 10 * 60_000));
    checks.push(
      judge(
        'stale timestamp (10 minutes old, correctly signed)',
        '4xx',
        await send(stale, body),
        '4xx, never 2xx (a replay)',
      ),
    );
  }
  {
    const id = newWebhookId();
    const body = event();
    const { 'webhook-signature': _, ...unsigned } = sign(id, body);
    checks.push(
      judge('missing webhook-signature header', '4xx', await send(unsigned, body), '4xx, never 2xx'),
    );
  }
  {
    const id = newWebhookId();
    const body = event('submission.archived');
    checks.push(
      judge(
        'unknown event type (validly signed)',
        'not-5xx',
        await send(sign(id, body), body),
        '2xx or 4xx, never 5xx',
      ),
    );
  }
  return checks;
}
