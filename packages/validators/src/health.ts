import { z } from "zod";

/**
 * Tenant health scoring (issue 8; customer-health.md "Health Scoring"): scoring profiles and the
 * JSON stored with each daily score in adm_tenant_health_scores. The model itself — signals,
 * references, sub-weights, churn drivers — is in packages/core/src/health/ and docs/health-score.md.
 */

/** The four components of the score, in display order (customer-health.md "Health Score Components"). */
export const HEALTH_COMPONENT_KEYS = ["productUsage", "support", "engagement", "business"] as const;
export type HealthComponentKey = (typeof HEALTH_COMPONENT_KEYS)[number];

/** Band of a score: red below the profile's red threshold, green above its green threshold. */
export const HEALTH_BANDS = ["red", "yellow", "green"] as const;
export type HealthBand = (typeof HEALTH_BANDS)[number];

/** What a health alert is about (adm_health_alerts.kind; the migration's CHECK lists the same). */
export const HEALTH_ALERT_KINDS = ["score_drop", "red", "churn_risk", "renewal_no_engagement"] as const;
export type HealthAlertKind = (typeof HEALTH_ALERT_KINDS)[number];

/** Lifecycle stages a profile may target: "onboarding" = tenant created less than 30 days before the scored day. */
export const HEALTH_LIFECYCLES = ["onboarding", "established"] as const;
export type HealthLifecycle = (typeof HEALTH_LIFECYCLES)[number];

/** Segments a profile may target (adm_tenants.segment's CHECK). */
export const HEALTH_SEGMENTS = ["smb", "mid_market", "enterprise"] as const;
export type HealthSegment = (typeof HEALTH_SEGMENTS)[number];

const percent = z.number().int().min(0).max(100);

/**
 * Component weights of a profile, integer percentages summing to exactly 100 (customer-health.md
 * defaults: productUsage 40, support 25, engagement 20, business 15). A weight of 0 leaves the
 * component out of the score (it is still computed and shown).
 */
export const ZHealthWeights = z
  .object({ productUsage: percent, support: percent, engagement: percent, business: percent })
  .refine((w) => w.productUsage + w.support + w.engagement + w.business === 100, {
    message: "weights must add up to 100",
  });
export type HealthWeights = z.infer<typeof ZHealthWeights>;

/**
 * Band thresholds on the 0–100 score: red when score < red, green when score > green, yellow
 * otherwise (issue 8 defaults red 50, green 75). Requires 0 < red < green < 100.
 */
export const ZHealthThresholds = z
  .object({ red: z.number().int().min(1).max(98), green: z.number().int().min(2).max(99) })
  .refine((t) => t.red < t.green, { message: "the red threshold must be below the green threshold", path: ["red"] });
export type HealthThresholds = z.infer<typeof ZHealthThresholds>;

/**
 * When the daily scoring raises alerts: a score drop of MORE than `scoreDrop` points vs 7 days ago;
 * churn risk reaching `churnRisk` (0–100); a contract expiring within `renewalNoEngagementDays`
 * days with no engagement logged in that many days.
 */
export const ZHealthAlertRules = z.object({
  scoreDrop: z.number().int().min(1).max(100),
  churnRisk: z.number().int().min(1).max(100),
  renewalNoEngagementDays: z.number().int().min(1).max(365),
});
export type HealthAlertRules = z.infer<typeof ZHealthAlertRules>;

/** A scoring profile (adm_health_profiles) as `healthProfiles.list` returns it. */
export const ZHealthProfile = z.object({
  id: z.uuid(),
  /** e.g. "default", "onboarding", "enterprise". */
  name: z.string(),
  /** Tenants of this segment only; null = any. */
  segment: z.string().nullable(),
  /** Tenants in this lifecycle stage only ("onboarding" | "established"); null = any. */
  lifecycle: z.string().nullable(),
  /** Higher wins when several profiles match a tenant. */
  priority: z.number().int(),
  weights: ZHealthWeights,
  thresholds: ZHealthThresholds,
  alertRules: ZHealthAlertRules,
  updatedAt: z.date(),
});
export type HealthProfile = z.infer<typeof ZHealthProfile>;

/** A profile's name: shown on the profiles page and stored with every score it produced. */
const ZHealthProfileName = z
  .string()
  .trim()
  .min(1, "a name is required")
  .max(60, "at most 60 characters")
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, "letters, digits, spaces, - and _ (e.g. smb)");

/** Segment filter of a profile: one of HEALTH_SEGMENTS, or null for any segment. */
const ZHealthProfileSegment = z.enum(HEALTH_SEGMENTS, { error: `one of ${HEALTH_SEGMENTS.join(", ")}` }).nullable();

/** Lifecycle filter of a profile: one of HEALTH_LIFECYCLES, or null for any stage. */
const ZHealthProfileLifecycle = z
  .enum(HEALTH_LIFECYCLES, { error: `one of ${HEALTH_LIFECYCLES.join(", ")}` })
  .nullable();

/** Priority of a profile: higher wins among the profiles matching a tenant. */
const ZHealthProfilePriority = z.number().int().min(0).max(1000);

/**
 * Input of `healthProfiles.create` (provider admins). `segment` and `lifecycle` filter the tenants
 * the profile applies to (null = any); at most one profile per combination, and only the catch-all
 * profile has neither (there is exactly one: the seeded "default").
 */
export const ZCreateHealthProfileRequest = z.object({
  name: ZHealthProfileName,
  segment: ZHealthProfileSegment,
  lifecycle: ZHealthProfileLifecycle,
  priority: ZHealthProfilePriority,
  weights: ZHealthWeights,
  thresholds: ZHealthThresholds,
  alertRules: ZHealthAlertRules,
});
export type CreateHealthProfileRequest = z.infer<typeof ZCreateHealthProfileRequest>;

/**
 * Input of `healthProfiles.update` (provider admins): any of name, segment, lifecycle (null = any),
 * priority, weights, thresholds, alert rules; omitted fields keep their value.
 */
export const ZUpdateHealthProfileRequest = z.object({
  id: z.uuid(),
  name: ZHealthProfileName.optional(),
  segment: ZHealthProfileSegment.optional(),
  lifecycle: ZHealthProfileLifecycle.optional(),
  weights: ZHealthWeights.optional(),
  thresholds: ZHealthThresholds.optional(),
  alertRules: ZHealthAlertRules.optional(),
  priority: ZHealthProfilePriority.optional(),
});
export type UpdateHealthProfileRequest = z.infer<typeof ZUpdateHealthProfileRequest>;

/** Input of `healthProfiles.delete` (provider admins). */
export const ZDeleteHealthProfileRequest = z.object({ id: z.uuid() });
export type DeleteHealthProfileRequest = z.infer<typeof ZDeleteHealthProfileRequest>;

/** What `healthProfiles.delete` returns: the deleted profile. */
export const ZDeleteHealthProfileResponse = z.object({ id: z.uuid(), name: z.string() });
export type DeleteHealthProfileResponse = z.infer<typeof ZDeleteHealthProfileResponse>;

/** Input of `healthProfiles.forTenant`: the tenant, and the day to resolve for (default: the day the scoring is due on now). */
export const ZHealthProfileForTenantRequest = z.object({ tenantId: z.uuid(), day: z.date().optional() });
export type HealthProfileForTenantRequest = z.infer<typeof ZHealthProfileForTenantRequest>;

/** What `healthProfiles.forTenant` returns: the profile the daily scoring picks for the tenant on `day`. */
export const ZHealthProfileForTenant = z.object({
  tenantId: z.uuid(),
  tenantName: z.string(),
  /** The tenant's segment (null = unset: only profiles without a segment filter match). */
  segment: z.string().nullable(),
  /** The tenant's lifecycle stage on `day`. */
  lifecycle: z.enum(HEALTH_LIFECYCLES),
  /** The day resolved for, "YYYY-MM-DD" (UTC calendar day). */
  day: z.string(),
  profile: ZHealthProfile,
});
export type HealthProfileForTenant = z.infer<typeof ZHealthProfileForTenant>;

/**
 * One normalised signal inside a component (e.g. logins, CSAT). `score` is 0–100 against
 * `reference`, or null when there was no data (the signal is then left out and the other signals'
 * weights are renormalised).
 */
export const ZHealthSignal = z.object({
  /** e.g. "logins", "featureAdoption", "csat". */
  key: z.string(),
  label: z.string(),
  score: z.number().int().min(0).max(100).nullable(),
  /** Sub-weight inside the component (the component's sub-weights add up to 100). */
  weight: z.number(),
  /** What the value was compared with, e.g. "the previous 30 days", "target 10 features". */
  reference: z.string(),
  /** One sentence with the numbers, e.g. "logins down 42% vs the previous 30 days (580 vs 1000)". */
  detail: z.string(),
});
export type HealthSignal = z.infer<typeof ZHealthSignal>;

/**
 * One component as stored in adm_tenant_health_scores.components (an array in
 * HEALTH_COMPONENT_KEYS order). `score` null = no data: the component was left out and the others'
 * weights renormalised (`effectiveWeight` 0; the score column then holds a neutral 50).
 */
export const ZHealthComponent = z.object({
  key: z.enum(HEALTH_COMPONENT_KEYS),
  label: z.string(),
  score: z.number().int().min(0).max(100).nullable(),
  /** The profile's weight, percent. */
  weight: z.number(),
  /** Weight actually applied after leaving out components without data, percent (sums to 100). */
  effectiveWeight: z.number(),
  /** Sentence naming the component's strongest signal, with numbers. */
  reason: z.string(),
  /** The raw figures the signals were computed from (counts, averages, days). */
  inputs: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  /** The references of the signals, joined (e.g. "logins: the previous 30 days; …"). */
  reference: z.string(),
  signals: z.array(ZHealthSignal),
});
export type HealthComponent = z.infer<typeof ZHealthComponent>;

/** Churn drivers (adm_tenant_health_scores.churn_drivers), keyed by `driver`. */
export const CHURN_DRIVER_KEYS = [
  "usage_decline",
  "health_decline",
  "support_escalations",
  "payment_failures",
  "renewal_risk",
  "low_nps",
  "disengagement",
] as const;
export type ChurnDriverKey = (typeof CHURN_DRIVER_KEYS)[number];

/** One churn driver with its contribution in points (the drivers' points add up to the risk, capped at 100). */
export const ZChurnDriver = z.object({
  driver: z.enum(CHURN_DRIVER_KEYS),
  /** Points added to the churn risk (0 < contribution ≤ the driver's cap). */
  contribution: z.number().int().min(0).max(100),
  reason: z.string(),
  /** How soon this driver could turn into churn: 30, 60 or 90 days. */
  horizonDays: z.union([z.literal(30), z.literal(60), z.literal(90)]),
});
export type ChurnDriver = z.infer<typeof ZChurnDriver>;
