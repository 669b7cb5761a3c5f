import { type CallbackPolicyMode, createCallbackPolicy } from '../../src/callbacks/callbackPolicy.ts';
import {
  type CheckCallbackTarget,
  createCallbackTargetCheck,
  type ResolveHost,
  resolveWithSystem,
} from '../../src/callbacks/checkCallbackTarget.ts';

/**
 * The callback policy of a server listening on `listenHost` (127.0.0.1 by default, as the test
 * servers do, so loopback receivers are allowed), with the resolver a test chooses.
 */
export function callbackTargets(
  options: {
    mode?: CallbackPolicyMode;
    listenHost?: string;
    resolveHost?: ResolveHost;
    allowHosts?: string[];
  } = {},
): CheckCallbackTarget {
  const listenHost = options.listenHost ?? '127.0.0.1';
  return createCallbackTargetCheck({
    policy: createCallbackPolicy({
      mode: options.mode ?? 'auto',
      listenHost,
      listenPort: 8080,
      publicUrl: 'http://127.0.0.1:8080',
      allowHosts: options.allowHosts ?? [],
      localAddresses: [],
    }),
    resolveHost: options.resolveHost ?? resolveWithSystem,
    resolveTimeoutMs: 2000,
  });
}
