import type { ServerResponse } from 'node:http';
import type { NearMiss } from './NearMiss.ts';

/*
 * The one channel from a refusal path to the journal: whoever answers a 4xx tags the response
 * with its rule, and the journal reads the tag when the response has finished. A WeakMap keeps
 * the tag off the response object and lets it go with it.
 */
const tags = new WeakMap<ServerResponse, NearMiss>();

export function tagNearMiss(res: ServerResponse, nearMiss: NearMiss): void {
  tags.set(res, nearMiss);
}

export function nearMissOf(res: ServerResponse): NearMiss | undefined {
  return tags.get(res);
}
