import type { CheckCallbackTarget } from './checkCallbackTarget.ts';
import { validateCallbackUrl } from './validateCallbackUrl.ts';

/** How long a submission waits for its callback host to resolve; a slower name is accepted, as one that does not resolve. */
export const SUBMISSION_LOOKUP_TIMEOUT_MS = 2000;

/**
 * Why a submission's callbackUrl is refused, or null: its shape first, then the callback policy on
 * the URL and the addresses its host stands for now. A name that does not resolve yet is accepted
 * (a receiver may come up later, and production cannot know either); every delivery attempt
 * resolves and checks it again, so nothing unchecked is ever connected to.
 */
export async function admitCallbackUrl(
  url: unknown,
  checkTarget: CheckCallbackTarget,
): Promise<string | null> {
  const shape = validateCallbackUrl(url);
  if (!shape.ok) return shape.message;
  const target = await checkTarget(new URL(shape.url));
  return target.kind === 'refused' ? `is refused by the callback policy: ${target.reason}` : null;
}
