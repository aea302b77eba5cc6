import { createDisplayToken, listDisplayTokens, revokeDisplayToken } from "@fleetcore/core";
import {
  ZCreateDisplayTokenRequest,
  ZCreatedDisplayToken,
  ZDisplayToken,
  ZRevokeDisplayTokenRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

/** Wall-display tokens of the active tenant (displays:read / displays:write). */
export const displayRouter = router({
  /** All tokens, newest first, with live session counts. */
  list: permittedProcedure("displays", "read")
    .output(z.array(ZDisplayToken))
    .query(({ ctx }) => listDisplayTokens(ctx.db, ctx.tenantId)),

  /** Creates a token; the token and the path to open (`/display/<token>`) are returned this once. */
  create: permittedProcedure("displays", "write")
    .input(ZCreateDisplayTokenRequest)
    .output(ZCreatedDisplayToken)
    .mutation(({ ctx, input }) => createDisplayToken(ctx, ctx.tenantId, input)),

  /** Revokes a token and ends its screens' sessions. NOT_FOUND if unknown or already revoked. */
  revoke: permittedProcedure("displays", "write")
    .input(ZRevokeDisplayTokenRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeDisplayToken(ctx, ctx.tenantId, input.displayTokenId);
      return { ok: true as const };
    }),
});
