import { createRequire } from 'node:module';
import type { VerifierOptions } from '@pact-foundation/pact-core';
import type { VerificationJson } from './verificationReport.ts';

export type BrokerOptions = Pick<
  VerifierOptions,
  | 'pactBrokerUrl'
  | 'pactBrokerToken'
  | 'consumerVersionSelectors'
  | 'publishVerificationResult'
  | 'providerVersion'
  | 'provider'
>;

// pact-core is CommonJS with its API on `default`; require() reads it the same under every loader.
const pactCore = createRequire(import.meta.url)('@pact-foundation/pact-core').default as {
  verifyPacts(options: VerifierOptions): Promise<string>;
  logLevel(level: 'error'): void;
};

/**
 * pact-core's verifier, driven directly: requests go straight to `baseUrl` (no pact-js proxy to
 * re-encode bodies), provider states to `stateSetupUrl` with Pact's state-change protocol, message
 * interactions to the `message` transport. Answers the verifier's own JSON, pass or fail.
 */
export async function runPactVerification(options: {
  pactUrls: string[];
  baseUrl: string;
  stateSetupUrl: string;
  messageTransport: { port: number; path: string };
  broker?: BrokerOptions;
}): Promise<VerificationJson> {
  const opts: VerifierOptions = {
    provider: 'facematch-api',
    ...options.broker,
    providerBaseUrl: options.baseUrl,
    providerStatesSetupUrl: options.stateSetupUrl,
    providerStatesSetupTeardown: false,
    logLevel: 'error',
    transports: [
      { protocol: 'message', port: options.messageTransport.port, path: options.messageTransport.path },
    ],
    ...(options.pactUrls.length ? { pactUrls: options.pactUrls } : {}),
  };
  // Its progress lines would interleave with the report; its errors still show.
  pactCore.logLevel('error');
  try {
    return JSON.parse(await pactCore.verifyPacts(opts)) as VerificationJson;
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('{')) return JSON.parse(message) as VerificationJson;
    throw error;
  }
}
