/**
 * Why a request was refused, in the terms of the check that refused it: what a partner
 * debugging an integration needs more than the status code. `rule` is stable and short
 * (`content-type`, `required`, `token-expired`, `SignatureDoesNotMatch`, a problem code, …);
 * `message` says how to fix the request; `field` names the offending input when there is one.
 */
export interface NearMiss {
  rule: string;
  message: string;
  field?: string;
  location?: 'body' | 'query' | 'header' | 'path';
}
