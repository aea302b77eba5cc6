/**
 * CRM, sales side: leads, opportunities (the pipeline board) and the forecast. Thin: each
 * procedure validates, checks the staff role and delegates to @fleetcore/core (crm/*).
 * Roles: every staff role reads; admins and account managers write; admins alone reopen closed
 * opportunities and edit stage probabilities. Tenant users get FORBIDDEN everywhere.
 */
import {
  convertLead,
  createLead,
  createOpportunity,
  deleteLead,
  deleteOpportunity,
  getBoard,
  getForecast,
  getLead,
  getOpportunity,
  listLeads,
  listOpportunities,
  listStageProbabilities,
  moveOpportunityStage,
  reopenOpportunity,
  setLeadStatus,
  setStageProbability,
  updateLead,
  updateOpportunity,
} from "@fleetcore/core";
import {
  ZConvertCrmLeadRequest,
  ZConvertCrmLeadResponse,
  ZCreateCrmLeadRequest,
  ZCreateCrmOpportunityRequest,
  ZCrmBoard,
  ZCrmBoardRequest,
  ZCrmForecast,
  ZCrmForecastRequest,
  ZCrmLead,
  ZCrmLeadIdRequest,
  ZCrmOpportunity,
  ZCrmOpportunityIdRequest,
  ZCrmStageProbability,
  ZListCrmLeadsRequest,
  ZListCrmOpportunitiesRequest,
  ZMoveCrmOpportunityRequest,
  ZReopenCrmOpportunityRequest,
  ZSetCrmLeadStatusRequest,
  ZSetCrmStageProbabilityRequest,
  ZUpdateCrmLeadRequest,
  ZUpdateCrmOpportunityRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { providerProcedure, router } from "../trpc";

const ZOk = z.object({ ok: z.literal(true) });

/** Any staff role (admin, account_manager, support_agent, analyst). */
export const crmRead = providerProcedure();
/** Admins and account managers. */
export const crmWrite = providerProcedure("admin", "account_manager");
/** Provider admins. */
export const crmAdmin = providerProcedure("admin");

export const crmLeadRouter = router({
  /** Live leads, newest first; filters: status, priority, source, owner, search (company, contact, email). */
  list: crmRead
    .input(ZListCrmLeadsRequest)
    .output(z.array(ZCrmLead))
    .query(({ ctx, input }) => listLeads(ctx.db, input)),

  /** One lead. NOT_FOUND. */
  get: crmRead
    .input(ZCrmLeadIdRequest)
    .output(ZCrmLead)
    .query(({ ctx, input }) => getLead(ctx.db, input.leadId)),

  /** Creates a lead (new, or contacted/qualified). BAD_REQUEST for an unknown owner. */
  create: crmWrite
    .input(ZCreateCrmLeadRequest)
    .output(ZCrmLead)
    .mutation(({ ctx, input }) => createLead(ctx, input)),

  /** Edits the given fields (not the status). NOT_FOUND, BAD_REQUEST. */
  update: crmWrite
    .input(ZUpdateCrmLeadRequest)
    .output(ZCrmLead)
    .mutation(({ ctx, input }) => updateLead(ctx, input)),

  /** Moves the status by CRM_LEAD_TRANSITIONS; BAD_REQUEST with the reason otherwise. */
  setStatus: crmWrite
    .input(ZSetCrmLeadStatusRequest)
    .output(ZCrmLead)
    .mutation(({ ctx, input }) => setLeadStatus(ctx, input)),

  /** Soft-deletes a lead. NOT_FOUND. */
  delete: crmWrite
    .input(ZCrmLeadIdRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await deleteLead(ctx, input.leadId);
      return { ok: true as const };
    }),

  /** Converts a lead into an opportunity (one transaction). CONFLICT when already converted. */
  convert: crmWrite
    .input(ZConvertCrmLeadRequest)
    .output(ZConvertCrmLeadResponse)
    .mutation(({ ctx, input }) => convertLead(ctx, input)),
});

export const crmOpportunityRouter = router({
  /** Live opportunities (open only unless includeClosed), by close date. */
  list: crmRead
    .input(ZListCrmOpportunitiesRequest)
    .output(z.array(ZCrmOpportunity))
    .query(({ ctx, input }) => listOpportunities(ctx.db, input)),

  /** The pipeline board: columns per stage with counts, totals per currency and cards. */
  board: crmRead
    .input(ZCrmBoardRequest)
    .output(ZCrmBoard)
    .query(({ ctx, input }) => getBoard(ctx.db, input)),

  /** One opportunity. NOT_FOUND. */
  get: crmRead
    .input(ZCrmOpportunityIdRequest)
    .output(ZCrmOpportunity)
    .query(({ ctx, input }) => getOpportunity(ctx.db, input.opportunityId)),

  /** Creates an opportunity in an open stage. BAD_REQUEST for unknown tenant/lead/manager. */
  create: crmWrite
    .input(ZCreateCrmOpportunityRequest)
    .output(ZCrmOpportunity)
    .mutation(({ ctx, input }) => createOpportunity(ctx, input)),

  /** Edits the given fields (not the stage). NOT_FOUND, BAD_REQUEST. */
  update: crmWrite
    .input(ZUpdateCrmOpportunityRequest)
    .output(ZCrmOpportunity)
    .mutation(({ ctx, input }) => updateOpportunity(ctx, input)),

  /**
   * Moves to another stage (or reorders within the column); audited `crm_opportunity.stage_changed`.
   * BAD_REQUEST naming both stages for an illegal move; lost needs lostReason.
   */
  moveStage: crmWrite
    .input(ZMoveCrmOpportunityRequest)
    .output(ZCrmOpportunity)
    .mutation(({ ctx, input }) => moveOpportunityStage(ctx, input)),

  /** Reopens a won or lost opportunity to negotiation. Admins. BAD_REQUEST when it is open. */
  reopen: crmAdmin
    .input(ZReopenCrmOpportunityRequest)
    .output(ZCrmOpportunity)
    .mutation(({ ctx, input }) => reopenOpportunity(ctx, input)),

  /** Soft-deletes an opportunity. NOT_FOUND. */
  delete: crmWrite
    .input(ZCrmOpportunityIdRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await deleteOpportunity(ctx, input.opportunityId);
      return { ok: true as const };
    }),
});

export const crmForecastRouter = router({
  /** Per (close month, currency): open count, pipeline, weighted (rounded once, half up), won. */
  get: crmRead
    .input(ZCrmForecastRequest)
    .output(ZCrmForecast)
    .query(({ ctx, input }) => getForecast(ctx.db, input)),

  /** The stage probabilities in board order. */
  stageProbabilities: crmRead.output(z.array(ZCrmStageProbability)).query(({ ctx }) => listStageProbabilities(ctx.db)),

  /** Sets an open stage's probability (0–100). Admins. */
  setStageProbability: crmAdmin
    .input(ZSetCrmStageProbabilityRequest)
    .output(ZCrmStageProbability)
    .mutation(({ ctx, input }) => setStageProbability(ctx, input)),
});
