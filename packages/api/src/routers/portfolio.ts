/**
 * The account manager screens (issue 8): the portfolio of tenants with their health, the score
 * distribution, the at-risk list and the renewal bubbles; one tenant's health detail, score history,
 * activity, alerts and tasks. Thin: each procedure delegates to @fleetcore/core (health-views/*).
 * Every staff role reads (account managers default to their own tenants, others to all); admins and
 * account managers complete tasks. Tenant users get FORBIDDEN.
 */
import {
  completeTenantTask,
  getTenantHealth,
  listPortfolio,
  listTenantAlerts,
  listTenantTasks,
  portfolioAtRisk,
  portfolioDistribution,
  portfolioOverview,
  portfolioRenewals,
  tenantActivity,
  tenantScoreHistory,
} from "@fleetcore/core";
import {
  ZCompletePortfolioTaskRequest,
  ZPortfolioActivityPoint,
  ZPortfolioAlert,
  ZPortfolioAlertsRequest,
  ZPortfolioAtRisk,
  ZPortfolioAtRiskRequest,
  ZPortfolioDistribution,
  ZPortfolioList,
  ZPortfolioListRequest,
  ZPortfolioOverview,
  ZPortfolioOverviewRequest,
  ZPortfolioRangeRequest,
  ZPortfolioRenewals,
  ZPortfolioScopeRequest,
  ZPortfolioScorePoint,
  ZPortfolioTask,
  ZPortfolioTasksRequest,
  ZPortfolioTenant,
  ZPortfolioTenantRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { providerProcedure, router } from "../trpc";

const staffRead = providerProcedure();
const staffWrite = providerProcedure("admin", "account_manager");

/** The signed-in employee as the read models need them. */
const viewerOf = (ctx: { employee: { id: string; role: string } }) => ({
  employeeId: ctx.employee.id,
  role: ctx.employee.role,
});

export const portfolioRouter = router({
  /** The portfolio table: latest score, trends, churn risk, ARR, renewal, alerts per tenant; sortable. */
  list: staffRead
    .input(ZPortfolioListRequest)
    .output(ZPortfolioList)
    .query(({ ctx, input }) => listPortfolio(ctx.db, viewerOf(ctx), input)),

  /** The portfolio page in one read: the table plus the distribution, at-risk and renewal panels. */
  overview: staffRead
    .input(ZPortfolioOverviewRequest)
    .output(ZPortfolioOverview)
    .query(({ ctx, input }) => portfolioOverview(ctx.db, viewerOf(ctx), input)),

  /** Score histogram (10-point bins, split by band) and counts per band. */
  distribution: staffRead
    .input(ZPortfolioScopeRequest)
    .output(ZPortfolioDistribution)
    .query(({ ctx, input }) => portfolioDistribution(ctx.db, viewerOf(ctx), input)),

  /** Red tenants or churn risk ≥ threshold, highest risk first, with the top driver. */
  atRisk: staffRead
    .input(ZPortfolioAtRiskRequest)
    .output(ZPortfolioAtRisk)
    .query(({ ctx, input }) => portfolioAtRisk(ctx.db, viewerOf(ctx), input)),

  /** Renewal bubbles: renewal date × score, ARR as size. */
  renewals: staffRead
    .input(ZPortfolioScopeRequest)
    .output(ZPortfolioRenewals)
    .query(({ ctx, input }) => portfolioRenewals(ctx.db, viewerOf(ctx), input)),

  /** One tenant: its portfolio row, the latest components with reasons, churn drivers. NOT_FOUND. */
  tenant: staffRead
    .input(ZPortfolioTenantRequest)
    .output(ZPortfolioTenant)
    .query(({ ctx, input }) => getTenantHealth(ctx.db, viewerOf(ctx), input)),

  /** Daily score and the four component scores in [from, to]. */
  scoreHistory: staffRead
    .input(ZPortfolioRangeRequest)
    .output(z.array(ZPortfolioScorePoint))
    .query(({ ctx, input }) => tenantScoreHistory(ctx.db, input)),

  /** Daily activity metrics in [from, to] for the charts. */
  activity: staffRead
    .input(ZPortfolioRangeRequest)
    .output(z.array(ZPortfolioActivityPoint))
    .query(({ ctx, input }) => tenantActivity(ctx.db, input)),

  /** The tenant's health alerts, newest first, open or not. */
  alerts: staffRead
    .input(ZPortfolioAlertsRequest)
    .output(z.array(ZPortfolioAlert))
    .query(({ ctx, input }) => listTenantAlerts(ctx.db, input)),

  tasks: router({
    /** The tenant's customer-success tasks, open first. */
    list: staffRead
      .input(ZPortfolioTasksRequest)
      .output(z.array(ZPortfolioTask))
      .query(({ ctx, input }) => listTenantTasks(ctx.db, input)),

    /** Marks a task done (audited `crm_task.completed`). NOT_FOUND. */
    complete: staffWrite
      .input(ZCompletePortfolioTaskRequest)
      .output(ZPortfolioTask)
      .mutation(({ ctx, input }) => completeTenantTask(ctx, input)),
  }),
});
