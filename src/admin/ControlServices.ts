import type { Partner } from '../auth/Partner.ts';
import type { ObjectStore } from '../bucket/ObjectStore.ts';
import type { CallbackDispatcher } from '../callbacks/callbackDispatcher.ts';
import type { ProviderStateAnswer } from '../contract/providerStates.ts';
import type { Submission } from '../domain/Submission.ts';
import type { ScenarioService } from '../scenarios/createScenarioService.ts';
import type { RecordStore } from '../store/RecordStore.ts';
import type { AdvanceAnswer } from '../submissions/advanceSubmission.ts';
import type { PartnerClocks } from '../time/createPartnerClocks.ts';

/** What the admin API's control routes (scenarios, clocks, submissions, callbacks) work on. */
export interface ControlServices {
  partners: ReadonlyMap<string, Partner>;
  scenarios: ScenarioService;
  clocks: PartnerClocks;
  submissions: RecordStore<Submission>;
  objects: Pick<ObjectStore, 'get' | 'head'>;
  callbacks: Pick<CallbackDispatcher, 'deliveries' | 'redeliver'>;
  advance(correlationId: string): Promise<AdvanceAnswer>;
  /** Clears one partner's state, or everyone's (see resetState). */
  reset(partnerId?: string): Promise<{ submissions: number }>;
  /** The partner provider states apply to when the verifier names none (`demo`, or the first configured). */
  defaultPartnerId: string;
  providerStates: {
    setUp(partnerId: string, state: string, params: Record<string, unknown>): Promise<ProviderStateAnswer>;
  };
}
