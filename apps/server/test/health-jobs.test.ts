/**
 * The daily scoring trigger (apps/server/src/healthJobs.ts): which day is due when, and that a day
 * is scored once — a second pass the same day does nothing.
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import { runDailyScoringIfDue, scoringDayDue } from "../src/healthJobs";

afterAll(() => disconnectAll());

describe("daily health scoring trigger", () => {
  it("scores day D after 12:00 UTC of D + 1 (D has ended in every time zone)", () => {
    expect(scoringDayDue(new Date("2026-11-21T11:59:00Z"))).toBe("2026-11-19");
    expect(scoringDayDue(new Date("2026-11-21T12:00:00Z"))).toBe("2026-11-20");
    expect(scoringDayDue(new Date("2026-01-01T13:00:00Z"))).toBe("2025-12-31");
  });

  it("scores every tenant for the due day once", async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const tenant = await testOwnerPrisma().tenant.create({
      data: {
        name: `Scored ${tag}`,
        slug: `scored-${tag}`,
        countryCode: "US",
        defaultCurrency: "USD",
        createdAt: new Date("2026-01-01T00:00:00Z"),
      },
    });
    const now = new Date("2026-03-10T15:00:00Z");
    const first = await runDailyScoringIfDue(testPrisma(), now, () => {});
    expect(first).toMatchObject({ day: "2026-03-09" });
    expect(first?.scored).toBeGreaterThanOrEqual(1);
    const row = await testOwnerPrisma().tenantHealthScore.findFirst({
      where: { tenantId: tenant.id, day: new Date("2026-03-09T00:00:00Z") },
    });
    expect(row).not.toBeNull();
    expect(await runDailyScoringIfDue(testPrisma(), now, () => {})).toBeNull();
  });
});
