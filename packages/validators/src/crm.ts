/**
 * CRM (crm_ tables; saas-provider-tables.md §5, customer-health.md "Engagement Tracking" and "Goal
 * Setting", fleetcore-data-model.md §11): leads, the opportunity pipeline and its forecast, contracts,
 * engagements, customer goals and the per-tenant timeline. Provider staff only.
 *
 * Money is always an integer amount of minor units (`…Minor`, a `bigint`: cents for USD/EUR, yen for
 * JPY) with its ISO 4217 currency beside it; it travels as a `bigint` through superjson and is
 * never a float. Calendar dates (close, effective, expiry, target dates) travel as the `Date` of
 * UTC midnight of that day, as SQL `date` columns are read.
 */
import { z } from "zod";
import { ZEmail } from "./auth";
import { ZPhoneE164 } from "./drivers";

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

/** ISO 4217 currency code, upper case ("usd" → "USD"). */
export const ZCurrency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, "ISO 4217 code, e.g. USD");

/** Largest amount accepted, in minor units (10¹⁵: ten trillion dollars in cents; far below int8's limit). */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000n;

/** An amount of money in minor units of its currency: a non-negative integer `bigint`. */
export const ZAmountMinor = z
  .bigint()
  .nonnegative("amounts cannot be negative")
  .max(MAX_AMOUNT_MINOR, "amount too large");

/** A calendar day: the `Date` of its UTC midnight (the service truncates any time of day). */
export const ZCalendarDate = z.date();

/** A percentage, 0–100 inclusive. */
export const ZPercent = z.number().int().min(0).max(100);

const optionalText = (max: number) => z.string().trim().max(max).nullish();

// ---------------------------------------------------------------------------------------------
// Leads
// ---------------------------------------------------------------------------------------------

export const CRM_LEAD_STATUSES = ["new", "contacted", "qualified", "unqualified", "converted"] as const;
export const ZCrmLeadStatus = z.enum(CRM_LEAD_STATUSES);
export type CrmLeadStatus = z.infer<typeof ZCrmLeadStatus>;

export const CRM_PRIORITIES = ["low", "medium", "high"] as const;
export const ZCrmPriority = z.enum(CRM_PRIORITIES);
export type CrmPriority = z.infer<typeof ZCrmPriority>;

/** Where a lead came from (crm_leads.source). */
export const CRM_LEAD_SOURCES = ["website", "referral", "event", "outbound", "partner", "other"] as const;
export const ZCrmLeadSource = z.enum(CRM_LEAD_SOURCES);
export type CrmLeadSource = z.infer<typeof ZCrmLeadSource>;

/**
 * Which manual status changes a lead allows (`crm.leads.setStatus`); `converted` is reached only by
 * `crm.leads.convert` (from new, contacted or qualified). converted is terminal; unqualified is
 * terminal except a reopen to contacted.
 *
 * | from        | to                                |
 * | ----------- | --------------------------------- |
 * | new         | contacted, qualified, unqualified |
 * | contacted   | qualified, unqualified            |
 * | qualified   | contacted, unqualified            |
 * | unqualified | contacted (reopen)                |
 * | converted   | —                                 |
 */
export const CRM_LEAD_TRANSITIONS: Readonly<Record<CrmLeadStatus, readonly CrmLeadStatus[]>> = {
  new: ["contacted", "qualified", "unqualified"],
  contacted: ["qualified", "unqualified"],
  qualified: ["contacted", "unqualified"],
  unqualified: ["contacted"],
  converted: [],
};

/** Lead statuses from which `crm.leads.convert` may convert. */
export const CRM_LEAD_CONVERTIBLE: readonly CrmLeadStatus[] = ["new", "contacted", "qualified"];

const leadFields = {
  companyName: z.string().trim().min(1).max(200),
  contactName: z.string().trim().min(1).max(200),
  contactEmail: ZEmail.nullish(),
  contactPhone: ZPhoneE164.nullish(),
  source: ZCrmLeadSource,
  priority: ZCrmPriority,
  /** Vehicles the prospect runs, as they told us. */
  fleetSize: z.number().int().min(0).max(1_000_000).nullish(),
  /** ISO 3166-1 alpha-2. */
  countryCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2 code, e.g. US")
    .nullish(),
  notes: optionalText(10_000),
  ownerEmployeeId: z.uuid().nullish(),
};

/** Input of `crm.leads.create`; a lead starts `new` unless `status` says contacted or qualified. */
export const ZCreateCrmLeadRequest = z.object({
  ...leadFields,
  priority: ZCrmPriority.default("medium"),
  status: z.enum(["new", "contacted", "qualified"]).default("new"),
});
export type CreateCrmLeadRequest = z.input<typeof ZCreateCrmLeadRequest>;

/** Input of `crm.leads.update`: only the given fields change (`null` clears an optional one). Not the status. */
export const ZUpdateCrmLeadRequest = z.object({
  leadId: z.uuid(),
  companyName: leadFields.companyName.optional(),
  contactName: leadFields.contactName.optional(),
  contactEmail: leadFields.contactEmail,
  contactPhone: leadFields.contactPhone,
  source: leadFields.source.optional(),
  priority: leadFields.priority.optional(),
  fleetSize: leadFields.fleetSize,
  countryCode: leadFields.countryCode,
  notes: leadFields.notes,
  ownerEmployeeId: leadFields.ownerEmployeeId,
});
export type UpdateCrmLeadRequest = z.input<typeof ZUpdateCrmLeadRequest>;

/** Input of `crm.leads.setStatus` (see {@link CRM_LEAD_TRANSITIONS}). */
export const ZSetCrmLeadStatusRequest = z.object({
  leadId: z.uuid(),
  status: z.enum(["new", "contacted", "qualified", "unqualified"]),
});

/** Input of `crm.leads.list`: all filters optional; `search` matches company, contact name and email. */
export const ZListCrmLeadsRequest = z.object({
  status: ZCrmLeadStatus.optional(),
  priority: ZCrmPriority.optional(),
  source: ZCrmLeadSource.optional(),
  ownerEmployeeId: z.uuid().optional(),
  search: z.string().trim().max(120).optional(),
  limit: z.number().int().min(1).max(500).default(200),
});
export type ListCrmLeadsRequest = z.input<typeof ZListCrmLeadsRequest>;

/** Input of `crm.leads.get` and `crm.leads.delete`. */
export const ZCrmLeadIdRequest = z.object({ leadId: z.uuid() });

/** A lead as the API returns it. */
export const ZCrmLead = z.object({
  id: z.uuid(),
  companyName: z.string(),
  contactName: z.string(),
  contactEmail: z.string().nullable(),
  contactPhone: z.string().nullable(),
  source: z.string(),
  status: ZCrmLeadStatus,
  priority: ZCrmPriority,
  fleetSize: z.number().int().nullable(),
  countryCode: z.string().nullable(),
  notes: z.string().nullable(),
  ownerEmployeeId: z.uuid().nullable(),
  ownerName: z.string().nullable(),
  convertedOpportunityId: z.uuid().nullable(),
  convertedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type CrmLead = z.infer<typeof ZCrmLead>;

// ---------------------------------------------------------------------------------------------
// Opportunities and the pipeline
// ---------------------------------------------------------------------------------------------

/** Pipeline stages in board order; won and lost are the closed stages. */
export const CRM_PIPELINE_STAGES = ["prospecting", "qualified", "proposal_sent", "negotiation", "won", "lost"] as const;
export const ZCrmPipelineStage = z.enum(CRM_PIPELINE_STAGES);
export type CrmPipelineStage = z.infer<typeof ZCrmPipelineStage>;

/** The open stages (a card moves freely between them). */
export const CRM_OPEN_STAGES = ["prospecting", "qualified", "proposal_sent", "negotiation"] as const;
export const ZCrmOpenStage = z.enum(CRM_OPEN_STAGES);
export type CrmOpenStage = z.infer<typeof ZCrmOpenStage>;

const opportunityFields = {
  name: z.string().trim().min(1).max(200),
  tenantId: z.uuid().nullish(),
  leadId: z.uuid().nullish(),
  estimatedValueMinor: ZAmountMinor,
  currency: ZCurrency,
  /** Expected close date (the forecast's month). */
  closeDate: ZCalendarDate,
  /** Overrides the stage's probability; null uses the stage's (crm_stage_probabilities). */
  probabilityPct: ZPercent.nullish(),
  accountManagerId: z.uuid().nullish(),
};

/** Input of `crm.opportunities.create`: in an open stage (prospecting by default). */
export const ZCreateCrmOpportunityRequest = z.object({
  ...opportunityFields,
  stage: ZCrmOpenStage.default("prospecting"),
});
export type CreateCrmOpportunityRequest = z.input<typeof ZCreateCrmOpportunityRequest>;

/** Input of `crm.opportunities.update`: only the given fields change. The stage moves with `moveStage`. */
export const ZUpdateCrmOpportunityRequest = z.object({
  opportunityId: z.uuid(),
  name: opportunityFields.name.optional(),
  tenantId: opportunityFields.tenantId,
  estimatedValueMinor: opportunityFields.estimatedValueMinor.optional(),
  currency: opportunityFields.currency.optional(),
  closeDate: opportunityFields.closeDate.optional(),
  probabilityPct: opportunityFields.probabilityPct,
  accountManagerId: opportunityFields.accountManagerId,
});
export type UpdateCrmOpportunityRequest = z.input<typeof ZUpdateCrmOpportunityRequest>;

/**
 * Input of `crm.opportunities.moveStage` (the board's drag and drop, or the card's stage select).
 * `lostReason` is required when moving to lost. `beforeOpportunityId` places the card just above
 * that card of the target column; without it the card goes to the end of the column.
 */
export const ZMoveCrmOpportunityRequest = z.object({
  opportunityId: z.uuid(),
  stage: ZCrmPipelineStage,
  lostReason: z.string().trim().max(1000).optional(),
  beforeOpportunityId: z.uuid().nullish(),
});
export type MoveCrmOpportunityRequest = z.input<typeof ZMoveCrmOpportunityRequest>;

/** Input of `crm.opportunities.reopen` (admins): a won or lost opportunity back to negotiation. */
export const ZReopenCrmOpportunityRequest = z.object({
  opportunityId: z.uuid(),
  reason: z.string().trim().min(3).max(1000),
});

/** Input of `crm.opportunities.get` and `delete`. */
export const ZCrmOpportunityIdRequest = z.object({ opportunityId: z.uuid() });

/** Input of `crm.opportunities.list`. Closed ones only with `includeClosed`. */
export const ZListCrmOpportunitiesRequest = z.object({
  stage: ZCrmPipelineStage.optional(),
  tenantId: z.uuid().optional(),
  accountManagerId: z.uuid().optional(),
  search: z.string().trim().max(120).optional(),
  includeClosed: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).default(500),
});
export type ListCrmOpportunitiesRequest = z.input<typeof ZListCrmOpportunitiesRequest>;

/** An opportunity as the API returns it, with the names the board shows. */
export const ZCrmOpportunity = z.object({
  id: z.uuid(),
  name: z.string(),
  leadId: z.uuid().nullable(),
  leadCompanyName: z.string().nullable(),
  tenantId: z.uuid().nullable(),
  tenantName: z.string().nullable(),
  stage: ZCrmPipelineStage,
  estimatedValueMinor: z.bigint(),
  currency: z.string(),
  closeDate: z.date(),
  /** The override, or null when the stage's probability applies. */
  probabilityPct: z.number().int().nullable(),
  /** The probability the forecast uses: the override, or the stage's. */
  effectiveProbabilityPct: z.number().int(),
  accountManagerId: z.uuid().nullable(),
  accountManagerName: z.string().nullable(),
  boardRank: z.number().int(),
  stageChangedAt: z.date(),
  closedAt: z.date().nullable(),
  lostReason: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type CrmOpportunity = z.infer<typeof ZCrmOpportunity>;

/** A total per currency (never summed across currencies). */
export const ZCurrencyTotal = z.object({ currency: z.string(), totalMinor: z.bigint(), count: z.number().int() });
export type CurrencyTotal = z.infer<typeof ZCurrencyTotal>;

/** Input of `crm.opportunities.board`: won/lost columns show those closed in the last `closedWithinDays`. */
export const ZCrmBoardRequest = z.object({
  closedWithinDays: z.number().int().min(1).max(3650).default(90),
  accountManagerId: z.uuid().optional(),
});

/** `crm.opportunities.board`: one column per stage, cards in board order, totals per currency. */
export const ZCrmBoard = z.object({
  columns: z.array(
    z.object({
      stage: ZCrmPipelineStage,
      probabilityPct: z.number().int(),
      count: z.number().int(),
      totals: z.array(ZCurrencyTotal),
      cards: z.array(ZCrmOpportunity),
    }),
  ),
});
export type CrmBoard = z.infer<typeof ZCrmBoard>;

/** Input of `crm.leads.convert`: the opportunity to create (stage qualified by default). */
export const ZConvertCrmLeadRequest = z.object({
  leadId: z.uuid(),
  /** Defaults to the lead's company name. */
  name: opportunityFields.name.optional(),
  tenantId: opportunityFields.tenantId,
  estimatedValueMinor: opportunityFields.estimatedValueMinor,
  currency: opportunityFields.currency,
  closeDate: opportunityFields.closeDate,
  probabilityPct: opportunityFields.probabilityPct,
  /** Defaults to the lead's owner. */
  accountManagerId: opportunityFields.accountManagerId,
  stage: ZCrmOpenStage.default("qualified"),
});
export type ConvertCrmLeadRequest = z.input<typeof ZConvertCrmLeadRequest>;

/** `crm.leads.convert`: the converted lead and its new opportunity. */
export const ZConvertCrmLeadResponse = z.object({ lead: ZCrmLead, opportunity: ZCrmOpportunity });

// ---------------------------------------------------------------------------------------------
// Forecast and stage probabilities
// ---------------------------------------------------------------------------------------------

/** A stage's default probability (crm_stage_probabilities). */
export const ZCrmStageProbability = z.object({
  stage: ZCrmPipelineStage,
  probabilityPct: z.number().int(),
  updatedAt: z.date(),
});

/** Input of `crm.forecast.setStageProbability` (admins; open stages only: won is 100, lost 0 by definition). */
export const ZSetCrmStageProbabilityRequest = z.object({ stage: ZCrmOpenStage, probabilityPct: ZPercent });

/** A month as "YYYY-MM" (UTC calendar month). */
export const ZYearMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month as YYYY-MM");

/** Input of `crm.forecast.get`: `months` calendar months from `fromMonth` (default: the current UTC month). */
export const ZCrmForecastRequest = z.object({
  fromMonth: ZYearMonth.optional(),
  months: z.number().int().min(1).max(36).default(12),
});
export type CrmForecastRequest = z.input<typeof ZCrmForecastRequest>;

/**
 * One (month, currency) bucket of the forecast. `pipelineMinor` sums the open opportunities'
 * values; `weightedMinor` is Σ value × probability / 100 over them, rounded once, half up;
 * `wonMinor` sums the won ones closing that month.
 */
export const ZCrmForecastBucket = z.object({
  month: ZYearMonth,
  currency: z.string(),
  openCount: z.number().int(),
  pipelineMinor: z.bigint(),
  weightedMinor: z.bigint(),
  wonCount: z.number().int(),
  wonMinor: z.bigint(),
});
export type CrmForecastBucket = z.infer<typeof ZCrmForecastBucket>;

/** `crm.forecast.get`: the months of the range, the currencies present, the non-empty buckets and per-currency totals. */
export const ZCrmForecast = z.object({
  months: z.array(ZYearMonth),
  currencies: z.array(z.string()),
  buckets: z.array(ZCrmForecastBucket),
  totals: z.array(ZCrmForecastBucket.omit({ month: true })),
});
export type CrmForecast = z.infer<typeof ZCrmForecast>;

// ---------------------------------------------------------------------------------------------
// Contracts
// ---------------------------------------------------------------------------------------------

export const CRM_CONTRACT_STATUSES = ["active", "pending_renewal", "expired", "terminated"] as const;
export const ZCrmContractStatus = z.enum(CRM_CONTRACT_STATUSES);
export type CrmContractStatus = z.infer<typeof ZCrmContractStatus>;

/**
 * Manual contract status changes (`crm.contracts.changeStatus`). Expiry at the end of the term is
 * also automatic (`expireContracts`: active or pending_renewal whose expiry date has passed).
 *
 * | from            | to                                             |
 * | --------------- | ---------------------------------------------- |
 * | active          | pending_renewal, terminated (reason)           |
 * | pending_renewal | active, expired, terminated (reason)           |
 * | expired         | — (terminal)                                   |
 * | terminated      | — (terminal)                                   |
 */
export const CRM_CONTRACT_TRANSITIONS: Readonly<Record<CrmContractStatus, readonly CrmContractStatus[]>> = {
  active: ["pending_renewal", "terminated"],
  pending_renewal: ["active", "expired", "terminated"],
  expired: [],
  terminated: [],
};

/** Largest contract document, bytes (10 MiB). */
export const CRM_CONTRACT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;

const contractFields = {
  planName: z.string().trim().min(1).max(120),
  effectiveDate: ZCalendarDate,
  expiryDate: ZCalendarDate,
  annualValueMinor: ZAmountMinor.nullish(),
  currency: ZCurrency.nullish(),
  terms: optionalText(100_000),
  autoRenew: z.boolean(),
};

/** Input of `crm.contracts.create` (status active). A value needs its currency. */
export const ZCreateCrmContractRequest = z.object({
  tenantId: z.uuid(),
  opportunityId: z.uuid().nullish(),
  ...contractFields,
  autoRenew: contractFields.autoRenew.default(false),
});
export type CreateCrmContractRequest = z.input<typeof ZCreateCrmContractRequest>;

/** Input of `crm.contracts.update` (active or pending_renewal contracts only). */
export const ZUpdateCrmContractRequest = z.object({
  contractId: z.uuid(),
  planName: contractFields.planName.optional(),
  effectiveDate: contractFields.effectiveDate.optional(),
  expiryDate: contractFields.expiryDate.optional(),
  annualValueMinor: contractFields.annualValueMinor,
  currency: contractFields.currency,
  terms: contractFields.terms,
  autoRenew: contractFields.autoRenew.optional(),
});
export type UpdateCrmContractRequest = z.input<typeof ZUpdateCrmContractRequest>;

/** Input of `crm.contracts.changeStatus` (see {@link CRM_CONTRACT_TRANSITIONS}); terminating needs a reason. */
export const ZChangeCrmContractStatusRequest = z.object({
  contractId: z.uuid(),
  status: ZCrmContractStatus,
  reason: z.string().trim().max(1000).optional(),
});

/**
 * Input of `crm.contracts.renew`: the new term ends on `expiryDate` and starts the day after the
 * old contract's expiry; plan, value, currency, terms and auto-renew default to the old contract's.
 */
export const ZRenewCrmContractRequest = z.object({
  contractId: z.uuid(),
  expiryDate: ZCalendarDate,
  planName: contractFields.planName.optional(),
  annualValueMinor: contractFields.annualValueMinor,
  currency: contractFields.currency,
  terms: contractFields.terms,
  autoRenew: contractFields.autoRenew.optional(),
});
export type RenewCrmContractRequest = z.input<typeof ZRenewCrmContractRequest>;

/** Input of `crm.contracts.list`. */
export const ZListCrmContractsRequest = z.object({
  tenantId: z.uuid().optional(),
  status: ZCrmContractStatus.optional(),
  search: z.string().trim().max(120).optional(),
});
export type ListCrmContractsRequest = z.input<typeof ZListCrmContractsRequest>;

/** Input of `crm.contracts.renewalsDue`: contracts expiring within the next 30, 60 or 90 days. */
export const ZCrmRenewalsDueRequest = z.object({
  days: z.union([z.literal(30), z.literal(60), z.literal(90)]).default(30),
});

/** Input of `crm.contracts.get`. */
export const ZCrmContractIdRequest = z.object({ contractId: z.uuid() });

/**
 * Input of `crm.contracts.attachDocument`: a PDF uploaded through `POST /api/files` by the caller
 * into the contract's tenant (at most {@link CRM_CONTRACT_DOCUMENT_MAX_BYTES} bytes, type checked from
 * the content), not attached to anything yet.
 */
export const ZAttachCrmContractDocumentRequest = z.object({
  contractId: z.uuid(),
  fileId: z.uuid(),
});
export type AttachCrmContractDocumentRequest = z.input<typeof ZAttachCrmContractDocumentRequest>;

/** A contract history row (crm_contract_events). */
export const ZCrmContractEvent = z.object({
  id: z.uuid(),
  kind: z.string(),
  fromStatus: ZCrmContractStatus.nullable(),
  toStatus: ZCrmContractStatus.nullable(),
  actorUserId: z.uuid().nullable(),
  actorEmail: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  occurredAt: z.date(),
});

/** A contract as the API returns it. */
export const ZCrmContract = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  tenantName: z.string(),
  opportunityId: z.uuid().nullable(),
  planName: z.string(),
  effectiveDate: z.date(),
  expiryDate: z.date(),
  annualValueMinor: z.bigint().nullable(),
  currency: z.string().nullable(),
  terms: z.string().nullable(),
  document: z.object({ fileId: z.uuid(), fileName: z.string(), sizeBytes: z.number().int() }).nullable(),
  status: ZCrmContractStatus,
  autoRenew: z.boolean(),
  renewsContractId: z.uuid().nullable(),
  /** The contract that renews this one, if any. */
  renewedByContractId: z.uuid().nullable(),
  terminatedAt: z.date().nullable(),
  terminationReason: z.string().nullable(),
  /** Whole days from today (UTC) to the expiry date; negative once past. */
  daysToExpiry: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type CrmContract = z.infer<typeof ZCrmContract>;

/** `crm.contracts.get`: the contract and its history, oldest first. */
export const ZCrmContractDetail = ZCrmContract.extend({ events: z.array(ZCrmContractEvent) });

// ---------------------------------------------------------------------------------------------
// Engagements (customer-health.md "Engagement Tracking")
// ---------------------------------------------------------------------------------------------

export const CRM_ENGAGEMENT_TYPES = ["meeting", "call", "email", "note", "demo", "training"] as const;
export const ZCrmEngagementType = z.enum(CRM_ENGAGEMENT_TYPES);
export type CrmEngagementType = z.infer<typeof ZCrmEngagementType>;

export const CRM_ENGAGEMENT_OUTCOMES = ["positive", "neutral", "negative", "action_required"] as const;
export const ZCrmEngagementOutcome = z.enum(CRM_ENGAGEMENT_OUTCOMES);
export type CrmEngagementOutcome = z.infer<typeof ZCrmEngagementOutcome>;

/** Someone who took part (customer-health.md: name, email, role). */
export const ZCrmAttendee = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.union([ZEmail, z.literal("")]).default(""),
  role: z.string().trim().max(120).default(""),
});
export type CrmAttendee = z.infer<typeof ZCrmAttendee>;

const engagementFields = {
  type: ZCrmEngagementType,
  title: z.string().trim().min(1).max(200),
  description: optionalText(20_000),
  outcome: ZCrmEngagementOutcome.nullish(),
  scheduledAt: z.date().nullish(),
  completedAt: z.date().nullish(),
  attendees: z.array(ZCrmAttendee).max(100),
};

/** Input of `crm.engagements.create`. */
export const ZCreateCrmEngagementRequest = z.object({
  tenantId: z.uuid(),
  ...engagementFields,
  attendees: engagementFields.attendees.default([]),
});
export type CreateCrmEngagementRequest = z.input<typeof ZCreateCrmEngagementRequest>;

/** Input of `crm.engagements.update`: only the given fields change. */
export const ZUpdateCrmEngagementRequest = z.object({
  engagementId: z.uuid(),
  type: engagementFields.type.optional(),
  title: engagementFields.title.optional(),
  description: engagementFields.description,
  outcome: engagementFields.outcome,
  scheduledAt: engagementFields.scheduledAt,
  completedAt: engagementFields.completedAt,
  attendees: engagementFields.attendees.optional(),
});
export type UpdateCrmEngagementRequest = z.input<typeof ZUpdateCrmEngagementRequest>;

/**
 * Input of `crm.engagements.list`: a tenant's engagements, newest first by when they happened
 * (completed, else scheduled, else logged), optionally of one type or outcome and within [from, to).
 */
export const ZListCrmEngagementsRequest = z.object({
  tenantId: z.uuid(),
  type: ZCrmEngagementType.optional(),
  outcome: ZCrmEngagementOutcome.optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  limit: z.number().int().min(1).max(500).default(200),
});
export type ListCrmEngagementsRequest = z.input<typeof ZListCrmEngagementsRequest>;

/** Input of `crm.engagements.delete`. */
export const ZCrmEngagementIdRequest = z.object({ engagementId: z.uuid() });

/** An engagement as the API returns it; `occurredAt` = completedAt ?? scheduledAt ?? createdAt. */
export const ZCrmEngagement = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  type: ZCrmEngagementType,
  title: z.string(),
  description: z.string().nullable(),
  outcome: ZCrmEngagementOutcome.nullable(),
  scheduledAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  occurredAt: z.date(),
  attendees: z.array(z.object({ name: z.string(), email: z.string(), role: z.string() })),
  createdByUserId: z.uuid().nullable(),
  createdByEmail: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type CrmEngagement = z.infer<typeof ZCrmEngagement>;

// ---------------------------------------------------------------------------------------------
// Goals (customer-health.md "Goal Setting")
// ---------------------------------------------------------------------------------------------

export const CRM_GOAL_METRIC_TYPES = [
  "accounts",
  "arr",
  "nps",
  "health_score",
  "adoption",
  "renewals",
  "seat_count",
  "custom",
] as const;
export const ZCrmGoalMetricType = z.enum(CRM_GOAL_METRIC_TYPES);

/**
 * Goal metrics Fleetcore measures itself every few minutes (health score: the latest daily score;
 * NPS over the goal's measurement period; seats: active members). The others are entered by hand.
 */
export const MEASURED_GOAL_METRIC_TYPES: readonly (typeof CRM_GOAL_METRIC_TYPES)[number][] = [
  "health_score",
  "nps",
  "seat_count",
];

export const CRM_GOAL_PERIODS = ["daily", "weekly", "monthly", "quarterly", "yearly"] as const;
export const ZCrmGoalPeriod = z.enum(CRM_GOAL_PERIODS);

export const CRM_GOAL_STATUSES = ["on_track", "at_risk", "achieved", "missed"] as const;
export const ZCrmGoalStatus = z.enum(CRM_GOAL_STATUSES);
export type CrmGoalStatus = z.infer<typeof ZCrmGoalStatus>;

/** The statuses a person sets; `achieved` is derived (current ≥ target with a completion date). */
export const ZCrmGoalManualStatus = z.enum(["on_track", "at_risk", "missed"]);

/** Largest goal value (the column is numeric(16,2); this keeps it exact as a JS number). */
export const CRM_GOAL_MAX_VALUE = 1_000_000_000_000;

/** A goal value: at most two decimals, |value| ≤ 10¹² (stored as numeric(16,2)). */
const ZGoalValue = z
  .number()
  .finite()
  .min(-CRM_GOAL_MAX_VALUE)
  .max(CRM_GOAL_MAX_VALUE)
  .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, "at most two decimals");

const goalFields = {
  title: z.string().trim().min(1).max(200),
  description: optionalText(5000),
  metricType: ZCrmGoalMetricType,
  currentValue: ZGoalValue,
  targetValue: ZGoalValue.refine((v) => v >= 0, "the target cannot be negative"),
  unit: z.string().trim().max(40).nullish(),
  measurementPeriod: ZCrmGoalPeriod,
  status: ZCrmGoalManualStatus,
  targetDate: ZCalendarDate.nullish(),
  completionDate: ZCalendarDate.nullish(),
};

/** Input of `crm.goals.create`. */
export const ZCreateCrmGoalRequest = z.object({
  tenantId: z.uuid(),
  ...goalFields,
  currentValue: goalFields.currentValue.default(0),
  status: goalFields.status.default("on_track"),
});
export type CreateCrmGoalRequest = z.input<typeof ZCreateCrmGoalRequest>;

/** Input of `crm.goals.update`: only the given fields change. */
export const ZUpdateCrmGoalRequest = z.object({
  goalId: z.uuid(),
  title: goalFields.title.optional(),
  description: goalFields.description,
  metricType: goalFields.metricType.optional(),
  currentValue: goalFields.currentValue.optional(),
  targetValue: goalFields.targetValue.optional(),
  unit: goalFields.unit,
  measurementPeriod: goalFields.measurementPeriod.optional(),
  status: goalFields.status.optional(),
  targetDate: goalFields.targetDate,
  completionDate: goalFields.completionDate,
});
export type UpdateCrmGoalRequest = z.input<typeof ZUpdateCrmGoalRequest>;

/** Input of `crm.goals.list`. */
export const ZListCrmGoalsRequest = z.object({ tenantId: z.uuid() });

/** Input of `crm.goals.delete`. */
export const ZCrmGoalIdRequest = z.object({ goalId: z.uuid() });

/** A goal as the API returns it; `progressPct` = current / target × 100, one decimal, not capped. */
export const ZCrmGoal = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  metricType: ZCrmGoalMetricType,
  currentValue: z.number(),
  targetValue: z.number(),
  unit: z.string().nullable(),
  measurementPeriod: ZCrmGoalPeriod,
  status: ZCrmGoalStatus,
  targetDate: z.date().nullable(),
  completionDate: z.date().nullable(),
  progressPct: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type CrmGoal = z.infer<typeof ZCrmGoal>;

// ---------------------------------------------------------------------------------------------
// Per-tenant timeline
// ---------------------------------------------------------------------------------------------

export const CRM_TIMELINE_KINDS = [
  "engagement",
  "ticket_opened",
  "ticket_resolved",
  "lifecycle",
  "contract",
  "task_created",
  "task_done",
  "invoice_issued",
  "invoice_paid",
] as const;
export const ZCrmTimelineKind = z.enum(CRM_TIMELINE_KINDS);
export type CrmTimelineKind = z.infer<typeof ZCrmTimelineKind>;

/** Input of `crm.timeline`: items strictly before `before` (default now), newest first, at most `limit`. */
export const ZCrmTimelineRequest = z.object({
  tenantId: z.uuid(),
  before: z.date().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type CrmTimelineRequest = z.input<typeof ZCrmTimelineRequest>;

/** One timeline item; `link` is a path of the web app. */
export const ZCrmTimelineItem = z.object({
  id: z.string(),
  kind: ZCrmTimelineKind,
  occurredAt: z.date(),
  title: z.string(),
  detail: z.string().nullable(),
  link: z.string().nullable(),
});
export type CrmTimelineItem = z.infer<typeof ZCrmTimelineItem>;

/** `crm.timeline`: the page, and the `before` for the next one (null at the end). */
export const ZCrmTimeline = z.object({ items: z.array(ZCrmTimelineItem), nextBefore: z.date().nullable() });
export type CrmTimeline = z.infer<typeof ZCrmTimeline>;
