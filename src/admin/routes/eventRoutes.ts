import express, { type Router } from 'express';
import type { AdminServices } from '../AdminServices.ts';
import { partnerFilter } from '../callerScope.ts';
import type { AdminEvent } from '../events/AdminEvents.ts';

/**
 * A client that stops reading would make the socket buffer grow without end; past this much
 * unsent data its stream is ended instead (a dashboard reconnects and re-fetches).
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** GET /__admin/events: the live change stream (server-sent events), ids and kinds only; a partner's own changes only. */
export function eventRoutes(admin: Pick<AdminServices, 'events'>): Router {
  const router = express.Router();
  router.get('/__admin/events', (req, res) => {
    const requested = (req.query as Record<string, string | undefined>).partner;
    const partnerId = partnerFilter(res, requested);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // The stream is the connection's last response: ending it closes the socket, so a drain
      // never waits on a keep-alive connection a dashboard left open.
      Connection: 'close',
      // Reverse proxies (nginx) would otherwise buffer the stream and deliver nothing.
      'X-Accel-Buffering': 'no',
    });
    // HEAD gets the headers only: a stream without a body would otherwise stay open until shutdown.
    if (req.method === 'HEAD') return void res.end();
    let ended = false;
    // Assigned below; a hub that is already closed ends the stream from inside subscribe().
    let unsubscribe = () => {};
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), admin.events.heartbeatMs);
    heartbeat.unref();
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    };
    function write(text: string) {
      if (ended) return;
      if (res.writableLength > MAX_BUFFERED_BYTES) return end();
      res.write(text);
    }
    const send = (event: AdminEvent, id: number) =>
      write(`id: ${id}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`);
    unsubscribe = admin.events.subscribe({
      event(event, id) {
        if (partnerId === undefined || (partnerId !== null && event.partnerId === partnerId)) send(event, id);
      },
      end,
    });
    res.on('close', end);
    // `retry:` tells EventSource-like readers how soon to reconnect; `ready` says changes from
    // now on will arrive, so a client can fetch its lists after it without missing any.
    write('retry: 2000\n\n');
    if (!ended) send({ kind: 'ready', partnerId: requested ?? partnerId ?? null }, 0);
  });
  return router;
}
