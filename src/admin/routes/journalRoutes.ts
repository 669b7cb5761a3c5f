import express, { type Response, type Router } from 'express';
import type { JournalFilter } from '../../journal/JournalEntry.ts';
import { adminCallerOf } from '../AdminCaller.ts';
import type { AdminServices } from '../AdminServices.ts';
import { partnerFilter } from '../callerScope.ts';
import type { components } from '../generated/admin.ts';

/** Without a limit, a page stays small enough to read in a terminal. */
const DEFAULT_LIMIT = 100;

/** Recent partner requests; a partner reads and clears its own only (another's client id matches nothing). */
export function journalRoutes(admin: AdminServices): Router {
  const router = express.Router();
  const { journal } = admin;
  /** What the journal holds now: for a partner, its own entries (the capacity is per partner). */
  const sizeFor = async (res: Response) => {
    const caller = adminCallerOf(res);
    if (caller.role === 'operator') return journal.size();
    return (await journal.list({ partnerId: caller.clientId, limit: journal.capacity })).length;
  };
  router.get('/__admin/journal', async (req, res) => {
    // The contract has checked the types already; these only turn the strings into values.
    const query = req.query as Record<string, string | undefined>;
    const partnerId = partnerFilter(res, query.partner);
    const filter: JournalFilter = {
      partnerId: partnerId ?? undefined,
      correlationId: query.correlationId,
      status: query.status === undefined ? undefined : Number(query.status),
      method: query.method,
      pathPrefix: query.pathPrefix,
      nearMissesOnly: query.nearMissesOnly === 'true',
      limit: query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit),
    };
    const body: components['schemas']['JournalPage'] = {
      capacity: journal.capacity,
      size: await sizeFor(res),
      entries: partnerId === null ? [] : await journal.list(filter),
    };
    res.set('Cache-Control', 'no-store').json(body);
  });
  router.delete('/__admin/journal', async (req, res) => {
    const partnerId = partnerFilter(res, (req.query as Record<string, string | undefined>).partner);
    const body: components['schemas']['JournalCleared'] = {
      cleared: partnerId === null ? 0 : await journal.clear(partnerId),
    };
    res.json(body);
  });
  return router;
}
