/**
 * `crm.*`: the provider's CRM (issue 6) — leads, opportunities, forecast, contracts, engagements,
 * goals and the per-tenant timeline. Provider staff only: every procedure runs in the provider
 * scope (the crm_ tables are invisible to tenant scopes); tenant users get FORBIDDEN.
 */
import { getTimeline } from "@fleetcore/core";
import { ZCrmTimeline, ZCrmTimelineRequest } from "@fleetcore/validators";
import { router } from "../trpc";
import { crmContractRouter, crmEngagementRouter, crmGoalRouter } from "./crmAccounts";
import { crmForecastRouter, crmLeadRouter, crmOpportunityRouter, crmRead } from "./crmSales";

export const crmRouter = router({
  leads: crmLeadRouter,
  opportunities: crmOpportunityRouter,
  forecast: crmForecastRouter,
  contracts: crmContractRouter,
  engagements: crmEngagementRouter,
  goals: crmGoalRouter,

  /**
   * A tenant's timeline, newest first: engagements, tickets opened/resolved, lifecycle events and
   * contract history; page with `before` = the previous page's `nextBefore`.
   */
  timeline: crmRead
    .input(ZCrmTimelineRequest)
    .output(ZCrmTimeline)
    .query(({ ctx, input }) => getTimeline(ctx.db, input)),
});
