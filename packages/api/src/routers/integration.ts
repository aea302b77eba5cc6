import { createIntegration, deleteIntegration, listIntegrations, updateIntegration } from "@fleetcore/core";
import {
  ZCreateIntegrationRequest,
  ZIntegration,
  ZIntegrationIdRequest,
  ZUpdateIntegrationRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

/**
 * WhatsApp Cloud API and Samsara integrations of the caller's tenant. Secrets (app secret, verify
 * token, access token, Samsara webhook secret) are write-only: answers say whether each is set.
 * Reads need integrations:read, changes integrations:write; ids of other tenants are NOT_FOUND.
 */
export const integrationRouter = router({
  list: permittedProcedure("integrations", "read")
    .output(z.array(ZIntegration))
    .query(({ ctx }) => listIntegrations(ctx.db, ctx.tenantId)),

  /** Connects a WhatsApp phone number id or a Samsara org. BAD_REQUEST, CONFLICT (already connected). */
  create: permittedProcedure("integrations", "write")
    .input(ZCreateIntegrationRequest)
    .output(ZIntegration)
    .mutation(({ ctx, input }) => createIntegration(ctx, ctx.tenantId, input)),

  /** Changes fields; secrets only when given. NOT_FOUND, BAD_REQUEST, CONFLICT. */
  update: permittedProcedure("integrations", "write")
    .input(ZUpdateIntegrationRequest)
    .output(ZIntegration)
    .mutation(({ ctx, input }) => {
      const { integrationId, ...patch } = input;
      return updateIntegration(ctx, ctx.tenantId, integrationId, patch);
    }),

  /** Disconnects: its webhooks are refused from then on. NOT_FOUND. */
  delete: permittedProcedure("integrations", "write")
    .input(ZIntegrationIdRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteIntegration(ctx, ctx.tenantId, input.integrationId);
      return { ok: true as const };
    }),
});
