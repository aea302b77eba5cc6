/**
 * Churn risk (issue 8; customer-health.md "Churn Risk Assessment"), pure: 0–100 with a horizon of
 * 30, 60 or 90 days and the drivers that make it up.
 *
 * The model is an additive points model with a cap per driver and a cap of 100 overall — the shape
 * of ChurnZero's ChurnScores (factors with point allocations adding up to 100, 0 = low risk, 100 =
 * high; support.churnzero.net "Getting Started with ChurnScores", "Setting up ChurnScore Factors"),
 * read as risk points instead of health points. The signals are the churn signals the issue and
 * customer-health.md name (declining trends, support escalations, payment failures, contract expiry
 * without renewal engagement, low NPS, reduced engagement), which Gainsight, Totango and ChurnZero
 * also list as typical health/risk measures. The points are EXPERT-SET DEFAULTS, not fitted to
 * churn outcomes: with enough renewals and churns recorded, a logistic regression of churn on these
 * drivers would replace them (docs/health-score.md "Limitations").
 *
 * | driver              | points (rounded)                                                     | cap | horizon |
 * | ------------------- | -------------------------------------------------------------------- | --- | ------- |
 * | usage_decline       | 25 × clamp((d − 10%) / 50%, 0, 1), d = worst decline of logins or    | 25  | 60 if d ≥ 50%, else 90 |
 * |                     | telemetry per day vs the previous 30 days                            |     |         |
 * | health_decline      | 15 × clamp(drop / 20, 0, 1), drop = score 30 days ago − score today  | 15  | 90      |
 * | support_escalations | 8 per urgent + 4 per high ticket + 4 per SLA breach, last 30 days    | 20  | 60      |
 * | payment_failures    | 10 per failed payment (90 days) + 10 per unpaid invoice              | 20  | 30      |
 * | renewal_risk        | contract not renewed/auto-renewing: expired 25, ≤ 30 days 15,       | 25  | 30 / 60 / 90 by expiry |
 * |                     | ≤ 60 days 10, ≤ 90 days 5; +10 when no engagement in the last 30 days|     |         |
 * | low_nps             | 15 × clamp((30 − NPS) / 80, 0, 1), NPS of the last 90 days           | 15  | 90      |
 * | disengagement       | 10 when engaged before but not in the last 60 days                   | 10  | 90      |
 *
 * Risk = min(100, Σ points). Horizon = the shortest horizon of the drivers with points (90 when none).
 */
import type { ChurnDriver } from "@fleetcore/validators";
import type { HealthInputs } from "./model";

/** Caps and rates of the churn drivers (expert defaults; see the file comment). */
export const CHURN_POINTS = {
  usageDeclineCap: 25,
  /** Declines up to this share score nothing… */
  usageDeclineFloor: 0.1,
  /** …and this much more reaches the cap. */
  usageDeclineSpan: 0.5,
  /** A decline at least this large shortens the driver's horizon to 60 days. */
  usageDeclineFast: 0.5,
  healthDeclineCap: 15,
  /** Score points lost in 30 days that reach the cap. */
  healthDeclineSpan: 20,
  supportCap: 20,
  urgentTicket: 8,
  highTicket: 4,
  slaBreach: 4,
  paymentCap: 20,
  failedPayment: 10,
  unpaidInvoice: 10,
  renewalCap: 25,
  renewalExpired: 25,
  renewalWithin30: 15,
  renewalWithin60: 10,
  renewalWithin90: 5,
  renewalNoEngagement: 10,
  npsCap: 15,
  /** NPS at or above this scores nothing; 80 below it reaches the cap. */
  npsFloor: 30,
  npsSpan: 80,
  disengagement: 10,
  /** Days without engagement that count as disengaged. */
  disengagementDays: 60,
} as const;

/** What {@link computeChurnRisk} returns. */
export interface ChurnResult {
  /** 0–100, integer. */
  risk: number;
  horizonDays: 30 | 60 | 90;
  /** Drivers with points, largest first (the stored `churn_drivers` JSON). */
  drivers: ChurnDriver[];
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Per-day decline of `cur` vs `prev` (0.42 = down 42%); null without a previous rate to compare with. */
function decline(cur: number, prev: number, daysCur: number, daysPrev: number): number | null {
  if (daysCur <= 0 || daysPrev <= 0 || prev <= 0) return null;
  return 1 - cur / daysCur / (prev / daysPrev);
}

/**
 * Churn risk of one tenant on one day (pure).
 * @param inputs the same aggregated figures as the health score
 * @param scores today's health score and the stored one 30 days earlier (null: not scored then)
 */
export function computeChurnRisk(
  inputs: HealthInputs,
  scores: { today: number; thirtyDaysAgo: number | null },
): ChurnResult {
  const P = CHURN_POINTS;
  const drivers: ChurnDriver[] = [];
  const add = (d: ChurnDriver) => {
    if (d.contribution > 0) drivers.push(d);
  };

  // Declining usage: the worse of logins and telemetry, per covered day.
  const u = inputs.usage;
  const logins = decline(u.loginsCurrent, u.loginsPrevious, u.daysCurrent, u.daysPrevious);
  const positions = decline(u.positionsCurrent, u.positionsPrevious, u.daysCurrent, u.daysPrevious);
  const worst =
    logins === null && positions === null
      ? null
      : (logins ?? -1) >= (positions ?? -1)
        ? { what: "logins", d: logins ?? 0 }
        : { what: "telemetry volume", d: positions ?? 0 };
  if (worst) {
    add({
      driver: "usage_decline",
      contribution: Math.round(P.usageDeclineCap * clamp((worst.d - P.usageDeclineFloor) / P.usageDeclineSpan, 0, 1)),
      reason: `${worst.what} down ${Math.round(worst.d * 100)}% vs the previous 30 days`,
      horizonDays: worst.d >= P.usageDeclineFast ? 60 : 90,
    });
  }

  // Declining health score.
  if (scores.thirtyDaysAgo !== null && scores.thirtyDaysAgo > scores.today) {
    const drop = scores.thirtyDaysAgo - scores.today;
    add({
      driver: "health_decline",
      contribution: Math.round(P.healthDeclineCap * clamp(drop / P.healthDeclineSpan, 0, 1)),
      reason: `health score fell from ${scores.thirtyDaysAgo} to ${scores.today} in 30 days`,
      horizonDays: 90,
    });
  }

  // Support escalations.
  const s = inputs.support;
  const breaches = s.slaTickets - s.slaMet;
  const supportPoints = P.urgentTicket * s.urgentCurrent + P.highTicket * s.highCurrent + P.slaBreach * breaches;
  if (supportPoints > 0) {
    const parts = [
      s.urgentCurrent > 0 ? plural(s.urgentCurrent, "urgent ticket") : null,
      s.highCurrent > 0 ? plural(s.highCurrent, "high-priority ticket") : null,
      breaches > 0 ? plural(breaches, "SLA breach", "SLA breaches") : null,
    ].filter((p): p is string => p !== null);
    add({
      driver: "support_escalations",
      contribution: Math.min(P.supportCap, supportPoints),
      reason: `${parts.join(", ")} in the last 30 days`,
      horizonDays: 60,
    });
  }

  // Payment failures.
  const b = inputs.business;
  const paymentPoints = P.failedPayment * b.failedPayments90d + P.unpaidInvoice * b.unpaidInvoices;
  if (paymentPoints > 0) {
    const parts = [
      b.failedPayments90d > 0 ? `${plural(b.failedPayments90d, "failed payment")} in the last 90 days` : null,
      b.unpaidInvoices > 0 ? `${plural(b.unpaidInvoices, "unpaid invoice")}` : null,
    ].filter((p): p is string => p !== null);
    add({
      driver: "payment_failures",
      contribution: Math.min(P.paymentCap, paymentPoints),
      reason: parts.join(" and "),
      horizonDays: 30,
    });
  }

  // Contract expiry without renewal (and without renewal engagement).
  const c = b.contract;
  if (c && !c.renewed && !c.autoRenew && c.daysToExpiry <= 90) {
    const base =
      c.daysToExpiry < 0
        ? P.renewalExpired
        : c.daysToExpiry <= 30
          ? P.renewalWithin30
          : c.daysToExpiry <= 60
            ? P.renewalWithin60
            : P.renewalWithin90;
    const last = inputs.engagement.daysSinceLastEngagement;
    const quiet = last === null || last > 30;
    const when =
      c.daysToExpiry < 0
        ? `contract expired ${plural(-c.daysToExpiry, "day")} ago without renewal`
        : `contract expires in ${plural(c.daysToExpiry, "day")} with no renewal signed`;
    add({
      driver: "renewal_risk",
      contribution: Math.min(P.renewalCap, base + (quiet ? P.renewalNoEngagement : 0)),
      reason: quiet
        ? `${when} and ${last === null ? "no engagement ever logged" : `no engagement in ${plural(last, "day")}`}`
        : when,
      horizonDays: c.daysToExpiry <= 30 ? 30 : c.daysToExpiry <= 60 ? 60 : 90,
    });
  }

  // Low NPS.
  const nps = inputs.nps;
  if (nps.responses > 0 && nps.score !== null) {
    add({
      driver: "low_nps",
      contribution: Math.round(P.npsCap * clamp((P.npsFloor - nps.score) / P.npsSpan, 0, 1)),
      reason: `NPS ${nps.score} from ${plural(nps.responses, "response")} in the last 90 days`,
      horizonDays: 90,
    });
  }

  // Reduced engagement.
  const e = inputs.engagement;
  if (e.everEngaged && e.daysSinceLastEngagement !== null && e.daysSinceLastEngagement > P.disengagementDays) {
    add({
      driver: "disengagement",
      contribution: P.disengagement,
      reason: `no engagement in ${plural(e.daysSinceLastEngagement, "day")}`,
      horizonDays: 90,
    });
  }

  drivers.sort((a, b2) => b2.contribution - a.contribution || a.driver.localeCompare(b2.driver));
  const risk = Math.min(
    100,
    drivers.reduce((a, d) => a + d.contribution, 0),
  );
  const horizonDays = Math.min(90, ...drivers.map((d) => d.horizonDays)) as 30 | 60 | 90;
  return { risk, horizonDays, drivers };
}
