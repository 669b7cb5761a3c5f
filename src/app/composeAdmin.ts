import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { AdminServices } from '../admin/AdminServices.ts';
import type { ControlServices } from '../admin/ControlServices.ts';
import type { AdminEvents } from '../admin/events/AdminEvents.ts';
import type { VerifyPartnerToken } from '../admin/identifyAdminCaller.ts';
import { maskPartner } from '../admin/maskPartner.ts';
import type { Partner } from '../auth/Partner.ts';
import type { Config } from '../config/configSchema.ts';
import { loadContractValidator } from '../http/contractValidator.ts';
import { serverNames } from '../http/serverNames.ts';
import type { Metrics } from '../metrics/Metrics.ts';
import type { JournalStore } from '../store/SandboxStore.ts';
import { ADMIN_OPENAPI_PATH } from './projectFiles.ts';

/**
 * Wires the admin API's members from what composeServices has built. Kept apart from
 * composeServices so a new admin area adds a parameter and a member here, not lines there.
 */
export async function composeAdmin(p: {
  config: Config;
  /** The URL handed out to partners: its host is one of the names the admin API answers to. */
  publicUrl: string;
  partners: ReadonlyMap<string, Partner>;
  journal: JournalStore;
  events: AdminEvents;
  metrics: Metrics;
  control: ControlServices;
  /** The partner API's own token check, so a partner's access token reaches its own admin data. */
  verifyPartnerToken: VerifyPartnerToken;
}): Promise<AdminServices> {
  const { partners } = p;
  // Parsed once: the validator and GET /__admin/openapi.json share the same document.
  const openApiDocument = parseYaml(readFileSync(ADMIN_OPENAPI_PATH, 'utf8')) as object;
  return {
    contract: await loadContractValidator(openApiDocument),
    openApiDocument,
    publicUrl: p.publicUrl,
    token: p.config.admin.token,
    names: serverNames({
      publicUrl: p.publicUrl,
      listenHost: p.config.host,
      allowedHosts: p.config.admin.allowedHosts,
    }),
    verifyPartnerToken: p.verifyPartnerToken,
    journal: p.journal,
    events: p.events,
    partners: {
      list: () => [...partners.values()].map(maskPartner),
      find: (clientId) => {
        const partner = partners.get(clientId);
        return partner && maskPartner(partner);
      },
    },
    metrics: p.metrics,
    control: p.control,
  };
}
