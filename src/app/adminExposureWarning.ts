import { meansAnyHost } from '../http/serverNames.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);

/**
 * The admin API is open by default, which is safe only while nobody else can reach it. Listening
 * beyond loopback (0.0.0.0 in a container, a LAN address) without a token lets anyone on that
 * network read the journal and, once the lead's actions land, reset or steer the server.
 */
export function adminExposureWarning(host: string, adminToken: string | undefined): string | null {
  if (adminToken !== undefined || LOOPBACK_HOSTS.has(host.toLowerCase()) || host.startsWith('127.'))
    return null;
  return (
    `the admin API (/__admin, /metrics) is open to anyone who can reach ${host}: ` +
    'set --admin-token (or FACEMATCH_ADMIN_TOKEN) unless this network is yours alone.'
  );
}

/**
 * `admin.allowedHosts: ["*"]` turns the Host check off: any web page the developer visits can then
 * point its own DNS name at this server and read the admin API as its own origin (open, or with a
 * partner's token from the demo credentials every page can know).
 */
export function anyHostWarning(allowedHosts: readonly string[]): string | null {
  if (!allowedHosts.some(meansAnyHost)) return null;
  return (
    'admin.allowedHosts is * (any host name): a web page can reach the admin API and the dashboard through ' +
    'DNS rebinding and read face images; list the names instead (--admin-allowed-hosts).'
  );
}
