/**
 * The one way time enters the flow. Business time (token and upload URL expiry, processing
 * delays, callback retries) is read from the partner's clock (see PartnerClocks), which a test can
 * advance or freeze, so nothing else reads Date.now() for those decisions.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
