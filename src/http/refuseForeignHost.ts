import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from './ProblemError.ts';
import type { ServerNames } from './serverNames.ts';

/**
 * 421 `misdirected-host` for a request whose `Host` is not one of the server's names: what a web
 * page sends after rebinding its own DNS name to this server's address, to read the admin API as
 * if it were its own origin. `exempt` lets a request through that proves it is no such page (it
 * holds the operator token, which a page cannot know).
 */
export function refuseForeignHost(
  names: ServerNames,
  options: { exempt?: (res: Response) => boolean; operatorTokenSet?: boolean } = {},
) {
  return (req: Request, res: Response, next: NextFunction) => {
    const host = req.headers.host;
    if (names.acceptsHost(host) || options.exempt?.(res)) return next();
    const message = `Host "${host}" is not a name of this server.`;
    const known = ['localhost', 'IP addresses', ...names.listed];
    const detail =
      `${message} The admin API and the dashboard answer only to ${known.slice(0, -1).join(', ')} and ${known.at(-1)}, ` +
      'so that no web page can reach them by pointing its own DNS name at this server. To use this name, ' +
      'add it to admin.allowedHosts (--admin-allowed-hosts, FACEMATCH_ADMIN_ALLOWED_HOSTS; ".example.com" takes every name under it)' +
      (options.operatorTokenSet ? ', or send the operator token, which is answered under any name.' : '.');
    next(
      new ProblemError('misdirected-host', {
        detail,
        errors: [{ location: 'header', field: 'Host', message }],
      }),
    );
  };
}
