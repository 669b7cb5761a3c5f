import { PARTNERS } from '../flow/benchConfig.ts';
import type { CallbackReceiver } from '../flow/callbackReceiver.ts';
import { requestToken } from '../flow/partnerToken.ts';
import { type FlowCase, type FlowResult, runFlow } from '../flow/runFlow.ts';
import type { PollTarget } from './probeStatusPolls.ts';
import type { Sandbox } from './startSandbox.ts';

export interface FlowSettings {
  pollCapMs: number;
  requestTimeoutMs: number;
  /** A flow still PROCESSING this long after its confirm fails. */
  completionTimeoutMs: number;
  callbackGraceMs: number;
}

export type Flow = (index: number) => Promise<FlowResult>;

/** Submissions kept for the poll probe: the most recent that passed. */
const KEPT = 500;

/**
 * One token per partner, from the first instance (any would do: all share the public URL, which
 * is the tokens' issuer), then complete flows through the sandbox's load balancer: every request
 * of a flow to the next instance. Flows cycle through the cases and alternate partners; the
 * submissions of flows that passed are kept, with their partner's token, for the poll probe.
 */
export async function sandboxFlows(
  sandbox: Sandbox,
  cases: FlowCase[],
  receiver: CallbackReceiver,
  settings: FlowSettings,
  signal: AbortSignal,
): Promise<{ flow: Flow; passed: PollTarget[] }> {
  const tokens = new Map<string, string>();
  const first = sandbox.front[0]?.url as string;
  for (const partner of PARTNERS) {
    const limit = AbortSignal.any([signal, AbortSignal.timeout(settings.requestTimeoutMs)]);
    tokens.set(partner.clientId, (await requestToken(first, partner, limit)).token);
  }
  const passed: PollTarget[] = [];
  const flow: Flow = async (index) => {
    const partner = PARTNERS[index % PARTNERS.length] as (typeof PARTNERS)[number];
    const token = tokens.get(partner.clientId) as string;
    const result = await runFlow({
      index,
      baseUrl: first,
      route: sandbox.route,
      token,
      flowCase: cases[Math.floor(index / PARTNERS.length) % cases.length] as FlowCase,
      receiver,
      pollCapMs: settings.pollCapMs,
      callbackGraceMs: settings.callbackGraceMs,
      completionTimeoutMs: settings.completionTimeoutMs,
      requestTimeoutMs: settings.requestTimeoutMs,
      signal,
    });
    if (!result.failedStep && result.correlationId) {
      passed.push({ correlationId: result.correlationId, token });
      if (passed.length > KEPT) passed.shift();
    }
    return result;
  };
  return { flow, passed };
}
