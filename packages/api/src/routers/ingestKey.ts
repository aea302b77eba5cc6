import { createIngestApiKey, listIngestApiKeys, revokeIngestApiKey } from "@fleetcore/core";
import { ZIngestApiKey } from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

/** API keys of the batch ingest endpoint `POST /ingest/positions` (integrations:read / write). */
export const ingestKeyRouter = router({
  /** The tenant's keys (prefix only), newest first. */
  list: permittedProcedure("integrations", "read")
    .output(z.array(ZIngestApiKey))
    .query(({ ctx }) => listIngestApiKeys(ctx.db, ctx.tenantId)),

  /** Creates a key; the key is returned this once (send it as `Authorization: Bearer <key>`). */
  create: permittedProcedure("integrations", "write")
    .input(z.object({ name: z.string().trim().min(1).max(80) }))
    .output(z.object({ key: z.string(), apiKey: ZIngestApiKey }))
    .mutation(({ ctx, input }) => createIngestApiKey(ctx, ctx.tenantId, input.name)),

  /** Revokes a key at once. NOT_FOUND if unknown or already revoked. */
  revoke: permittedProcedure("integrations", "write")
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeIngestApiKey(ctx, ctx.tenantId, input.id);
      return { ok: true as const };
    }),
});
