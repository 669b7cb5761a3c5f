import type { IHttpOperation } from '@stoplight/types';
import type { Request } from 'express';

/**
 * The media types an operation's request body may have, as the OpenAPI document lists them: what
 * a 415 tells the sender to send instead. None: the operation takes no body (see `takesNoBody`).
 */
export function acceptedMediaTypes(operation: IHttpOperation | undefined): string[] {
  return (operation?.request?.body?.contents ?? []).map((content) => content.mediaType);
}

/** A 415's advice for an operation that takes no body (an admin reset, which clients often send `{}` to). */
export function takesNoBody(req: Request): string {
  return `${req.method} ${req.path} takes no request body: send it without one`;
}
