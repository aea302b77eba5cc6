/**
 * The sales forecast's arithmetic (packages/core/src/crm/forecast.ts) on figures worked out by
 * hand: the opportunity's probability override beats its stage's, currencies are never mixed,
 * months are the UTC calendar months of the close date, the weighted total is rounded once per
 * (month, currency) bucket, half up, won/lost stay out of the weighted pipeline and won counts as
 * won. Then the same through the database (`getForecast`), with stage probabilities as stored.
 */
import { disconnectAll, withScope } from "@fleetcore/db";
import { testPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import {
  AuditTrail,
  computeForecast,
  DEFAULT_STAGE_PROBABILITIES,
  type ForecastOpportunity,
  getForecast,
  monthRange,
  roundPercentHalfUp,
  setStageProbability,
  systemActor,
  yearMonthOf,
} from "../src/index";

afterAll(() => disconnectAll());

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const opp = (
  stage: ForecastOpportunity["stage"],
  estimatedValueMinor: bigint,
  currency: string,
  close: string,
  probabilityPct: number | null = null,
): ForecastOpportunity => ({ stage, estimatedValueMinor, currency, closeDate: day(close), probabilityPct });

// Stage probabilities: prospecting 10, qualified 25, proposal_sent 50, negotiation 75.
const STAGES = DEFAULT_STAGE_PROBABILITIES;
const MONTHS = monthRange("2027-01", 3);

const FIXTURE: ForecastOpportunity[] = [
  // USD, January (the 31st is still January):
  opp("qualified", 100_005n, "USD", "2027-01-31"), //           stage 25 %:  2,500,125
  opp("negotiation", 333n, "USD", "2027-01-10", 33), //          override 33 %:   10,989
  opp("prospecting", 1n, "USD", "2027-01-02", 50), //            override 50 %:       50
  opp("prospecting", 1n, "USD", "2027-01-03", 50), //                                 50
  opp("prospecting", 1n, "USD", "2027-01-04", 50), //                                 50
  //                                                      Σ v×p = 2,511,264 → 25,112.64 → 25,113
  opp("won", 50_000n, "USD", "2027-01-01", 10), //               won: not weighted, counted as won
  opp("lost", 999_999n, "USD", "2027-01-20"), //                 lost: nowhere
  // EUR, January: 10,000 × 50 % and 10,000 × 0 % (override 0 beats the stage's 50).
  opp("proposal_sent", 10_000n, "EUR", "2027-01-15"),
  opp("proposal_sent", 10_000n, "EUR", "2027-01-16", 0),
  // USD, February (the 1st is February): 250 × 75 % = 187.5 → 188 (half up).
  opp("negotiation", 250n, "USD", "2027-02-01"),
  // JPY (no minor unit), March: 12,345 × 99 % = 12,221.55 → 12,222.
  opp("negotiation", 12_345n, "JPY", "2027-03-31", 99),
  // Outside the range: December before, April after.
  opp("negotiation", 1_000n, "USD", "2026-12-31"),
  opp("negotiation", 1_000n, "USD", "2027-04-01"),
];

describe("forecast arithmetic", () => {
  it("months are consecutive UTC calendar months, across a year end", () => {
    expect(monthRange("2026-11", 4)).toEqual(["2026-11", "2026-12", "2027-01", "2027-02"]);
    expect(yearMonthOf(day("2027-01-31"))).toBe("2027-01");
    expect(yearMonthOf(day("2027-02-01"))).toBe("2027-02");
  });

  it("rounds Σ v×p / 100 half up", () => {
    expect(roundPercentHalfUp(2_511_264n)).toBe(25_113n);
    expect(roundPercentHalfUp(18_750n)).toBe(188n);
    expect(roundPercentHalfUp(18_749n)).toBe(187n);
    expect(roundPercentHalfUp(0n)).toBe(0n);
  });

  it("buckets by (close month, currency) with hand-worked totals", () => {
    const f = computeForecast(FIXTURE, STAGES, MONTHS);
    expect(f.months).toEqual(["2027-01", "2027-02", "2027-03"]);
    expect(f.currencies).toEqual(["EUR", "JPY", "USD"]);
    expect(f.buckets).toEqual([
      {
        month: "2027-01",
        currency: "EUR",
        openCount: 2,
        pipelineMinor: 20_000n,
        weightedMinor: 5_000n,
        wonCount: 0,
        wonMinor: 0n,
      },
      {
        month: "2027-01",
        currency: "USD",
        openCount: 5,
        pipelineMinor: 100_341n,
        weightedMinor: 25_113n,
        wonCount: 1,
        wonMinor: 50_000n,
      },
      {
        month: "2027-02",
        currency: "USD",
        openCount: 1,
        pipelineMinor: 250n,
        weightedMinor: 188n,
        wonCount: 0,
        wonMinor: 0n,
      },
      {
        month: "2027-03",
        currency: "JPY",
        openCount: 1,
        pipelineMinor: 12_345n,
        weightedMinor: 12_222n,
        wonCount: 0,
        wonMinor: 0n,
      },
    ]);
  });

  it("rounds once per bucket, not per opportunity", () => {
    // Per opportunity, January USD would be 25,001 + 110 + 1 + 1 + 1 = 25,114; once per bucket it is 25,113.
    const january = computeForecast(FIXTURE, STAGES, MONTHS).buckets.find(
      (b) => b.month === "2027-01" && b.currency === "USD",
    );
    expect(january?.weightedMinor).toBe(25_113n);
    // Three 1-cent deals at 50 %: 1.5 → 2 (not 3).
    const tiny = computeForecast(
      [1, 2, 3].map((d) => opp("prospecting", 1n, "USD", `2027-01-0${d}`, 50)),
      STAGES,
      MONTHS,
    );
    expect(tiny.buckets[0]?.weightedMinor).toBe(2n);
  });

  it("totals per currency over the range, weighted from the exact sum (rounded once)", () => {
    const f = computeForecast(FIXTURE, STAGES, MONTHS);
    expect(f.totals).toEqual([
      { currency: "EUR", openCount: 2, pipelineMinor: 20_000n, weightedMinor: 5_000n, wonCount: 0, wonMinor: 0n },
      { currency: "JPY", openCount: 1, pipelineMinor: 12_345n, weightedMinor: 12_222n, wonCount: 0, wonMinor: 0n },
      // Σ v×p = 2,511,264 + 18,750 = 2,530,014 → 25,300.14 → 25,300
      {
        currency: "USD",
        openCount: 6,
        pipelineMinor: 100_591n,
        weightedMinor: 25_300n,
        wonCount: 1,
        wonMinor: 50_000n,
      },
    ]);
  });

  it("uses the stage's probability as configured when there is no override", () => {
    const custom = { ...STAGES, qualified: 40 };
    const f = computeForecast([opp("qualified", 1_001n, "USD", "2027-01-05")], custom, MONTHS);
    // 1,001 × 40 = 40,040 → 400.4 → 400
    expect(f.buckets[0]?.weightedMinor).toBe(400n);
  });

  it("leaves out lost opportunities entirely and a month with only lost ones", () => {
    const f = computeForecast([opp("lost", 5_000n, "EUR", "2027-02-02")], STAGES, MONTHS);
    expect(f).toEqual({ months: MONTHS, currencies: [], buckets: [], totals: [] });
  });
});

describe("getForecast (database)", () => {
  it("reads live opportunities and the stored stage probabilities", async () => {
    const prisma = testPrisma();
    const months = monthRange("2091-05", 2);
    const result = await withScope(prisma, { kind: "system" }, async (db) => {
      const tx = { db, audit: new AuditTrail(db, systemActor()) };
      await setStageProbability(tx, { stage: "proposal_sent", probabilityPct: 60 });
      const base = { currency: "CHF", accountManagerId: null, tenantId: null };
      await db.crmOpportunity.createMany({
        data: [
          { ...base, name: "a", stage: "proposal_sent", estimatedValueMinor: 1_005n, closeDate: day("2091-05-31") },
          {
            ...base,
            name: "b",
            stage: "qualified",
            estimatedValueMinor: 2_000n,
            closeDate: day("2091-06-01"),
            probabilityPct: 5,
          },
          { ...base, name: "c", stage: "won", estimatedValueMinor: 7_000n, closeDate: day("2091-06-10") },
          {
            ...base,
            name: "d",
            stage: "negotiation",
            estimatedValueMinor: 9_999n,
            closeDate: day("2091-06-11"),
            deletedAt: new Date(),
          },
        ],
      });
      const forecast = await getForecast(db, { fromMonth: "2091-05", months: 2 });
      // Restore the default for other tests sharing the database.
      await setStageProbability(tx, { stage: "proposal_sent", probabilityPct: 50 });
      return forecast;
    });
    expect(result.months).toEqual(months);
    expect(result.buckets).toEqual([
      // 1,005 × 60 = 60,300 → 603
      {
        month: "2091-05",
        currency: "CHF",
        openCount: 1,
        pipelineMinor: 1_005n,
        weightedMinor: 603n,
        wonCount: 0,
        wonMinor: 0n,
      },
      // 2,000 × 5 = 10,000 → 100; won 7,000; the deleted one is left out
      {
        month: "2091-06",
        currency: "CHF",
        openCount: 1,
        pipelineMinor: 2_000n,
        weightedMinor: 100n,
        wonCount: 1,
        wonMinor: 7_000n,
      },
    ]);
  });
});
