import {
  assignAccountManager,
  changeTenantStatus,
  createTenantWithOwner,
  endAccountManager,
  getProviderTenant,
  listAuditLog,
  listProviderEmployees,
  listProviderTenants,
  setTenantRetention,
  updateTenantNotes,
} from "@fleetcore/core";
import {
  ZAssignAccountManagerRequest,
  ZAuditLogPage,
  ZChangeTenantStatusRequest,
  ZEndAccountManagerRequest,
  ZListAuditLogRequest,
  ZListProviderTenantsRequest,
  ZProviderCreateTenantRequest,
  ZProviderEmployee,
  ZProviderTenant,
  ZProviderTenantDetail,
  ZSetTenantRetentionRequest,
  ZTenant,
  ZUpdateTenantNotesRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { providerProcedure, router } from "../trpc";

const ZOk = z.object({ ok: z.literal(true) });

/**
 * The provider's back office. Every staff role reads; admins create tenants and change status;
 * admins and account managers keep notes and account-manager assignments.
 */
export const providerRouter = router({
  tenants: router({
    /** All tenants with counts and current account managers. Any staff role. */
    list: providerProcedure()
      .input(ZListProviderTenantsRequest)
      .output(z.array(ZProviderTenant))
      .query(({ ctx, input }) => listProviderTenants(ctx.db, input)),

    /** One tenant: notes, lifecycle, account managers, members, pending invitations. NOT_FOUND. */
    get: providerProcedure()
      .input(z.object({ tenantId: z.uuid() }))
      .output(ZProviderTenantDetail)
      .query(({ ctx, input }) => getProviderTenant(ctx.db, input.tenantId)),

    /** Creates a tenant and emails its first owner an invitation. Admins. CONFLICT (slug). */
    create: providerProcedure("admin")
      .input(ZProviderCreateTenantRequest)
      .output(ZTenant)
      .mutation(({ ctx, input }) =>
        createTenantWithOwner(ctx, input, { email: ctx.services.email, publicUrl: ctx.services.publicUrl }),
      ),

    /** trial → active → suspended → closed (and back from suspended), with a lifecycle event. Admins. */
    changeStatus: providerProcedure("admin")
      .input(ZChangeTenantStatusRequest)
      .output(ZTenant)
      .mutation(({ ctx, input }) => changeTenantStatus(ctx, input)),

    /** How long the tenant's positions are kept (7–3650 days; applied by the retention job). Admins. */
    setRetention: providerProcedure("admin")
      .input(ZSetTenantRetentionRequest)
      .output(ZTenant)
      .mutation(({ ctx, input }) => setTenantRetention(ctx, input)),

    /** Replaces the internal notes (never shown to the tenant). Admins and account managers. */
    updateNotes: providerProcedure("admin", "account_manager")
      .input(ZUpdateTenantNotesRequest)
      .output(ZOk)
      .mutation(async ({ ctx, input }) => {
        await updateTenantNotes(ctx, input);
        return { ok: true as const };
      }),
  }),

  accountManagers: router({
    /** Assigns a provider employee to a tenant in a role from a date. Admins and account managers. */
    assign: providerProcedure("admin", "account_manager")
      .input(ZAssignAccountManagerRequest)
      .output(ZOk)
      .mutation(async ({ ctx, input }) => {
        await assignAccountManager(ctx, input);
        return { ok: true as const };
      }),

    /** Ends an assignment on a date. Admins and account managers. */
    end: providerProcedure("admin", "account_manager")
      .input(ZEndAccountManagerRequest)
      .output(ZOk)
      .mutation(async ({ ctx, input }) => {
        await endAccountManager(ctx, input);
        return { ok: true as const };
      }),
  }),

  employees: router({
    /** Active provider staff, by name. */
    list: providerProcedure()
      .output(z.array(ZProviderEmployee))
      .query(({ ctx }) => listProviderEmployees(ctx.db)),
  }),

  audit: router({
    /** The audit log across tenants (optionally one). Admins, account managers and support agents. */
    list: providerProcedure("admin", "account_manager", "support_agent")
      .input(ZListAuditLogRequest)
      .output(ZAuditLogPage)
      .query(({ ctx, input }) => listAuditLog(ctx.db, input)),
  }),
});
