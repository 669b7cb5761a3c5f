import type { DeliveryAttempt } from './deliverCallback.ts';

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/**
 * Everything needed to show a partner what happened to a callback and to carry
 * on after a restart — except the secret, which is looked up again by partnerId
 * so that no signing key is ever written to the data directory.
 */
export interface CallbackDeliveryRecord {
  /** The `webhook-id`, `msg_…`; the same on every attempt so receivers can deduplicate. */
  id: string;
  correlationId: string;
  partnerId: string;
  url: string;
  /** The exact JSON body sent on every attempt (signatures cover these bytes). */
  body: string;
  state: DeliveryState;
  createdAt: string;
  attempts: DeliveryAttempt[];
  /** When the next attempt is due, while the state is pending and a retry is scheduled. */
  nextAttemptAt?: string;
  /** Why a failed delivery was given up. */
  failureReason?: string;
  /** Attempts made before the last redelivery; the retry schedule counts from there. */
  retryBase?: number;
  /** What a scenario forces on this delivery; kept so a restart carries it on. */
  forced?: ForcedDelivery;
}

export interface ForcedDelivery {
  /** Count the first N attempts (or all) as failed whatever the receiver answers. */
  failAttempts?: 'all' | number;
  /** After success, deliver the same webhook-id this many more times. */
  duplicates?: number;
}

export interface CallbackLog {
  /** Inserts or replaces the record with this id. */
  save(record: CallbackDeliveryRecord): Promise<void>;
  get(id: string): Promise<CallbackDeliveryRecord | undefined>;
  /** Oldest first, so attempt history reads in order. */
  byCorrelationId(correlationId: string): Promise<CallbackDeliveryRecord[]>;
  pending(): Promise<CallbackDeliveryRecord[]>;
  /** Forgets every delivery of a submission (retention, resets). */
  deleteByCorrelationId(correlationId: string): Promise<void>;
}

export function byCreation(a: CallbackDeliveryRecord, b: CallbackDeliveryRecord): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;
}
