import type { ContractValidator } from '../http/contractValidator.ts';
import type { ServerNames } from '../http/serverNames.ts';
import type { Metrics } from '../metrics/Metrics.ts';
import type { JournalStore } from '../store/SandboxStore.ts';
import type { ControlServices } from './ControlServices.ts';
import type { AdminEvents } from './events/AdminEvents.ts';
import type { components } from './generated/admin.ts';
import type { VerifyPartnerToken } from './identifyAdminCaller.ts';

export type AdminPartner = components['schemas']['AdminPartner'];

/**
 * What the admin API needs, built by the composition root (src/app/composeAdmin.ts). One member
 * per area the operator can see or steer. A new area (scenarios, clocks, submissions, callbacks,
 * reset) is one more member here, one route group in src/admin/routes/ listed in
 * ADMIN_ROUTE_GROUPS, and its paths in openapi/admin.yaml; nothing else changes shape.
 */
export interface AdminServices {
  /** openapi/admin.yaml: requests are checked against it, and responses when validation is on. */
  contract: ContractValidator;
  openApiDocument: unknown;
  /** The URL handed out to partners, without a final slash: the served document names it. */
  publicUrl: string;
  /**
   * The operator token: when set, /__admin and /metrics require `Authorization: Bearer <token>` or
   * a partner's access token; open to the operator otherwise.
   */
  token: string | undefined;
  /** The host names the admin API and the dashboard answer to, and the pages they take changes from. */
  names: ServerNames;
  /** The partner API's token check: a partner's own access token makes it the caller, scoped to its data. */
  verifyPartnerToken: VerifyPartnerToken;
  journal: JournalStore;
  /** Change notifications for GET /__admin/events (published by the composition root's watchers). */
  events: AdminEvents;
  partners: {
    list(): AdminPartner[];
    find(clientId: string): AdminPartner | undefined;
  };
  metrics: Metrics;
  /** What the control routes drive: scenarios, partner clocks, submissions, callbacks. */
  control: ControlServices;
}
