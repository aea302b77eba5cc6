import { listAuditLog } from "@fleetcore/core";
import { ZAuditLogPage, ZListAuditLogRequest } from "@fleetcore/validators";
import { permittedProcedure, router } from "../trpc";

/** The active tenant's audit log (audit:read: owners and admins). */
export const auditRouter = router({
  /** Entries newest first with filters and a cursor; only this tenant's (the input's tenantId is ignored). */
  list: permittedProcedure("audit", "read")
    .input(ZListAuditLogRequest)
    .output(ZAuditLogPage)
    .query(({ ctx, input }) => listAuditLog(ctx.db, { ...input, tenantId: ctx.tenantId })),
});
