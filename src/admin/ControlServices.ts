import type { Partner } from '../auth/Partner.ts';
import type { ProviderStateAnswer } from '../contract/providerStates.ts';
import type { ScenarioService } from '../scenarios/createScenarioService.ts';
import type { SandboxStore } from '../store/SandboxStore.ts';
import type { AdvanceAnswer } from '../submissions/advanceSubmission.ts';
import type { RedeliverCallbackAnswer } from '../submissions/redeliverCallback.ts';
import type { PartnerClocks } from '../time/PartnerClocks.ts';

/** What the admin API's control routes (scenarios, clocks, submissions, callbacks) work on. */
export interface ControlServices {
  partners: ReadonlyMap<string, Partner>;
  scenarios: ScenarioService;
  clocks: PartnerClocks;
  /** Submissions with their images and deliveries, as the store holds them (every instance's). */
  store: Pick<SandboxStore, 'submissions' | 'deliveries'>;
  advance(correlationId: string): Promise<AdvanceAnswer>;
  redeliver(webhookId: string): Promise<RedeliverCallbackAnswer>;
  /** Clears one partner's state, or everyone's (see SandboxStore.reset). */
  reset(partnerId?: string): Promise<{ submissions: number }>;
  /** The partner provider states apply to when the verifier names none (`demo`, or the first configured). */
  defaultPartnerId: string;
  providerStates: {
    setUp(partnerId: string, state: string, params: Record<string, unknown>): Promise<ProviderStateAnswer>;
  };
}
