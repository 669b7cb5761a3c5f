import type { Response } from 'express';

/**
 * Calls `callback` once, as soon as the response's end is written (`answered` true), or when the
 * connection closes without one (`answered` false, the client went away). At end() rather than on
 * 'finish': 'finish' waits for the socket write, and a client that got the bytes may already have
 * asked the admin API about this very request.
 */
export function whenAnswered(res: Response, callback: (answered: boolean) => void): void {
  let done = false;
  const once = (answered: boolean) => {
    if (done) return;
    done = true;
    callback(answered);
  };
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    once(true);
    return end(...args);
  }) as Response['end'];
  res.once('close', () => once(res.writableFinished));
}
