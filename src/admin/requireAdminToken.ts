import { identifyAdminCaller } from './identifyAdminCaller.ts';

/**
 * The operator token alone, for what only the operator reaches even without the admin API in
 * front of it (a worker's /metrics): open while none is configured, a 401 otherwise.
 */
export function requireAdminToken(token: string | undefined) {
  return identifyAdminCaller({ operatorToken: token });
}
