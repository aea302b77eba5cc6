import { acceptInvitation, declineInvitation, previewInvitation } from "@fleetcore/core";
import { ZAcceptInvitationRequest, ZInvitationPreview, ZInvitationTokenRequest, ZMe } from "@fleetcore/validators";
import { z } from "zod";
import { publicProcedure, router } from "../trpc";
import { meForToken } from "./auth";

/** The invitee's side of invitations: anyone holding the emailed link. */
export const invitationRouter = router({
  /** Tenant, role and email of an invitation, and whether the email already has an account. NOT_FOUND for a bad link. */
  preview: publicProcedure
    .input(ZInvitationTokenRequest)
    .output(ZInvitationPreview)
    .query(({ ctx, input }) => previewInvitation(ctx.prisma, input.token)),

  /**
   * Accepts: a new account from fullName + password, or the signed-in account with the invited
   * email. Joins the tenant with the invited role and signs in there (sets the cookie).
   * Errors: NOT_FOUND, BAD_REQUEST (used/expired/missing fields), UNAUTHORIZED (sign in first),
   * FORBIDDEN (signed in as someone else).
   */
  accept: publicProcedure
    .input(ZAcceptInvitationRequest)
    .output(ZMe)
    .mutation(async ({ ctx, input }) => {
      const result = await acceptInvitation(ctx.prisma, input, {
        signedInUser: ctx.session?.user ?? null,
        meta: ctx.meta,
      });
      ctx.cookies.set(result.token, result.expiresAt);
      return meForToken(ctx, result.token);
    }),

  /** Declines an invitation. Errors: NOT_FOUND, BAD_REQUEST (already answered or expired). */
  decline: publicProcedure
    .input(ZInvitationTokenRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await declineInvitation(ctx.prisma, input.token, ctx.meta);
      return { ok: true as const };
    }),
});
