/**
 * CRM, customer side: contracts (with documents, renewals and the renewals-due list), engagements
 * and customer-success goals of tenants. Thin: each procedure delegates to @fleetcore/core
 * (crm/*). Roles: every staff role reads; admins and account managers write.
 */
import {
  attachContractDocument,
  changeContractStatus,
  createContract,
  createEngagement,
  createGoal,
  deleteEngagement,
  deleteGoal,
  getContract,
  listContracts,
  listEngagements,
  listGoals,
  listRenewalsDue,
  renewContract,
  updateContract,
  updateEngagement,
  updateGoal,
} from "@fleetcore/core";
import {
  ZAttachCrmContractDocumentRequest,
  ZChangeCrmContractStatusRequest,
  ZCreateCrmContractRequest,
  ZCreateCrmEngagementRequest,
  ZCreateCrmGoalRequest,
  ZCrmContract,
  ZCrmContractDetail,
  ZCrmContractIdRequest,
  ZCrmEngagement,
  ZCrmEngagementIdRequest,
  ZCrmGoal,
  ZCrmGoalIdRequest,
  ZCrmRenewalsDueRequest,
  ZListCrmContractsRequest,
  ZListCrmEngagementsRequest,
  ZListCrmGoalsRequest,
  ZRenewCrmContractRequest,
  ZUpdateCrmContractRequest,
  ZUpdateCrmEngagementRequest,
  ZUpdateCrmGoalRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { router } from "../trpc";
import { crmRead, crmWrite } from "./crmSales";

const ZOk = z.object({ ok: z.literal(true) });

export const crmContractRouter = router({
  /** Contracts by expiry; filters: tenant, status, search (plan, tenant name). */
  list: crmRead
    .input(ZListCrmContractsRequest)
    .output(z.array(ZCrmContract))
    .query(({ ctx, input }) => listContracts(ctx.db, input)),

  /** One contract with its history. NOT_FOUND. */
  get: crmRead
    .input(ZCrmContractIdRequest)
    .output(ZCrmContractDetail)
    .query(({ ctx, input }) => getContract(ctx.db, input.contractId)),

  /** Active/pending-renewal contracts expiring in the next 30, 60 or 90 days, not yet renewed. */
  renewalsDue: crmRead
    .input(ZCrmRenewalsDueRequest)
    .output(z.array(ZCrmContract))
    .query(({ ctx, input }) => listRenewalsDue(ctx.db, input)),

  /** Creates an active contract for a tenant. BAD_REQUEST (dates, value without currency, unknown tenant). */
  create: crmWrite
    .input(ZCreateCrmContractRequest)
    .output(ZCrmContract)
    .mutation(({ ctx, input }) => createContract(ctx, input)),

  /** Edits an active or pending-renewal contract. NOT_FOUND, BAD_REQUEST. */
  update: crmWrite
    .input(ZUpdateCrmContractRequest)
    .output(ZCrmContract)
    .mutation(({ ctx, input }) => updateContract(ctx, input)),

  /** Manual status change by CRM_CONTRACT_TRANSITIONS (terminated needs a reason). BAD_REQUEST otherwise. */
  changeStatus: crmWrite
    .input(ZChangeCrmContractStatusRequest)
    .output(ZCrmContract)
    .mutation(({ ctx, input }) => changeContractStatus(ctx, input)),

  /** Renews: a new contract from the day after the old expiry. Returns the new one. CONFLICT if renewed already. */
  renew: crmWrite
    .input(ZRenewCrmContractRequest)
    .output(ZCrmContract)
    .mutation(({ ctx, input }) => renewContract(ctx, input)),

  /**
   * Makes an uploaded PDF (POST /api/files, by the caller, into the contract's tenant) the contract's
   * document; downloaded from GET /api/files/:id. NOT_FOUND, BAD_REQUEST (not a PDF, not the caller's
   * upload, another tenant's, already attached).
   */
  attachDocument: crmWrite
    .input(ZAttachCrmContractDocumentRequest)
    .output(ZCrmContract)
    .mutation(({ ctx, input }) => attachContractDocument(ctx, input)),
});

export const crmEngagementRouter = router({
  /** A tenant's engagements, newest first; filters: type, outcome, [from, to). */
  list: crmRead
    .input(ZListCrmEngagementsRequest)
    .output(z.array(ZCrmEngagement))
    .query(({ ctx, input }) => listEngagements(ctx.db, input)),

  /** Logs an engagement. BAD_REQUEST. */
  create: crmWrite
    .input(ZCreateCrmEngagementRequest)
    .output(ZCrmEngagement)
    .mutation(({ ctx, input }) => createEngagement(ctx, input)),

  /** Edits the given fields. NOT_FOUND, BAD_REQUEST. */
  update: crmWrite
    .input(ZUpdateCrmEngagementRequest)
    .output(ZCrmEngagement)
    .mutation(({ ctx, input }) => updateEngagement(ctx, input)),

  /** Soft-deletes an engagement. NOT_FOUND. */
  delete: crmWrite
    .input(ZCrmEngagementIdRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await deleteEngagement(ctx, input.engagementId);
      return { ok: true as const };
    }),
});

export const crmGoalRouter = router({
  /** A tenant's goals with progress; open ones first. */
  list: crmRead
    .input(ZListCrmGoalsRequest)
    .output(z.array(ZCrmGoal))
    .query(({ ctx, input }) => listGoals(ctx.db, input.tenantId)),

  /** Creates a goal (achieved automatically when current ≥ target with a completion date). BAD_REQUEST. */
  create: crmWrite
    .input(ZCreateCrmGoalRequest)
    .output(ZCrmGoal)
    .mutation(({ ctx, input }) => createGoal(ctx, input)),

  /** Edits the given fields; the status is re-derived. NOT_FOUND, BAD_REQUEST. */
  update: crmWrite
    .input(ZUpdateCrmGoalRequest)
    .output(ZCrmGoal)
    .mutation(({ ctx, input }) => updateGoal(ctx, input)),

  /** Soft-deletes a goal. NOT_FOUND. */
  delete: crmWrite
    .input(ZCrmGoalIdRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await deleteGoal(ctx, input.goalId);
      return { ok: true as const };
    }),
});
