import { createTicket, getTicketDetail, listTenantTickets, replyAsCustomer, resolveAsCustomer } from "@fleetcore/core";
import {
  hasPermission,
  ZCreateTicketRequest,
  ZListTicketsRequest,
  ZReplyTicketRequest,
  ZTicketDetail,
  ZTicketIdRequest,
  ZTicketMutationResult,
  ZTicketSummary,
} from "@fleetcore/validators";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { deliverSupportOutcome } from "../support";
import { permittedProcedure, router } from "../trpc";

/**
 * Changes on the requester's side are made by the tenant's own members: provider staff visiting a
 * tenant answer from the support desk (`supportDesk.*`), where their replies count as the agent's.
 */
const requesterProcedure = permittedProcedure("support", "write").use(({ ctx, next }) => {
  const user = ctx.session.user;
  if (ctx.tenant.access !== "member" || !user) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Provider staff answer tickets from the support desk" });
  }
  return next({ ctx: { user } });
});

/**
 * Support tickets of the caller's active tenant (the requester's side). Reads need support:read,
 * changes support:write and tenant membership. Row-level security keeps internal notes and other
 * tenants' tickets out of every answer: another tenant's ticket id is NOT_FOUND.
 */
export const ticketRouter = router({
  /** The tenant's tickets, newest first; `status` filters. */
  list: permittedProcedure("support", "read")
    .input(ZListTicketsRequest)
    .output(z.array(ZTicketSummary))
    .query(({ ctx, input }) => listTenantTickets(ctx.db, ctx.tenantId, input)),

  /** One ticket with its public thread, attachments, status history and CSAT request. NOT_FOUND. */
  get: permittedProcedure("support", "read")
    .input(ZTicketIdRequest)
    .output(ZTicketDetail)
    .query(({ ctx, input }) =>
      getTicketDetail(ctx.db, input.ticketId, {
        side: "requester",
        userId: ctx.session.user?.id ?? "",
        tenantId: ctx.tenantId,
        canWrite: ctx.tenant.access === "member" && hasPermission(ctx.tenant.permissions, "support", "write"),
      }),
    ),

  /**
   * Opens a ticket (the caller is the requester): SLA due times from the priority's policy, uploads
   * (`fileIds` from POST /api/files) attached, support staff notified. BAD_REQUEST for bad input or
   * files that are not the caller's unattached uploads in this tenant.
   */
  create: requesterProcedure
    .input(ZCreateTicketRequest)
    .output(ZTicketSummary)
    .mutation(async ({ ctx, input }) => {
      const { ticket, outcome } = await createTicket(ctx, ctx.tenantId, ctx.user.id, input);
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return ticket;
    }),

  /**
   * A public reply. It moves a ticket awaiting the customer back to in progress and reopens a resolved
   * one; CONFLICT for a closed ticket ("closed tickets cannot be reopened"). NOT_FOUND, BAD_REQUEST.
   */
  reply: requesterProcedure
    .input(ZReplyTicketRequest)
    .output(ZTicketMutationResult)
    .mutation(async ({ ctx, input }) => {
      const { result, outcome } = await replyAsCustomer(ctx, ctx.tenantId, ctx.user.id, input);
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return result;
    }),

  /** Marks the ticket resolved (creates the CSAT request). BAD_REQUEST when already resolved or closed. */
  resolve: requesterProcedure
    .input(ZTicketIdRequest)
    .output(ZTicketMutationResult)
    .mutation(async ({ ctx, input }) => {
      const { result, outcome } = await resolveAsCustomer(ctx, ctx.tenantId, ctx.user.id, input.ticketId);
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return result;
    }),
});
