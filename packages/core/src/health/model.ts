/**
 * The tenant health score (issue 8; customer-health.md "Health Scoring"), pure: no database. The
 * daily job (scoring.ts) aggregates the inputs; this module turns them into four component scores,
 * a 0–100 score, a band and a reason sentence per component. docs/health-score.md explains it all.
 *
 * Shape of the model (a weighted scorecard, as Gainsight Scorecards and Totango's multidimensional
 * health compute it: support.gainsight.com "Calculation of Measure Group Scores and Overall Score";
 * support.totango.com "Configure profiles for multidimensional health"):
 *
 * 1. Each signal is normalised to 0–100 against a STATED reference — the tenant's own previous 30
 *    days (trends), or a target (plan vehicles, a number of features, an SLA, a scale) — and rounded
 *    to an integer.
 * 2. A component is the sub-weighted mean of its signals, rounded: `Σ wᵢ·sᵢ / Σ wᵢ` over the signals
 *    that have data (HEALTH_SUB_WEIGHTS).
 * 3. The score is the profile-weighted mean of the components that have data, rounded.
 *
 * Missing data: a signal without data (no reference to compare with, nothing measured) is LEFT OUT
 * and the remaining weights are renormalised — at both levels. This is what Totango calls excluding
 * "metrics without a value" and what Gainsight's group weights do with NA measures; scoring missing
 * data as a neutral 50 would instead pull healthy and unhealthy tenants alike toward yellow. A
 * component with no signal at all has `score: null`; when no component has data the score is a
 * neutral 50 ("no data"). Zero that was measured (no logins, no tickets) is data, not missing.
 */
import type {
  HealthAlertRules,
  HealthBand,
  HealthComponent,
  HealthComponentKey,
  HealthSignal,
  HealthThresholds,
  HealthWeights,
} from "@fleetcore/validators";
import { HEALTH_COMPONENT_KEYS } from "@fleetcore/validators";

/** Length of the trend windows, days: the current window ends on the scored day, the previous one precedes it. */
export const HEALTH_WINDOW_DAYS = 30;
/** Look-back of engagement frequency/outcomes and of payment history, days. */
export const HEALTH_LONG_WINDOW_DAYS = 90;

/**
 * Targets and scales of the signals. Expert-set defaults (not fitted to churn outcomes); each is
 * explained in docs/health-score.md.
 */
export const HEALTH_TARGETS = {
  /** Distinct features (procedures and pages) used in 30 days for a full adoption score. */
  featuresPer30Days: 10,
  /** Mean share of plan vehicles active per day for a full score (fleets rest on weekends). */
  vehicleUtilisation: 0.8,
  /** Completed customer engagements (notes excluded) in 90 days for a full score: about monthly. */
  engagementsPer90Days: 3,
  /** Median dispatcher response to drivers' messages: 100 at or below this, seconds. */
  responseFullS: 300,
  /** … and 0 at or above this, seconds (linear between). */
  responseZeroS: 3600,
  /** Points off the ticket-severity signal per high / urgent ticket opened in 30 days. */
  highTicketPenalty: 25,
  urgentTicketPenalty: 50,
  /** Points off the payment signal per failed payment in 90 days / per invoice unpaid after an attempt. */
  failedPaymentPenalty: 35,
  unpaidInvoicePenalty: 30,
  /** A contract expiring further away than this, days, scores 100 on renewal proximity. */
  renewalWindowDays: 90,
  /** Floor of the renewal signal while a renewal is being negotiated (contract status pending_renewal). */
  renewalPendingFloor: 50,
} as const;

/**
 * Engagement outcome values, 0–100 — Totango's good/average/poor = 100/60/0 scale, with
 * action_required between neutral and negative.
 */
export const ENGAGEMENT_OUTCOME_SCORES = { positive: 100, neutral: 60, action_required: 40, negative: 0 } as const;

/**
 * Sub-weights of each component's signals (each component's add up to 100). customer-health.md
 * lists the signals; the split is an expert default: trend-based usage weighs most.
 */
export const HEALTH_SUB_WEIGHTS = {
  productUsage: { logins: 30, featureAdoption: 25, activeVehicles: 25, telemetryTrend: 20 },
  support: { ticketVolume: 25, ticketSeverity: 25, resolutionSla: 25, csat: 25 },
  engagement: { frequency: 40, outcomes: 30, messageResponse: 30 },
  business: { payments: 40, renewal: 30, arrTrend: 30 },
} as const;

/** Labels of the components, for sentences and screens. */
export const HEALTH_COMPONENT_LABELS: Record<HealthComponentKey, string> = {
  productUsage: "Product usage",
  support: "Support",
  engagement: "Engagement",
  business: "Business",
};

/** The contract that matters on the scored day (the live one with the latest expiry). */
export interface HealthContractInput {
  /** Whole days from the scored day to the expiry date (negative: expired that many days ago). */
  daysToExpiry: number;
  /** A renewal contract (renews_contract_id = this one) exists. */
  renewed: boolean;
  autoRenew: boolean;
  /** Status pending_renewal: a renewal is being negotiated. */
  pendingRenewal: boolean;
}

/**
 * Everything the model reads for one tenant and day, already aggregated. Windows: "current" = the
 * 30 days ending on the scored day (inclusive), "previous" = the 30 days before that; 90-day
 * figures end on the scored day too. Counts are plain numbers; money is integer minor units.
 */
export interface HealthInputs {
  usage: {
    /** Days with an activity row (adm_tenant_activity_metrics) in the current / previous window. */
    daysCurrent: number;
    daysPrevious: number;
    loginsCurrent: number;
    loginsPrevious: number;
    positionsCurrent: number;
    positionsPrevious: number;
    /** Distinct features (keys of features_used) in the current window. */
    distinctFeatures: number;
    /** Mean of daily active vehicles over the current window's rows; null without rows. */
    avgActiveVehicles: number | null;
    /** Vehicles the plan includes (latest row that says); null = no plan. */
    vehiclesPlan: number | null;
  };
  support: {
    /** Tickets opened in the current / previous window (sup_tickets.created_at). */
    ticketsCurrent: number;
    ticketsPrevious: number;
    highCurrent: number;
    urgentCurrent: number;
    /** Tickets resolved in the current window, or due (resolution_due_at) in it and not resolved by then. */
    slaTickets: number;
    /** … of which resolved by their due time (or resolved with no due time). */
    slaMet: number;
    /** CSAT answers in the current window and their mean (1–5); mean null without answers. */
    csatResponses: number;
    csatAvg: number | null;
  };
  engagement: {
    /** Whether any engagement (other than notes) was ever completed up to the scored day. */
    everEngaged: boolean;
    /** Completed engagements (notes excluded) in the last 90 days. */
    engagements90d: number;
    /** Their outcomes (engagements without an outcome are not counted). */
    outcomes90d: { positive: number; neutral: number; negative: number; action_required: number };
    /** Days since the last completed engagement (notes excluded); null = never. */
    daysSinceLastEngagement: number | null;
    /** Median of the daily median response times in the current window, seconds; null = none. */
    medianResponseS: number | null;
  };
  business: {
    /** The tenant has billing history (an invoice or an MRR change up to the scored day). */
    hasBilling: boolean;
    failedPayments90d: number;
    /** Invoices issued in the last 90 days, attempted and not paid by the end of the scored day. */
    unpaidInvoices: number;
    contract: HealthContractInput | null;
    /** MRR at the end of the scored day and 90 days earlier, minor units; null = no MRR history. */
    mrrNowMinor: number | null;
    mrr90dAgoMinor: number | null;
  };
  /** NPS answers in the last 90 days and their response-weighted score (−100…100). */
  nps: { responses: number; score: number | null };
}

/** A scoring profile as the model uses it (adm_health_profiles, JSON parsed). */
export interface HealthProfileInput {
  name: string;
  segment: string | null;
  lifecycle: string | null;
  priority: number;
  weights: HealthWeights;
  thresholds: HealthThresholds;
  alertRules: HealthAlertRules;
}

/** What {@link computeHealth} returns. */
export interface HealthResult {
  /** 0–100, integer. */
  score: number;
  band: HealthBand;
  profile: string;
  /** One per component, in HEALTH_COMPONENT_KEYS order (the stored `components` JSON). */
  components: HealthComponent[];
  /** Component scores as stored in the columns; null when the component had no data. */
  columns: Record<HealthComponentKey, number | null>;
  /** The component reasons, weakest component first (for alerts and task titles). */
  reasons: string[];
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const pct = (ratio: number) => Math.round(Math.abs(ratio) * 100);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Band of a score: red when `score < red`, green when `score > green`, yellow otherwise (issue 8:
 * "red < 50, yellow 50–75, green > 75"; so 50 and 75 are yellow).
 */
export function bandOf(score: number, thresholds: HealthThresholds): HealthBand {
  if (score < thresholds.red) return "red";
  if (score > thresholds.green) return "green";
  return "yellow";
}

/**
 * Score of a volume measured in two windows against the earlier one: `100 × min(1, rateNow /
 * rateBefore)` where rates are per covered day (so a window with fewer activity rows is compared
 * fairly). Growth scores 100; a 42% decline scores 58. Without a previous window (no rows) there is
 * no reference: null. A previous rate of 0 scores 100 if there is activity now, else 0.
 */
export function trendScore(
  current: number,
  previous: number,
  daysCurrent: number,
  daysPrevious: number,
): number | null {
  if (daysPrevious <= 0 || daysCurrent <= 0) return null;
  const now = current / daysCurrent;
  const before = previous / daysPrevious;
  if (before === 0) return now > 0 ? 100 : 0;
  return Math.round(100 * clamp(now / before, 0, 1));
}

/** "logins down 42% vs the previous 30 days (580 vs 1000)" and friends, for a trend signal. */
function trendDetail(what: string, cur: number, prev: number, daysCur: number, daysPrev: number): string {
  if (daysPrev <= 0) return `${what}: no previous 30 days to compare with`;
  const now = cur / daysCur;
  const before = prev / daysPrev;
  if (before === 0) {
    return now > 0
      ? `${what} started: ${cur} in the last 30 days, none in the previous 30`
      : `no ${what} in the last 60 days`;
  }
  const change = now / before - 1;
  const figures = `(${cur} vs ${prev})`;
  if (Math.abs(change) < 0.005) return `${what} steady vs the previous 30 days ${figures}`;
  return `${what} ${change < 0 ? "down" : "up"} ${pct(change)}% vs the previous 30 days ${figures}`;
}

function signal(
  key: string,
  label: string,
  weight: number,
  score: number | null,
  reference: string,
  detail: string,
): HealthSignal {
  return { key, label, weight, score: score === null ? null : Math.round(clamp(score, 0, 100)), reference, detail };
}

/** The four signals of product usage (HEALTH_SUB_WEIGHTS.productUsage). */
export function productUsageSignals(u: HealthInputs["usage"]): HealthSignal[] {
  const w = HEALTH_SUB_WEIGHTS.productUsage;
  const none = u.daysCurrent <= 0;
  const features = HEALTH_TARGETS.featuresPer30Days;
  const util = HEALTH_TARGETS.vehicleUtilisation;
  const vehiclesScore =
    none || u.vehiclesPlan === null || u.vehiclesPlan <= 0 || u.avgActiveVehicles === null
      ? null
      : (100 * u.avgActiveVehicles) / (u.vehiclesPlan * util);
  const avg = u.avgActiveVehicles === null ? 0 : Math.round(u.avgActiveVehicles * 10) / 10;
  return [
    signal(
      "logins",
      "Logins",
      w.logins,
      none ? null : trendScore(u.loginsCurrent, u.loginsPrevious, u.daysCurrent, u.daysPrevious),
      "the previous 30 days",
      none
        ? "no activity recorded in the last 30 days"
        : trendDetail("logins", u.loginsCurrent, u.loginsPrevious, u.daysCurrent, u.daysPrevious),
    ),
    signal(
      "featureAdoption",
      "Feature adoption",
      w.featureAdoption,
      none ? null : (100 * u.distinctFeatures) / features,
      `target ${features} features in 30 days`,
      `${plural(u.distinctFeatures, "distinct feature")} used in the last 30 days (target ${features})`,
    ),
    signal(
      "activeVehicles",
      "Active vehicles vs plan",
      w.activeVehicles,
      vehiclesScore,
      `${Math.round(util * 100)}% of the plan's vehicles active per day`,
      vehiclesScore === null
        ? "no vehicle allowance in the plan to compare with"
        : `on average ${avg} of ${u.vehiclesPlan} plan vehicles active per day (${Math.round(
            (100 * (u.avgActiveVehicles ?? 0)) / (u.vehiclesPlan ?? 1),
          )}%, target ${Math.round(util * 100)}%)`,
    ),
    signal(
      "telemetryTrend",
      "Telemetry volume trend",
      w.telemetryTrend,
      none ? null : trendScore(u.positionsCurrent, u.positionsPrevious, u.daysCurrent, u.daysPrevious),
      "the previous 30 days",
      none
        ? "no activity recorded in the last 30 days"
        : trendDetail("telemetry volume", u.positionsCurrent, u.positionsPrevious, u.daysCurrent, u.daysPrevious),
    ),
  ];
}

/** The four signals of support (HEALTH_SUB_WEIGHTS.support). */
export function supportSignals(s: HealthInputs["support"]): HealthSignal[] {
  const w = HEALTH_SUB_WEIGHTS.support;
  const t = HEALTH_TARGETS;
  const allowed = Math.max(s.ticketsPrevious, 1);
  const volume = s.ticketsCurrent <= allowed ? 100 : (100 * allowed) / s.ticketsCurrent;
  const severity = 100 - t.highTicketPenalty * s.highCurrent - t.urgentTicketPenalty * s.urgentCurrent;
  const severityParts = [
    s.urgentCurrent > 0 ? plural(s.urgentCurrent, "urgent ticket") : null,
    s.highCurrent > 0 ? plural(s.highCurrent, "high-priority ticket") : null,
  ].filter((p): p is string => p !== null);
  return [
    signal(
      "ticketVolume",
      "Ticket volume",
      w.ticketVolume,
      volume,
      "the previous 30 days (at least 1 ticket allowed)",
      `${plural(s.ticketsCurrent, "ticket")} opened in the last 30 days vs ${s.ticketsPrevious} in the previous 30`,
    ),
    signal(
      "ticketSeverity",
      "Ticket severity",
      w.ticketSeverity,
      severity,
      `no high (−${t.highTicketPenalty}) or urgent (−${t.urgentTicketPenalty}) tickets`,
      severityParts.length > 0
        ? `${severityParts.join(" and ")} opened in the last 30 days`
        : "no high or urgent tickets in the last 30 days",
    ),
    signal(
      "resolutionSla",
      "Resolution within SLA",
      w.resolutionSla,
      s.slaTickets > 0 ? (100 * s.slaMet) / s.slaTickets : null,
      "the SLA resolution targets",
      s.slaTickets > 0
        ? `${s.slaMet} of ${plural(s.slaTickets, "ticket")} resolved within SLA in the last 30 days (${Math.round(
            (100 * s.slaMet) / s.slaTickets,
          )}%)`
        : "no tickets resolved or due in the last 30 days",
    ),
    signal(
      "csat",
      "CSAT",
      w.csat,
      s.csatResponses > 0 && s.csatAvg !== null ? (100 * (s.csatAvg - 1)) / 4 : null,
      "the 1–5 CSAT scale (1 = 0, 5 = 100)",
      s.csatResponses > 0 && s.csatAvg !== null
        ? `CSAT ${s.csatAvg.toFixed(1)}/5 from ${plural(s.csatResponses, "response")} in the last 30 days`
        : "no CSAT responses in the last 30 days",
    ),
  ];
}

/** The three signals of engagement (HEALTH_SUB_WEIGHTS.engagement). */
export function engagementSignals(e: HealthInputs["engagement"]): HealthSignal[] {
  const w = HEALTH_SUB_WEIGHTS.engagement;
  const t = HEALTH_TARGETS;
  const o = e.outcomes90d;
  const rated = o.positive + o.neutral + o.negative + o.action_required;
  const s = ENGAGEMENT_OUTCOME_SCORES;
  const outcomeScore =
    rated > 0
      ? (o.positive * s.positive +
          o.neutral * s.neutral +
          o.action_required * s.action_required +
          o.negative * s.negative) /
        rated
      : null;
  const outcomeParts = (
    [
      ["positive", o.positive],
      ["neutral", o.neutral],
      ["action required", o.action_required],
      ["negative", o.negative],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  const r = e.medianResponseS;
  const responseScore =
    r === null
      ? null
      : r <= t.responseFullS
        ? 100
        : (100 * (t.responseZeroS - r)) / (t.responseZeroS - t.responseFullS);
  const minutes = (seconds: number) => Math.round(seconds / 60);
  return [
    signal(
      "frequency",
      "Engagement frequency",
      w.frequency,
      e.everEngaged ? (100 * e.engagements90d) / t.engagementsPer90Days : null,
      `target ${t.engagementsPer90Days} engagements in 90 days`,
      e.everEngaged
        ? `${plural(e.engagements90d, "engagement")} in the last 90 days (target ${t.engagementsPer90Days})${
            e.daysSinceLastEngagement !== null ? `, the last ${plural(e.daysSinceLastEngagement, "day")} ago` : ""
          }`
        : "no engagement ever logged",
    ),
    signal(
      "outcomes",
      "Engagement outcomes",
      w.outcomes,
      outcomeScore,
      "positive 100, neutral 60, action required 40, negative 0",
      rated > 0
        ? `engagement outcomes in the last 90 days: ${outcomeParts.join(", ")}`
        : "no engagement outcomes in the last 90 days",
    ),
    signal(
      "messageResponse",
      "Message response time",
      w.messageResponse,
      responseScore,
      `median ≤ ${minutes(t.responseFullS)} min (0 at ${minutes(t.responseZeroS)} min)`,
      r === null
        ? "no answered driver messages in the last 30 days"
        : `drivers' messages answered in a median ${minutes(r)} min over the last 30 days (target ≤ ${minutes(
            t.responseFullS,
          )} min)`,
    ),
  ];
}

/** The three signals of business (HEALTH_SUB_WEIGHTS.business). */
export function businessSignals(b: HealthInputs["business"]): HealthSignal[] {
  const w = HEALTH_SUB_WEIGHTS.business;
  const t = HEALTH_TARGETS;
  const paymentScore = b.hasBilling
    ? 100 - t.failedPaymentPenalty * b.failedPayments90d - t.unpaidInvoicePenalty * b.unpaidInvoices
    : null;
  const paymentParts = [
    b.failedPayments90d > 0 ? `${plural(b.failedPayments90d, "failed payment")} in the last 90 days` : null,
    b.unpaidInvoices > 0 ? `${plural(b.unpaidInvoices, "invoice")} unpaid after a payment attempt` : null,
  ].filter((p): p is string => p !== null);

  const c = b.contract;
  let renewal: number | null = null;
  let renewalDetail = "no contract on record";
  if (c) {
    if (c.renewed || c.autoRenew) {
      renewal = 100;
      renewalDetail = c.renewed
        ? `contract renewed (current term ends in ${plural(c.daysToExpiry, "day")})`
        : `contract renews automatically in ${plural(c.daysToExpiry, "day")}`;
    } else if (c.daysToExpiry < 0) {
      renewal = 0;
      renewalDetail = `contract expired ${plural(-c.daysToExpiry, "day")} ago without renewal`;
    } else if (c.daysToExpiry >= t.renewalWindowDays) {
      renewal = 100;
      renewalDetail = `contract runs ${plural(c.daysToExpiry, "more day")}`;
    } else {
      renewal = (100 * c.daysToExpiry) / t.renewalWindowDays;
      if (c.pendingRenewal) renewal = Math.max(renewal, t.renewalPendingFloor);
      renewalDetail = `contract expires in ${plural(c.daysToExpiry, "day")} with no renewal signed${
        c.pendingRenewal ? " (renewal under negotiation)" : ""
      }`;
    }
  }

  let arr: number | null = null;
  let arrDetail = "no recurring revenue history";
  if (b.mrrNowMinor !== null && b.mrr90dAgoMinor !== null) {
    if (b.mrr90dAgoMinor > 0) {
      arr = 100 * clamp(b.mrrNowMinor / b.mrr90dAgoMinor, 0, 1);
      const change = b.mrrNowMinor / b.mrr90dAgoMinor - 1;
      arrDetail =
        Math.abs(change) < 0.005
          ? "ARR steady vs 90 days ago"
          : `ARR ${change < 0 ? "down" : "up"} ${pct(change)}% vs 90 days ago`;
    } else if (b.mrrNowMinor > 0) {
      arr = 100;
      arrDetail = "new recurring revenue in the last 90 days";
    }
  }
  return [
    signal(
      "payments",
      "Payment history",
      w.payments,
      paymentScore,
      `no failed payments (−${t.failedPaymentPenalty} each) or unpaid invoices (−${t.unpaidInvoicePenalty} each) in 90 days`,
      !b.hasBilling
        ? "no billing history"
        : paymentParts.length > 0
          ? paymentParts.join("; ")
          : "no failed payments in the last 90 days",
    ),
    signal(
      "renewal",
      "Contract renewal proximity",
      w.renewal,
      renewal,
      `${t.renewalWindowDays} days or more to expiry, or renewed`,
      renewalDetail,
    ),
    signal("arrTrend", "ARR trend", w.arrTrend, arr, "ARR 90 days ago", arrDetail),
  ];
}

/** Raw figures stored with each component (`inputs`), flat for display. */
function componentInputs(key: HealthComponentKey, i: HealthInputs): HealthComponent["inputs"] {
  switch (key) {
    case "productUsage":
      return { ...i.usage };
    case "support":
      return { ...i.support };
    case "engagement": {
      const { outcomes90d, ...rest } = i.engagement;
      return {
        ...rest,
        outcomesPositive: outcomes90d.positive,
        outcomesNeutral: outcomes90d.neutral,
        outcomesActionRequired: outcomes90d.action_required,
        outcomesNegative: outcomes90d.negative,
      };
    }
    case "business": {
      const { contract, ...rest } = i.business;
      return {
        ...rest,
        contractDaysToExpiry: contract?.daysToExpiry ?? null,
        contractRenewed: contract?.renewed ?? null,
        contractAutoRenew: contract?.autoRenew ?? null,
        contractPendingRenewal: contract?.pendingRenewal ?? null,
      };
    }
  }
}

/**
 * The sub-weighted mean of the signals that have data, rounded; null when none has. Also the
 * reason: the detail of the signal that costs the most points (`weight × (100 − score)`), or — all
 * at 100 — of the heaviest signal.
 */
export function combineSignals(signals: readonly HealthSignal[]): { score: number | null; reason: string } {
  const present = signals.filter((s) => s.score !== null);
  if (present.length === 0) {
    return { score: null, reason: `no data: ${signals.map((s) => s.detail).join("; ")}` };
  }
  const weightSum = present.reduce((a, s) => a + s.weight, 0);
  const score =
    weightSum > 0 ? Math.round(present.reduce((a, s) => a + s.weight * (s.score ?? 0), 0) / weightSum) : null;
  let strongest = present[0] as HealthSignal;
  let worstLoss = -1;
  for (const s of present) {
    const loss = s.weight * (100 - (s.score ?? 0));
    if (loss > worstLoss || (loss === worstLoss && s.weight > strongest.weight)) {
      worstLoss = loss;
      strongest = s;
    }
  }
  return { score, reason: strongest.detail };
}

/**
 * Scores one tenant on one day (pure).
 * @param inputs aggregated figures (see {@link HealthInputs}; scoring.ts builds them)
 * @param profile weights (sum 100), band thresholds (red < green) and alert rules
 * @returns the score 0–100, band, components with reasons and the inputs they used; the component
 *   columns (no data → null). With no data at all: 50 and the band of 50.
 */
export function computeHealth(inputs: HealthInputs, profile: HealthProfileInput): HealthResult {
  const signalsOf: Record<HealthComponentKey, HealthSignal[]> = {
    productUsage: productUsageSignals(inputs.usage),
    support: supportSignals(inputs.support),
    engagement: engagementSignals(inputs.engagement),
    business: businessSignals(inputs.business),
  };
  const partial = HEALTH_COMPONENT_KEYS.map((key) => {
    const { score, reason } = combineSignals(signalsOf[key]);
    const signals = signalsOf[key];
    return {
      key,
      label: HEALTH_COMPONENT_LABELS[key],
      score,
      weight: profile.weights[key],
      reason,
      inputs: componentInputs(key, inputs),
      reference: signals.map((s) => `${s.label}: ${s.reference}`).join("; "),
      signals,
    };
  });
  const counted = partial.filter((c) => c.score !== null && c.weight > 0);
  const weightSum = counted.reduce((a, c) => a + c.weight, 0);
  const score = weightSum > 0 ? Math.round(counted.reduce((a, c) => a + c.weight * (c.score ?? 0), 0) / weightSum) : 50;
  const components: HealthComponent[] = partial.map((c) => ({
    ...c,
    effectiveWeight:
      c.score !== null && c.weight > 0 && weightSum > 0 ? Math.round((10_000 * c.weight) / weightSum) / 100 : 0,
  }));
  const columns = Object.fromEntries(components.map((c) => [c.key, c.score])) as Record<
    HealthComponentKey,
    number | null
  >;
  const reasons = [...counted]
    .sort((a, b) => b.weight * (100 - (b.score ?? 0)) - a.weight * (100 - (a.score ?? 0)))
    .map((c) => c.reason);
  return {
    score,
    band: bandOf(score, profile.thresholds),
    profile: profile.name,
    components,
    columns,
    reasons: reasons.length > 0 ? reasons : ["no data to score yet"],
  };
}

/** Days a tenant counts as onboarding after its creation (issue 8: "first 30 days"). */
export const ONBOARDING_DAYS = 30;

/**
 * The lifecycle stage of a tenant on `day`: "onboarding" when it was created less than 30 days
 * before (`day − created day < 30`, UTC calendar days), else "established".
 */
export function lifecycleOf(createdAt: Date, day: Date): "onboarding" | "established" {
  const created = Date.UTC(createdAt.getUTCFullYear(), createdAt.getUTCMonth(), createdAt.getUTCDate());
  const d = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  return (d - created) / 86_400_000 < ONBOARDING_DAYS ? "onboarding" : "established";
}

/**
 * The profile for a tenant on `day`: among profiles whose `lifecycle` (null = any) matches the
 * tenant's stage and whose `segment` (null = any) matches its segment, the highest priority (ties:
 * the more specific, then by name). With the seeded profiles: onboarding (20) beats enterprise
 * (10) beats default (0) — Totango's "profile order" with segment criteria.
 * @throws Error when no profile matches (keep a catch-all profile, as the seeded "default" is)
 */
export function pickProfile<P extends Pick<HealthProfileInput, "name" | "segment" | "lifecycle" | "priority">>(
  profiles: readonly P[],
  tenant: { createdAt: Date; segment: string | null },
  day: Date,
): P {
  const stage = lifecycleOf(tenant.createdAt, day);
  const specificity = (p: P) => (p.segment ? 1 : 0) + (p.lifecycle ? 1 : 0);
  const matches = profiles
    .filter(
      (p) => (p.lifecycle === null || p.lifecycle === stage) && (p.segment === null || p.segment === tenant.segment),
    )
    .sort((a, b) => b.priority - a.priority || specificity(b) - specificity(a) || a.name.localeCompare(b.name));
  const best = matches[0];
  if (!best) throw new Error("No health profile matches; keep a profile with neither segment nor lifecycle");
  return best;
}

/** Change of the score vs 7 and 30 days ago (points; null when that day was not scored). */
export interface HealthTrend {
  delta7d: number | null;
  delta30d: number | null;
}

/** {@link HealthTrend} from today's score and the stored scores 7 and 30 days earlier. */
export function healthTrend(score: number, score7dAgo: number | null, score30dAgo: number | null): HealthTrend {
  return {
    delta7d: score7dAgo === null ? null : score - score7dAgo,
    delta30d: score30dAgo === null ? null : score - score30dAgo,
  };
}
