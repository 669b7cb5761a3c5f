import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Response } from 'express';
import { ProblemError } from './ProblemError.ts';
import { renderProblem } from './renderProblem.ts';

export interface ConnectionTimeouts {
  headersTimeoutMs: number;
  bodyIdleTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** The options node:http takes at creation for the timeouts it enforces itself. */
export function serverTimeoutOptions(t: ConnectionTimeouts) {
  return {
    headersTimeout: t.headersTimeoutMs,
    requestTimeout: Math.max(t.requestTimeoutMs, t.headersTimeoutMs),
    keepAliveTimeout: t.keepAliveTimeoutMs,
    // How often node checks those two; its default (30 s) let unfinished headers live 80 s.
    connectionsCheckingInterval: Math.min(1000, t.headersTimeoutMs / 2),
  };
}

/**
 * What node:http does not time out by itself, done with each socket's inactivity timer, which
 * counts bytes both ways and reads nothing: a connection that sends nothing, or stays silent after
 * its answer, is closed after `idleTimeoutMs`; a request body that stops arriving for
 * `bodyIdleTimeoutMs` is answered 408 and its connection closed (the body parser, waiting for the
 * rest, then lets go), except on the bucket, which reads its own uploads with its own timer and
 * answers as S3 does. A request whose body has arrived is never cut while its answer is worked on
 * (a clock advance may take a while).
 */
export function timeOutIdleConnections(server: Server, t: ConnectionTimeouts): void {
  const inFlight = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>();
  /** Bytes a socket had read when its last request was answered: more since is a request arriving. */
  const readAtRest = new WeakMap<Socket, number>();
  server.on('connection', (socket: Socket) => socket.setTimeout(t.idleTimeoutMs));
  // On the server, not the socket: node:http destroys a timed-out socket itself unless the server
  // (or the request, or the response) listens for 'timeout', and its own listener runs first.
  server.on('timeout', (socket: Socket) => {
    const current = inFlight.get(socket);
    if (!current) {
      // Headers on their way: node's headers time-out answers those, with a 408.
      if (socket.bytesRead > (readAtRest.get(socket) ?? 0)) return;
      return socket.destroy();
    }
    const { req, res } = current;
    if (req.complete || res.headersSent || (req.url ?? '').startsWith('/bucket/')) return;
    const detail = `No byte of the body arrived for ${Math.round(t.bodyIdleTimeoutMs / 1000)} s (connections.bodyIdleTimeoutSeconds); nothing was changed. Send the request again.`;
    renderProblem(
      res as Response,
      new ProblemError(
        'request-timeout',
        { detail, headers: { Connection: 'close' } },
        { rule: 'body-stalled', message: detail },
      ),
      req.url ?? '/',
    );
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { socket } = req;
    inFlight.set(socket, { req, res });
    if (!req.complete) {
      socket.setTimeout(t.bodyIdleTimeoutMs);
      // The body has arrived: the answer is being worked on. (A body-less request may only end after
      // its answer went out: then the keep-alive timer set below stays.)
      req.once('end', () => {
        if (!res.writableEnded) socket.setTimeout(t.idleTimeoutMs);
      });
    }
    const settle = () => {
      if (inFlight.get(socket)?.req === req) inFlight.delete(socket);
      readAtRest.set(socket, socket.bytesRead);
      // node:http arms its keep-alive time-out on this same timer as the answer finishes, just
      // before this runs: setting the idle time here would undo it (a kept-alive connection held 30 s).
      socket.setTimeout(Math.min(t.idleTimeoutMs, t.keepAliveTimeoutMs));
    };
    res.once('finish', settle);
    res.once('close', settle);
  });
}
