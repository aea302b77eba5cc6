import { z } from "zod";
import { ZEmail } from "./auth";
import { ZProviderRole } from "./permissions";
import { ZCreateTenantRequest, ZTenant, ZTenantStatus } from "./tenant";

export const ACCOUNT_MANAGER_ROLES = ["owner", "coordinator", "technical_contact", "billing_contact"] as const;
export const ZAccountManagerRole = z.enum(ACCOUNT_MANAGER_ROLES);

/** Input of `provider.tenants.list`. */
export const ZListProviderTenantsRequest = z.object({
  status: ZTenantStatus.optional(),
  search: z.string().trim().max(120).optional(),
});

/** A row of the provider's tenants list. */
export const ZProviderTenant = ZTenant.extend({
  memberCount: z.number().int().nonnegative(),
  accountManagers: z.array(z.object({ name: z.string(), role: ZAccountManagerRole })),
});
export type ProviderTenant = z.infer<typeof ZProviderTenant>;

/** Input of `provider.tenants.create`: the tenant plus the email of its first owner (invited). */
export const ZProviderCreateTenantRequest = ZCreateTenantRequest.extend({
  status: z.enum(["trial", "active"]).default("trial"),
  ownerEmail: ZEmail,
  notes: z.string().trim().max(5000).optional(),
});
export type ProviderCreateTenantRequest = z.input<typeof ZProviderCreateTenantRequest>;

/** Input of `provider.tenants.changeStatus`; `reason` is kept on the lifecycle event. */
export const ZChangeTenantStatusRequest = z.object({
  tenantId: z.uuid(),
  status: ZTenantStatus,
  reason: z.string().trim().min(3).max(500),
});

/** Input of `provider.tenants.updateNotes`. */
/** Input of `provider.tenants.setRetention`: how long the tenant's positions are kept, 7–3650 days. */
export const ZSetTenantRetentionRequest = z.object({
  tenantId: z.uuid(),
  positionRetentionDays: z.number().int().min(7).max(3650),
});

export const ZUpdateTenantNotesRequest = z.object({ tenantId: z.uuid(), notes: z.string().max(10000) });

export const ZLifecycleEvent = z.object({
  id: z.uuid(),
  eventType: z.string(),
  fromStatus: ZTenantStatus.nullable(),
  toStatus: ZTenantStatus.nullable(),
  reason: z.string().nullable(),
  performedBy: z.string().nullable(),
  occurredAt: z.date(),
  details: z.record(z.string(), z.unknown()),
});

export const ZAccountManagerAssignment = z.object({
  id: z.uuid(),
  employeeId: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: ZAccountManagerRole,
  startDate: z.date(),
  endDate: z.date().nullable(),
  current: z.boolean(),
});

/** `provider.tenants.get`: everything provider staff see about one tenant. */
export const ZProviderTenantDetail = z.object({
  tenant: ZTenant.extend({ notes: z.string().nullable() }),
  lifecycleEvents: z.array(ZLifecycleEvent),
  accountManagers: z.array(ZAccountManagerAssignment),
  members: z.array(
    z.object({
      /** The membership's id. */
      id: z.uuid(),
      /** The person's user id (e.g. the requester of a ticket an agent opens on the tenant's behalf). */
      userId: z.uuid(),
      email: z.string(),
      fullName: z.string().nullable(),
      status: z.string(),
      roles: z.array(z.string()),
    }),
  ),
  pendingInvitations: z.array(z.object({ id: z.uuid(), email: z.string(), role: z.string(), expiresAt: z.date() })),
});
export type ProviderTenantDetail = z.infer<typeof ZProviderTenantDetail>;

/** Input of `provider.accountManagers.assign`. */
export const ZAssignAccountManagerRequest = z.object({
  tenantId: z.uuid(),
  employeeId: z.uuid(),
  role: ZAccountManagerRole,
  startDate: z.date(),
});

/** Input of `provider.accountManagers.end`. */
export const ZEndAccountManagerRequest = z.object({ assignmentId: z.uuid(), endDate: z.date() });

/** A provider employee (`provider.employees.list`). */
export const ZProviderEmployee = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: ZProviderRole,
  title: z.string().nullable(),
});
