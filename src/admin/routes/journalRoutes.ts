import express, { type Router } from 'express';
import type { JournalFilter } from '../../journal/JournalEntry.ts';
import type { AdminServices } from '../AdminServices.ts';
import type { components } from '../generated/admin.ts';

/** Without a limit, a page stays small enough to read in a terminal. */
const DEFAULT_LIMIT = 100;

export function journalRoutes(admin: AdminServices): Router {
  const router = express.Router();
  router.get('/__admin/journal', async (req, res) => {
    // The contract has checked the types already; these only turn the strings into values.
    const query = req.query as Record<string, string | undefined>;
    const filter: JournalFilter = {
      partnerId: query.partner,
      correlationId: query.correlationId,
      status: query.status === undefined ? undefined : Number(query.status),
      method: query.method,
      pathPrefix: query.pathPrefix,
      nearMissesOnly: query.nearMissesOnly === 'true',
      limit: query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit),
    };
    const body: components['schemas']['JournalPage'] = {
      capacity: admin.journal.capacity,
      size: await admin.journal.size(),
      entries: await admin.journal.list(filter),
    };
    res.set('Cache-Control', 'no-store').json(body);
  });
  router.delete('/__admin/journal', async (req, res) => {
    const partner = (req.query as Record<string, string | undefined>).partner;
    const body: components['schemas']['JournalCleared'] = { cleared: await admin.journal.clear(partner) };
    res.json(body);
  });
  return router;
}
