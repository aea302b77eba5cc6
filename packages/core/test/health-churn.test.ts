/**
 * The churn risk model on hand-worked examples (no database); the points are those of
 * packages/core/src/health/churn.ts (CHURN_POINTS).
 */
import { describe, expect, it } from "vitest";
import { computeChurnRisk, type HealthInputs } from "../src/index";

function healthy(): HealthInputs {
  return {
    usage: {
      daysCurrent: 30,
      daysPrevious: 30,
      loginsCurrent: 3000,
      loginsPrevious: 3000,
      positionsCurrent: 30_000,
      positionsPrevious: 30_000,
      distinctFeatures: 10,
      avgActiveVehicles: 48,
      vehiclesPlan: 60,
    },
    support: {
      ticketsCurrent: 1,
      ticketsPrevious: 1,
      highCurrent: 0,
      urgentCurrent: 0,
      slaTickets: 1,
      slaMet: 1,
      csatResponses: 2,
      csatAvg: 5,
    },
    engagement: {
      everEngaged: true,
      engagements90d: 3,
      outcomes90d: { positive: 3, neutral: 0, negative: 0, action_required: 0 },
      daysSinceLastEngagement: 5,
      medianResponseS: 120,
    },
    business: {
      hasBilling: true,
      failedPayments90d: 0,
      unpaidInvoices: 0,
      contract: { daysToExpiry: 200, renewed: false, autoRenew: false, pendingRenewal: false },
      mrrNowMinor: 12_000,
      mrr90dAgoMinor: 12_000,
    },
    nps: { responses: 5, score: 50 },
  };
}

describe("computeChurnRisk", () => {
  it("a healthy tenant: no drivers, risk 0, horizon 90", () => {
    expect(computeChurnRisk(healthy(), { today: 90, thirtyDaysAgo: 88 })).toEqual({
      risk: 0,
      horizonDays: 90,
      drivers: [],
    });
  });

  it("the worked example: 81 within 30 days, every driver with its points", () => {
    const i = healthy();
    // logins −42% (the worse of −42% and telemetry −10%): 25 × (0.42 − 0.10) / 0.50 = 16
    i.usage.loginsCurrent = 1740;
    i.usage.positionsCurrent = 27_000;
    // 1 urgent (8) + 1 high (4) + 1 SLA breach (3 of 4 met: 4) = 16
    i.support = { ...i.support, urgentCurrent: 1, highCurrent: 1, slaTickets: 4, slaMet: 3 };
    // 1 failed payment: 10, horizon 30
    i.business.failedPayments90d = 1;
    // expires in 45 days (≤ 60: 10) and no engagement for 40 days (> 30: +10) = 20, horizon 60
    i.business.contract = { daysToExpiry: 45, renewed: false, autoRenew: false, pendingRenewal: false };
    i.engagement.daysSinceLastEngagement = 40;
    // NPS −10: 15 × (30 − (−10)) / 80 = 7.5 → 8
    i.nps = { responses: 4, score: -10 };
    // score 80 → 65 in 30 days: 15 × 15 / 20 = 11.25 → 11
    const r = computeChurnRisk(i, { today: 65, thirtyDaysAgo: 80 });
    expect(r.drivers).toEqual([
      {
        driver: "renewal_risk",
        contribution: 20,
        reason: "contract expires in 45 days with no renewal signed and no engagement in 40 days",
        horizonDays: 60,
      },
      {
        driver: "support_escalations",
        contribution: 16,
        reason: "1 urgent ticket, 1 high-priority ticket, 1 SLA breach in the last 30 days",
        horizonDays: 60,
      },
      {
        driver: "usage_decline",
        contribution: 16,
        reason: "logins down 42% vs the previous 30 days",
        horizonDays: 90,
      },
      {
        driver: "health_decline",
        contribution: 11,
        reason: "health score fell from 80 to 65 in 30 days",
        horizonDays: 90,
      },
      {
        driver: "payment_failures",
        contribution: 10,
        reason: "1 failed payment in the last 90 days",
        horizonDays: 30,
      },
      { driver: "low_nps", contribution: 8, reason: "NPS -10 from 4 responses in the last 90 days", horizonDays: 90 },
    ]);
    // 20 + 16 + 16 + 11 + 10 + 8
    expect(r.risk).toBe(81);
    expect(r.horizonDays).toBe(30);
  });

  it("caps: each driver at its cap, the total at 100", () => {
    const i = healthy();
    i.usage.loginsCurrent = 0; // −100%: capped at 25, horizon 60
    i.support = { ...i.support, urgentCurrent: 5, slaTickets: 5, slaMet: 0 }; // 40 + 20 → 20
    i.business.failedPayments90d = 3; // 30 → 20
    i.business.unpaidInvoices = 1;
    i.business.contract = { daysToExpiry: -5, renewed: false, autoRenew: false, pendingRenewal: false }; // 25 (+10) → 25
    i.engagement.daysSinceLastEngagement = 75; // disengaged: 10
    i.nps = { responses: 3, score: -80 }; // 15
    const r = computeChurnRisk(i, { today: 20, thirtyDaysAgo: 70 }); // drop 50 → 15
    const points = Object.fromEntries(r.drivers.map((d) => [d.driver, d.contribution]));
    expect(points).toEqual({
      usage_decline: 25,
      support_escalations: 20,
      payment_failures: 20,
      renewal_risk: 25,
      low_nps: 15,
      health_decline: 15,
      disengagement: 10,
    });
    expect(r.risk).toBe(100);
    expect(r.horizonDays).toBe(30);
    expect(r.drivers.find((d) => d.driver === "renewal_risk")?.reason).toBe(
      "contract expired 5 days ago without renewal and no engagement in 75 days",
    );
  });

  it("horizon: 60 from a renewal within 60 days, or a usage collapse (≥ 50%)", () => {
    const i = healthy();
    i.business.contract = { daysToExpiry: 50, renewed: false, autoRenew: false, pendingRenewal: false };
    // 10 (≤ 60 days); engaged 5 days ago: no extra points
    const r = computeChurnRisk(i, { today: 80, thirtyDaysAgo: null });
    expect(r).toEqual({
      risk: 10,
      horizonDays: 60,
      drivers: [
        {
          driver: "renewal_risk",
          contribution: 10,
          reason: "contract expires in 50 days with no renewal signed",
          horizonDays: 60,
        },
      ],
    });
    const j = healthy();
    j.usage.positionsCurrent = 12_000; // −60% → 25, horizon 60
    expect(computeChurnRisk(j, { today: 80, thirtyDaysAgo: null })).toMatchObject({ risk: 25, horizonDays: 60 });
  });

  it("renewed or auto-renewing contracts, declines under 10% and NPS ≥ 30 add nothing", () => {
    const i = healthy();
    i.business.contract = { daysToExpiry: 10, renewed: true, autoRenew: false, pendingRenewal: false };
    i.usage.loginsCurrent = 2750; // −8.3%
    i.nps = { responses: 2, score: 30 };
    expect(computeChurnRisk(i, { today: 80, thirtyDaysAgo: 78 }).risk).toBe(0);
    i.business.contract = { daysToExpiry: 10, renewed: false, autoRenew: true, pendingRenewal: false };
    expect(computeChurnRisk(i, { today: 80, thirtyDaysAgo: 78 }).risk).toBe(0);
  });
});
