/**
 * The health score model on hand-worked examples (no database). Every expected number is worked out
 * in the comments from the signal definitions in packages/core/src/health/model.ts.
 */
import { describe, expect, it } from "vitest";
import {
  bandOf,
  combineSignals,
  computeHealth,
  type HealthInputs,
  type HealthProfileInput,
  healthTrend,
  lifecycleOf,
  pickProfile,
  trendScore,
} from "../src/index";

const RULES = { scoreDrop: 10, churnRisk: 70, renewalNoEngagementDays: 30 };
/** The three profiles the migration seeds. */
const DEFAULT: HealthProfileInput = {
  name: "default",
  segment: null,
  lifecycle: null,
  priority: 0,
  weights: { productUsage: 40, support: 25, engagement: 20, business: 15 },
  thresholds: { red: 50, green: 75 },
  alertRules: RULES,
};
const ONBOARDING: HealthProfileInput = {
  name: "onboarding",
  segment: null,
  lifecycle: "onboarding",
  priority: 20,
  weights: { productUsage: 50, support: 20, engagement: 30, business: 0 },
  thresholds: { red: 40, green: 70 },
  alertRules: { scoreDrop: 15, churnRisk: 80, renewalNoEngagementDays: 30 },
};
const ENTERPRISE: HealthProfileInput = {
  name: "enterprise",
  segment: "enterprise",
  lifecycle: null,
  priority: 10,
  weights: { productUsage: 35, support: 25, engagement: 25, business: 15 },
  thresholds: { red: 50, green: 75 },
  alertRules: { scoreDrop: 8, churnRisk: 60, renewalNoEngagementDays: 60 },
};

/**
 * The worked example ("Lone Star Transit"), component by component:
 *
 * Product usage (sub-weights 30/25/25/20)
 *   logins 1740 vs 3000 over 30 days each → 100 × 58/100 = 58 ("down 42%")
 *   8 distinct features, target 10          → 80
 *   36 active vehicles on average, plan 60, target 80% → 100 × 36 / 48 = 75
 *   positions 27 000 vs 30 000              → 90
 *   (30·58 + 25·80 + 25·75 + 20·90) / 100 = 74.15 → 74; biggest loss logins (30 × 42 = 1260)
 * Support (25 each)
 *   6 tickets vs 2 → 100 × 2/6 = 33.3 → 33; 1 urgent + 1 high → 100 − 50 − 25 = 25;
 *   SLA 3 of 4 → 75; CSAT 3.4 → 100 × 2.4/4 = 60; (33 + 25 + 75 + 60) / 4 = 48.25 → 48;
 *   biggest loss severity (25 × 75)
 * Engagement (40/30/30)
 *   2 engagements in 90 days, target 3 → 66.7 → 67; outcomes 1 positive + 1 negative → 50;
 *   median response 900 s → 100 × (3600 − 900) / 3300 = 81.8 → 82;
 *   (40·67 + 30·50 + 30·82) / 100 = 66.4 → 66; biggest loss outcomes (30 × 50 = 1500 > 40 × 33)
 * Business (40/30/30)
 *   1 failed payment → 100 − 35 = 65; contract in 45 days, not renewed → 100 × 45/90 = 50;
 *   MRR 9 600 vs 12 000 → 80; (40·65 + 30·50 + 30·80) / 100 = 65; biggest loss renewal (30 × 50)
 * Score (default 40/25/20/15): (40·74 + 25·48 + 20·66 + 15·65) / 100 = 64.55 → 65, yellow.
 */
function example(): HealthInputs {
  return {
    usage: {
      daysCurrent: 30,
      daysPrevious: 30,
      loginsCurrent: 1740,
      loginsPrevious: 3000,
      positionsCurrent: 27_000,
      positionsPrevious: 30_000,
      distinctFeatures: 8,
      avgActiveVehicles: 36,
      vehiclesPlan: 60,
    },
    support: {
      ticketsCurrent: 6,
      ticketsPrevious: 2,
      highCurrent: 1,
      urgentCurrent: 1,
      slaTickets: 4,
      slaMet: 3,
      csatResponses: 5,
      csatAvg: 3.4,
    },
    engagement: {
      everEngaged: true,
      engagements90d: 2,
      outcomes90d: { positive: 1, neutral: 0, negative: 1, action_required: 0 },
      daysSinceLastEngagement: 40,
      medianResponseS: 900,
    },
    business: {
      hasBilling: true,
      failedPayments90d: 1,
      unpaidInvoices: 0,
      contract: { daysToExpiry: 45, renewed: false, autoRenew: false, pendingRenewal: false },
      mrrNowMinor: 9_600,
      mrr90dAgoMinor: 12_000,
    },
    nps: { responses: 4, score: -10 },
  };
}

const component = (r: ReturnType<typeof computeHealth>, key: string) => {
  const c = r.components.find((x) => x.key === key);
  if (!c) throw new Error(`no component ${key}`);
  return c;
};
const signal = (r: ReturnType<typeof computeHealth>, key: string, s: string) =>
  component(r, key).signals.find((x) => x.key === s)?.score;

describe("components (hand-worked example)", () => {
  const r = computeHealth(example(), DEFAULT);

  it("product usage: logins, features, vehicles vs plan, telemetry trend", () => {
    expect(signal(r, "productUsage", "logins")).toBe(58);
    expect(signal(r, "productUsage", "featureAdoption")).toBe(80);
    expect(signal(r, "productUsage", "activeVehicles")).toBe(75);
    expect(signal(r, "productUsage", "telemetryTrend")).toBe(90);
    const c = component(r, "productUsage");
    expect(c.score).toBe(74);
    expect(c.reason).toBe("logins down 42% vs the previous 30 days (1740 vs 3000)");
    expect(c.reference).toContain("Logins: the previous 30 days");
    expect(c.inputs.vehiclesPlan).toBe(60);
  });

  it("support: volume, severity, SLA, CSAT", () => {
    expect(signal(r, "support", "ticketVolume")).toBe(33);
    expect(signal(r, "support", "ticketSeverity")).toBe(25);
    expect(signal(r, "support", "resolutionSla")).toBe(75);
    expect(signal(r, "support", "csat")).toBe(60);
    expect(component(r, "support").score).toBe(48);
    expect(component(r, "support").reason).toBe(
      "1 urgent ticket and 1 high-priority ticket opened in the last 30 days",
    );
  });

  it("engagement: frequency, outcomes, message response", () => {
    expect(signal(r, "engagement", "frequency")).toBe(67);
    expect(signal(r, "engagement", "outcomes")).toBe(50);
    expect(signal(r, "engagement", "messageResponse")).toBe(82);
    expect(component(r, "engagement").score).toBe(66);
    expect(component(r, "engagement").reason).toBe("engagement outcomes in the last 90 days: 1 positive, 1 negative");
  });

  it("business: payments, renewal proximity, ARR trend", () => {
    expect(signal(r, "business", "payments")).toBe(65);
    expect(signal(r, "business", "renewal")).toBe(50);
    expect(signal(r, "business", "arrTrend")).toBe(80);
    expect(component(r, "business").score).toBe(65);
    expect(component(r, "business").reason).toBe("contract expires in 45 days with no renewal signed");
  });

  it("weights: the default profile gives 65 (yellow); columns and reasons weakest first", () => {
    expect(r.score).toBe(65);
    expect(r.band).toBe("yellow");
    expect(r.profile).toBe("default");
    expect(r.columns).toEqual({ productUsage: 74, support: 48, engagement: 66, business: 65 });
    expect(r.components.map((c) => [c.key, c.weight, c.effectiveWeight])).toEqual([
      ["productUsage", 40, 40],
      ["support", 25, 25],
      ["engagement", 20, 20],
      ["business", 15, 15],
    ]);
    // Points lost: support 25 × 52 = 1300, product usage 40 × 26 = 1040, engagement 680, business 525.
    expect(r.reasons[0]).toBe("1 urgent ticket and 1 high-priority ticket opened in the last 30 days");
    expect(r.reasons[1]).toBe("logins down 42% vs the previous 30 days (1740 vs 3000)");
  });

  it("weights: enterprise (35/25/25/15) gives 64; onboarding (50/20/30/0) gives 66 and ignores business", () => {
    // (35·74 + 25·48 + 25·66 + 15·65) / 100 = 64.15 → 64
    expect(computeHealth(example(), ENTERPRISE).score).toBe(64);
    // (50·74 + 20·48 + 30·66) / 100 = 66.4 → 66; yellow under red 40 / green 70
    const onboarding = computeHealth(example(), ONBOARDING);
    expect(onboarding.score).toBe(66);
    expect(onboarding.band).toBe("yellow");
    expect(component(onboarding, "business").effectiveWeight).toBe(0);
    expect(component(onboarding, "business").score).toBe(65);
  });
});

describe("bands", () => {
  it("red < red threshold, green > green threshold, yellow between (both ends yellow)", () => {
    const t = { red: 50, green: 75 };
    expect(bandOf(49, t)).toBe("red");
    expect(bandOf(50, t)).toBe("yellow");
    expect(bandOf(75, t)).toBe("yellow");
    expect(bandOf(76, t)).toBe("green");
    expect(bandOf(45, { red: 40, green: 70 })).toBe("yellow");
    expect(bandOf(71, { red: 40, green: 70 })).toBe("green");
  });
});

describe("missing data", () => {
  it("a component without data is left out and the other weights renormalised", () => {
    const inputs = example();
    inputs.usage = { ...inputs.usage, daysCurrent: 0, daysPrevious: 0, avgActiveVehicles: null };
    const r = computeHealth(inputs, DEFAULT);
    const usage = component(r, "productUsage");
    expect(usage.score).toBeNull();
    expect(usage.effectiveWeight).toBe(0);
    expect(usage.reason).toMatch(/^no data: no activity recorded in the last 30 days/);
    // (25·48 + 20·66 + 15·65) / 60 = 58.25 → 58; support now weighs 25/60 = 41.67%
    expect(r.score).toBe(58);
    expect(component(r, "support").effectiveWeight).toBe(41.67);
    // The column says what the JSON says: no data.
    expect(r.columns.productUsage).toBeNull();
  });

  it("a signal without data is left out of its component (no vehicle allowance)", () => {
    const inputs = example();
    inputs.usage.vehiclesPlan = null;
    const r = computeHealth(inputs, DEFAULT);
    expect(signal(r, "productUsage", "activeVehicles")).toBeNull();
    // (30·58 + 25·80 + 20·90) / 75 = 73.87 → 74
    expect(component(r, "productUsage").score).toBe(74);
  });

  it("no engagement ever logged, no outcomes, no answered messages: engagement has no data", () => {
    const inputs = example();
    inputs.engagement = {
      everEngaged: false,
      engagements90d: 0,
      outcomes90d: { positive: 0, neutral: 0, negative: 0, action_required: 0 },
      daysSinceLastEngagement: null,
      medianResponseS: null,
    };
    const r = computeHealth(inputs, DEFAULT);
    expect(component(r, "engagement").score).toBeNull();
    // (40·74 + 25·48 + 15·65) / 80 = 64.19 → 64
    expect(r.score).toBe(64);
  });

  it("engaged before but not in 90 days scores 0 on frequency (measured zero, not missing)", () => {
    const inputs = example();
    inputs.engagement.engagements90d = 0;
    inputs.engagement.outcomes90d = { positive: 0, neutral: 0, negative: 0, action_required: 0 };
    const r = computeHealth(inputs, DEFAULT);
    expect(signal(r, "engagement", "frequency")).toBe(0);
    expect(signal(r, "engagement", "outcomes")).toBeNull();
    // (40·0 + 30·82) / 70 = 35.1 → 35
    expect(component(r, "engagement").score).toBe(35);
  });

  it("no data at all: a neutral 50", () => {
    const r = computeHealth(
      {
        usage: {
          daysCurrent: 0,
          daysPrevious: 0,
          loginsCurrent: 0,
          loginsPrevious: 0,
          positionsCurrent: 0,
          positionsPrevious: 0,
          distinctFeatures: 0,
          avgActiveVehicles: null,
          vehiclesPlan: null,
        },
        support: {
          ticketsCurrent: 0,
          ticketsPrevious: 0,
          highCurrent: 0,
          urgentCurrent: 0,
          slaTickets: 0,
          slaMet: 0,
          csatResponses: 0,
          csatAvg: null,
        },
        engagement: {
          everEngaged: false,
          engagements90d: 0,
          outcomes90d: { positive: 0, neutral: 0, negative: 0, action_required: 0 },
          daysSinceLastEngagement: null,
          medianResponseS: null,
        },
        business: {
          hasBilling: false,
          failedPayments90d: 0,
          unpaidInvoices: 0,
          contract: null,
          mrrNowMinor: null,
          mrr90dAgoMinor: null,
        },
        nps: { responses: 0, score: null },
      },
      { ...DEFAULT, weights: { productUsage: 40, support: 0, engagement: 30, business: 30 } },
    );
    expect(r.score).toBe(50);
    expect(r.band).toBe("yellow");
    expect(r.reasons).toEqual(["no data to score yet"]);
  });

  it("trend references: none without a previous window; per covered day; zero before", () => {
    expect(trendScore(10, 0, 30, 0)).toBeNull();
    expect(trendScore(300, 600, 15, 30)).toBe(100); // 20 a day both times
    expect(trendScore(5, 0, 30, 30)).toBe(100);
    expect(trendScore(0, 0, 30, 30)).toBe(0);
    expect(trendScore(1740, 3000, 30, 30)).toBe(58);
  });
});

describe("business edge cases", () => {
  const business = (b: Partial<HealthInputs["business"]>) => {
    const inputs = example();
    inputs.business = { ...inputs.business, ...b };
    return computeHealth(inputs, DEFAULT);
  };
  it("renewal: renewed or auto-renewing 100, pending renewal floor 50, expired 0", () => {
    const c = { daysToExpiry: 9, renewed: false, autoRenew: false, pendingRenewal: false };
    expect(signal(business({ contract: { ...c, renewed: true } }), "business", "renewal")).toBe(100);
    expect(signal(business({ contract: { ...c, autoRenew: true } }), "business", "renewal")).toBe(100);
    expect(signal(business({ contract: c }), "business", "renewal")).toBe(10);
    expect(signal(business({ contract: { ...c, pendingRenewal: true } }), "business", "renewal")).toBe(50);
    expect(signal(business({ contract: { ...c, daysToExpiry: -3 } }), "business", "renewal")).toBe(0);
    expect(signal(business({ contract: null }), "business", "renewal")).toBeNull();
  });
  it("payments: 35 per failure, 30 per unpaid invoice, floor 0; none without billing", () => {
    expect(signal(business({ failedPayments90d: 1, unpaidInvoices: 1 }), "business", "payments")).toBe(35);
    expect(signal(business({ failedPayments90d: 3 }), "business", "payments")).toBe(0);
    expect(signal(business({ hasBilling: false, failedPayments90d: 0 }), "business", "payments")).toBeNull();
  });
  it("ARR: growth capped at 100, new revenue 100, no revenue history none", () => {
    expect(signal(business({ mrrNowMinor: 15_000, mrr90dAgoMinor: 12_000 }), "business", "arrTrend")).toBe(100);
    expect(signal(business({ mrrNowMinor: 5_000, mrr90dAgoMinor: 0 }), "business", "arrTrend")).toBe(100);
    expect(signal(business({ mrrNowMinor: null, mrr90dAgoMinor: null }), "business", "arrTrend")).toBeNull();
  });
});

describe("combineSignals", () => {
  it("all at 100 names the heaviest signal", () => {
    const r = combineSignals([
      { key: "a", label: "A", weight: 20, score: 100, reference: "", detail: "a fine" },
      { key: "b", label: "B", weight: 30, score: 100, reference: "", detail: "b fine" },
    ]);
    expect(r).toEqual({ score: 100, reason: "b fine" });
  });
});

describe("profiles", () => {
  const profiles = [DEFAULT, ENTERPRISE, ONBOARDING];
  const day = new Date("2030-03-31T00:00:00Z");
  const daysBefore = (n: number) => new Date(day.getTime() - n * 86_400_000 + 5 * 3_600_000);

  it("onboarding for the first 30 days (day − created day < 30), by priority over segment", () => {
    expect(lifecycleOf(daysBefore(29), day)).toBe("onboarding");
    expect(lifecycleOf(daysBefore(30), day)).toBe("established");
    expect(pickProfile(profiles, { createdAt: daysBefore(10), segment: "enterprise" }, day).name).toBe("onboarding");
    expect(pickProfile(profiles, { createdAt: daysBefore(29), segment: null }, day).name).toBe("onboarding");
  });

  it("then the segment, then the default", () => {
    expect(pickProfile(profiles, { createdAt: daysBefore(30), segment: "enterprise" }, day).name).toBe("enterprise");
    expect(pickProfile(profiles, { createdAt: daysBefore(400), segment: "smb" }, day).name).toBe("default");
    expect(pickProfile(profiles, { createdAt: daysBefore(400), segment: null }, day).name).toBe("default");
  });

  it("a higher-priority segment profile beats onboarding when configured so", () => {
    const boosted = [
      ...profiles,
      { ...ENTERPRISE, name: "enterprise-onboarding", lifecycle: "onboarding", priority: 30 },
    ];
    expect(pickProfile(boosted, { createdAt: daysBefore(3), segment: "enterprise" }, day).name).toBe(
      "enterprise-onboarding",
    );
  });

  it("throws without a catch-all profile", () => {
    expect(() => pickProfile([ENTERPRISE], { createdAt: daysBefore(400), segment: "smb" }, day)).toThrow(
      /No health profile/,
    );
  });
});

describe("trend", () => {
  it("change vs 7 and 30 days ago; null when that day was not scored", () => {
    expect(healthTrend(60, 72, null)).toEqual({ delta7d: -12, delta30d: null });
    expect(healthTrend(60, 55, 80)).toEqual({ delta7d: 5, delta30d: -20 });
  });
});
