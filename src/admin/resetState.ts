import type { ObjectStore } from '../bucket/ObjectStore.ts';
import type { CallbackDispatcher } from '../callbacks/callbackDispatcher.ts';
import type { Submission } from '../domain/Submission.ts';
import { IMAGE_ROLES } from '../domain/Submission.ts';
import type { StoredAnswer } from '../http/idempotency.ts';
import type { RequestJournal } from '../journal/RequestJournal.ts';
import type { ScenarioService } from '../scenarios/createScenarioService.ts';
import type { RecordStore } from '../store/RecordStore.ts';
import { uploadKey } from '../submissions/uploadKey.ts';
import type { PartnerClocks } from '../time/createPartnerClocks.ts';

export interface ResetDeps {
  partnerIds: () => string[];
  submissions: RecordStore<Submission>;
  objects: Pick<ObjectStore, 'delete'>;
  idempotency: RecordStore<StoredAnswer>;
  callbacks: Pick<CallbackDispatcher, 'forget'>;
  scenarios: ScenarioService;
  clocks: PartnerClocks;
  journal: Pick<RequestJournal, 'clear'>;
}

/**
 * Back to a clean slate for one partner (or all), as a test suite's `beforeEach` wants it:
 * its submissions with their images, callback deliveries (scheduled retries stop), idempotency
 * answers, scenario queue and fault counters, journal entries, and its test clock back in real
 * time. Other partners are untouched, so parallel CI jobs can reset their own partner freely.
 */
export async function resetState(deps: ResetDeps, partnerId?: string): Promise<{ submissions: number }> {
  const partners = partnerId === undefined ? deps.partnerIds() : [partnerId];
  let removed = 0;
  for (const submission of deps.submissions.values()) {
    if (partnerId !== undefined && submission.partnerId !== partnerId) continue;
    const id = submission.correlationId;
    await deps.callbacks.forget(id);
    await Promise.all(IMAGE_ROLES.map((role) => deps.objects.delete(uploadKey(id, role))));
    deps.scenarios.runtime.forget(id);
    await deps.submissions.delete(id);
    removed++;
  }
  for (const key of deps.idempotency.keys()) {
    if (partners.some((p) => key.startsWith(`${p}:`))) await deps.idempotency.delete(key);
  }
  for (const p of partners) {
    deps.scenarios.queue.clear(p);
    const clock = deps.clocks.for(p);
    clock.clear();
    await clock.reset();
  }
  deps.journal.clear(partnerId);
  return { submissions: removed };
}
