import { answerFeedback, listPendingFeedback, listTenantFeedback, requestNps } from "@fleetcore/core";
import { ZAnswerFeedbackRequest, ZFeedbackItem, ZRequestNpsRequest } from "@fleetcore/validators";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { deliverSupportOutcome } from "../support";
import { permittedProcedure, providerProcedure, router } from "../trpc";

/**
 * Customer feedback: CSAT (1–5, asked when a ticket is resolved) and NPS (0–10, asked by provider
 * staff of a tenant's owners and admins by default). Tenant users list and answer their own pending
 * requests; provider staff ask for NPS and read a tenant's answers.
 */
export const feedbackRouter = router({
  /** The caller's unanswered CSAT and NPS requests in the active tenant, newest first. */
  listPending: permittedProcedure("support", "read")
    .output(z.array(ZFeedbackItem))
    .query(({ ctx }) => {
      const userId = ctx.session.user?.id;
      return userId ? listPendingFeedback(ctx.db, ctx.tenantId, userId) : [];
    }),

  /**
   * Answers one of the caller's requests: CSAT 1–5 (may change until the ticket closes), NPS 0–10
   * (once). NOT_FOUND (someone else's), BAD_REQUEST (range), CONFLICT (already answered / closed).
   */
  answer: permittedProcedure("support", "read")
    .input(ZAnswerFeedbackRequest)
    .output(ZFeedbackItem)
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.session.user?.id;
      if (!userId || ctx.tenant.access !== "member") {
        throw new TRPCError({ code: "FORBIDDEN", message: "Only the tenant's members answer feedback requests" });
      }
      const { item, outcome } = await answerFeedback(ctx, ctx.tenantId, userId, input);
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return item;
    }),

  /**
   * Asks a tenant's active members with the given roles (default owner and admin) for an NPS answer:
   * one pending request each (members with one pending are skipped), each notified. Admins, account
   * managers and support agents. NOT_FOUND.
   */
  requestNps: providerProcedure("admin", "account_manager", "support_agent")
    .input(ZRequestNpsRequest)
    .output(z.object({ requested: z.number().int(), skipped: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const { requested, skipped, outcome } = await requestNps(ctx, ctx.user.id, input);
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return { requested, skipped };
    }),

  /** Every CSAT and NPS request and answer of a tenant, newest first. Any staff role. */
  listForTenant: providerProcedure()
    .input(z.object({ tenantId: z.uuid() }))
    .output(z.array(ZFeedbackItem))
    .query(({ ctx, input }) => listTenantFeedback(ctx.db, input.tenantId)),
});
