import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import { whenAnswered } from '../http/whenAnswered.ts';
import type { JournalStore } from '../store/SandboxStore.ts';
import type { JournalArea } from './JournalEntry.ts';
import { nearMissOf } from './nearMissTag.ts';
import { redactPath } from './redactPath.ts';

export interface JournalRequestsOptions {
  journal: Pick<JournalStore, 'record'>;
  /** Told when an entry could not be recorded; the request was answered all the same. */
  onError: (error: unknown) => void;
  now: () => Date;
  /** Requests not worth recording (the admin API reading the journal would fill it with itself). */
  skip: (path: string) => boolean;
  /**
   * The submission an object key of the bucket belongs to, when it is cheap to know; bucket
   * requests carry no bearer token, so this is the only way to tell whose upload failed.
   */
  objectOwner?: (key: string) => Promise<{ correlationId: string; partnerId: string } | undefined>;
  /**
   * The partner a bearer token speaks for, if it verifies: requests refused before any route
   * checked their token (a wrong Content-Type, a missing field) still belong to their partner.
   */
  bearerPartner?: (token: string) => Promise<string | undefined>;
  /** Business time now on a partner's test clock; without it `businessAt` is the wall-clock time. */
  businessNow?: (partnerId: string) => Promise<Date>;
}

/**
 * Records every request as its answer goes out: who, what, how it ended, and for a
 * refusal the rule that refused it, read from the tag the refusing code left (nearMissTag.ts).
 */
export function journalRequests(options: JournalRequestsOptions) {
  const { journal, now, skip, objectOwner, bearerPartner, businessNow, onError } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    const url = req.originalUrl;
    const path = pathOf(url);
    if (skip(path)) return next();
    const arrived = now();
    const at = arrived.toISOString();
    const started = performance.now();
    whenAnswered(res, (answered) => {
      const status = answered || res.headersSent ? res.statusCode : 0;
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      // After the answer, off its path: who it belonged to may take a look-up in the store.
      void record(status, durationMs).catch(onError);
    });
    async function record(status: number, durationMs: number) {
      const area = areaOf(path);
      const owner = area === 'bucket' ? await ownerOf(path, objectOwner) : undefined;
      const partner =
        (res.locals.partner as { clientId?: string } | undefined)?.clientId ??
        (await partnerOfBearer(req, bearerPartner));
      const refused = status >= 400 && status < 500;
      const partnerId = partner ?? owner?.partnerId ?? null;
      await journal.record({
        at,
        businessAt: partnerId === null ? null : await businessTime(arrived, now(), partnerId, businessNow),
        method: req.method,
        path: redactPath(url),
        area,
        status,
        durationMs,
        partnerId,
        correlationId: owner?.correlationId ?? submissionIdOf(path),
        nearMiss: refused
          ? (nearMissOf(res) ?? { rule: `http-${status}`, message: 'Refused without a named rule.' })
          : null,
      });
    }
    next();
  };
}

/**
 * The arrival shifted by the partner's clock offset as it stands at the answer: the partner is
 * only known once the request has been handled. (Partner requests never move a clock; only the
 * admin API does, and it is not journalled.)
 */
async function businessTime(
  arrived: Date,
  wallNow: Date,
  partnerId: string,
  businessNow: JournalRequestsOptions['businessNow'],
): Promise<string> {
  if (!businessNow) return arrived.toISOString();
  const offsetMs = (await businessNow(partnerId)).getTime() - wallNow.getTime();
  return new Date(arrived.getTime() + offsetMs).toISOString();
}

async function partnerOfBearer(req: Request, bearerPartner: JournalRequestsOptions['bearerPartner']) {
  const token = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
  return token && bearerPartner ? bearerPartner(token) : undefined;
}

function pathOf(url: string): string {
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}

function areaOf(path: string): JournalArea {
  if (path.startsWith('/bucket/')) return 'bucket';
  if (path.startsWith('/v1/modules/')) return 'module';
  return 'api';
}

function submissionIdOf(path: string): string | null {
  const id = /^\/v1\/submissions\/([^/]+)/.exec(path)?.[1];
  return id ? safeDecode(id) : null;
}

async function ownerOf(path: string, objectOwner: JournalRequestsOptions['objectOwner']) {
  const key = safeDecode(path.slice('/bucket/'.length));
  return objectOwner?.(key);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
