import { createTenant, listTenants } from "@fleetcore/core";
import { ZCreateTenantRequest, ZTenant } from "@fleetcore/validators";
import { z } from "zod";
import { publicProcedure, router } from "../trpc";

export const tenantRouter = router({
  /** All tenants (not soft-deleted), by name, with their vehicle counts. */
  list: publicProcedure.output(z.array(ZTenant)).query(({ ctx }) => listTenants(ctx.db)),

  /** Creates a tenant in `trial` with its `created` lifecycle event. Errors: CONFLICT (slug taken), BAD_REQUEST. */
  create: publicProcedure
    .input(ZCreateTenantRequest)
    .output(ZTenant)
    .mutation(({ ctx, input }) => createTenant(ctx.db, input)),
});
