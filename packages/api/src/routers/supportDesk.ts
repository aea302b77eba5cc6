import {
  assignTicket,
  changeTicketStatus,
  createTicketForTenant,
  getTicketDetail,
  listSupportAgents,
  listSupportQueue,
  replyAsAgent,
  tenantSupportHistory,
  updateTicketFields,
} from "@fleetcore/core";
import {
  ZAgentCreateTicketRequest,
  ZAgentReplyRequest,
  ZAssignTicketRequest,
  ZChangeTicketStatusRequest,
  ZSupportAgent,
  ZSupportQueueRequest,
  ZTenantSupportHistory,
  ZTicketDetail,
  ZTicketIdRequest,
  ZTicketMutationResult,
  ZTicketSummary,
  ZUpdateTicketRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { deliverSupportOutcome } from "../support";
import { providerProcedure, router } from "../trpc";

/** Staff who read the support desk: every staff role (account managers and analysts read only). */
const readDesk = providerProcedure("admin", "support_agent", "account_manager", "analyst");
/** Staff who answer and change tickets. */
const workDesk = providerProcedure("admin", "support_agent");

/**
 * The provider's support desk: the queue across tenants and the agent's view of a ticket, in the
 * provider scope. Admins and support agents answer, note, assign and move tickets; account managers
 * and analysts read. Every change is audited on the ticket's tenant and emitted as `ticket:updated`
 * after commit (internal notes to the support room only).
 */
export const supportDeskRouter = router({
  /**
   * Tickets across tenants, filtered by status ("active" by default), priority, category, tenant and
   * assignee ("me", "unassigned" or an employee id); sorted by SLA (nearest running due time first,
   * breached first) or by age (oldest first). At most 500.
   */
  queue: readDesk
    .input(ZSupportQueueRequest)
    .output(z.array(ZTicketSummary))
    .query(({ ctx, input }) => listSupportQueue(ctx.db, input, { employeeId: ctx.employee.id })),

  /** One ticket with public replies and internal notes, attachments, status history and CSAT. NOT_FOUND. */
  get: readDesk
    .input(ZTicketIdRequest)
    .output(ZTicketDetail)
    .query(({ ctx, input }) =>
      getTicketDetail(ctx.db, input.ticketId, {
        side: "agent",
        userId: ctx.user.id,
        canWrite: ctx.employee.role === "admin" || ctx.employee.role === "support_agent",
      }),
    ),

  /** The ticket's tenant's whole history: all its tickets and CSAT/NPS answers. NOT_FOUND. */
  tenantHistory: readDesk
    .input(z.object({ tenantId: z.uuid() }))
    .output(ZTenantSupportHistory)
    .query(({ ctx, input }) => tenantSupportHistory(ctx.db, input.tenantId)),

  /** Employees who can be assigned tickets (active admins and support agents), by name. */
  agents: readDesk.output(z.array(ZSupportAgent)).query(({ ctx }) => listSupportAgents(ctx.db)),

  /**
   * A public reply (the requester is notified; the first one sets the first-response time) or an
   * internal note (`internal: true`; tenant never sees or hears of it), with the agent's uploads;
   * `status` moves the ticket afterwards. CONFLICT for a public reply on a closed ticket.
   */
  reply: workDesk
    .input(ZAgentReplyRequest)
    .output(ZTicketMutationResult)
    .mutation(async ({ ctx, input }) => {
      const { result, outcome } = await replyAsAgent(ctx, { userId: ctx.user.id, employeeId: ctx.employee.id }, input);
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return result;
    }),

  /** Moves the ticket (core/support/ticketStatus.ts); BAD_REQUEST for an illegal move, naming both states. */
  changeStatus: workDesk
    .input(ZChangeTicketStatusRequest)
    .output(ZTicketMutationResult)
    .mutation(async ({ ctx, input }) => {
      const { result, outcome } = await changeTicketStatus(
        ctx,
        { userId: ctx.user.id, employeeId: ctx.employee.id },
        input,
      );
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return result;
    }),

  /** Assigns to an admin or support agent (notified), or unassigns (`employeeId: null`). NOT_FOUND, BAD_REQUEST. */
  assign: workDesk
    .input(ZAssignTicketRequest)
    .output(ZTicketMutationResult)
    .mutation(async ({ ctx, input }) => {
      const { result, outcome } = await assignTicket(ctx, { userId: ctx.user.id, employeeId: ctx.employee.id }, input);
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return result;
    }),

  /** Changes priority (recomputing the SLA due times) and/or category. NOT_FOUND. */
  update: workDesk
    .input(ZUpdateTicketRequest)
    .output(ZTicketMutationResult)
    .mutation(async ({ ctx, input }) => {
      const { result, outcome } = await updateTicketFields(ctx, input);
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return result;
    }),

  /** Opens a ticket on behalf of an active member of a tenant (who is notified). NOT_FOUND, BAD_REQUEST. */
  createForTenant: workDesk
    .input(ZAgentCreateTicketRequest)
    .output(ZTicketSummary)
    .mutation(async ({ ctx, input }) => {
      const { ticket, outcome } = await createTicketForTenant(
        ctx,
        { userId: ctx.user.id, employeeId: ctx.employee.id },
        input,
      );
      await deliverSupportOutcome(ctx, ctx.db, outcome);
      return ticket;
    }),
});
