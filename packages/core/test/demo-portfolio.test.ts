/**
 * The demo portfolio keeps moving after the seed (packages/core/src/demo/portfolio.ts): the modelled
 * days after the seed day are written up to yesterday, exactly as the model gives them, once; looked-
 * after tenants get a check-in every 30 days, decliners none; each archetype holds its course.
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEMO_CHECK_IN_DAYS,
  type DemoTenantMetadata,
  type DemoTenantProfile,
  demoPortfolioProfiles,
  extendDemoPortfolio,
  modelDemoDay,
  mulberry32,
} from "../src/index";

const DAY_MS = 86_400_000;
const unique = () => Math.random().toString(36).slice(2, 10);
const profiles = demoPortfolioProfiles(mulberry32(8_2026_11));
const of = (archetype: DemoTenantProfile["archetype"]) =>
  profiles.find((p) => p.archetype === archetype) as DemoTenantProfile;

afterAll(disconnectAll);

/** A generated tenant seeded `seededDaysAgo` days before `now` (no activity rows, like right after the seed day). */
async function demoTenant(profile: DemoTenantProfile, seedDayMs: number) {
  const p = { ...profile, slug: `${profile.slug}-${unique()}` };
  const tenant = await testOwnerPrisma().tenant.create({
    data: {
      name: p.name,
      slug: p.slug,
      countryCode: "US",
      defaultCurrency: "USD",
      metadata: {
        demoPortfolio: true,
        archetype: p.archetype,
        demoModel: { ...p, seededOn: new Date(seedDayMs).toISOString().slice(0, 10) },
      } satisfies DemoTenantMetadata,
    },
  });
  return { tenantId: tenant.id, profile: p };
}

const rowsOf = (tenantId: string) =>
  testOwnerPrisma().tenantActivityMetric.findMany({ where: { tenantId }, orderBy: { periodStart: "asc" } });

describe("extendDemoPortfolio", () => {
  const now = new Date();
  const todayMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

  it("writes every modelled day from the seed day to yesterday, as the model gives it, once", async () => {
    const seedDayMs = todayMs - 12 * DAY_MS;
    const { tenantId, profile } = await demoTenant(of("healthy"), seedDayMs);
    const first = await extendDemoPortfolio(testPrisma(), now);
    expect(first.tenants).toBeGreaterThanOrEqual(1);
    const rows = await rowsOf(tenantId);
    expect(rows.map((r) => r.periodStart.getTime())).toEqual(
      Array.from({ length: 12 }, (_, i) => seedDayMs + i * DAY_MS),
    );
    let open = 0;
    for (const row of rows) {
      const model = modelDemoDay(profile, row.periodStart.getTime(), seedDayMs, open, null);
      open = model.ticketsOpen;
      expect(row.activeVehicles).toBe(model.row.activeVehicles);
      expect(row.logins).toBe(model.row.logins);
      expect(row.positions).toBe(model.row.positions);
      expect(row.ticketsOpen).toBe(model.ticketsOpen);
    }
    // Again, and again a minute later: nothing new until a day completes.
    await extendDemoPortfolio(testPrisma(), now);
    await extendDemoPortfolio(testPrisma(), new Date(now.getTime() + 60_000));
    expect(await rowsOf(tenantId)).toHaveLength(12);
    // The next day completes: one more row, continuing the open-ticket count.
    await extendDemoPortfolio(testPrisma(), new Date(todayMs + DAY_MS + 3_600_000));
    const after = await rowsOf(tenantId);
    expect(after).toHaveLength(13);
    expect(after.at(-1)?.periodStart.getTime()).toBe(todayMs);
  });

  it("logs a check-in every 30 days for looked-after tenants, none for decliners", async () => {
    const seedDayMs = todayMs - 75 * DAY_MS;
    const healthy = await demoTenant(of("healthy"), seedDayMs);
    const declining = await demoTenant(of("declining"), seedDayMs);
    await extendDemoPortfolio(testPrisma(), now);
    const checkIns = await testOwnerPrisma().crmEngagement.findMany({
      where: { tenantId: healthy.tenantId },
      orderBy: { completedAt: "asc" },
    });
    // No earlier engagement: the first is due on the seed day, then every 30 days (days 0, 30, 60).
    expect(checkIns.map((e) => Math.floor(((e.completedAt as Date).getTime() - seedDayMs) / DAY_MS))).toEqual([
      0,
      DEMO_CHECK_IN_DAYS,
      2 * DEMO_CHECK_IN_DAYS,
    ]);
    expect(checkIns.every((e) => e.title === "Check-in" && e.outcome !== null)).toBe(true);
    expect(await testOwnerPrisma().crmEngagement.count({ where: { tenantId: declining.tenantId } })).toBe(0);
    await extendDemoPortfolio(testPrisma(), now);
    expect(await testOwnerPrisma().crmEngagement.count({ where: { tenantId: healthy.tenantId } })).toBe(3);
  });

  it("skips generated tenants without a stored model (seeded before the model was stored)", async () => {
    const t = await testOwnerPrisma().tenant.create({
      data: {
        name: "Old demo",
        slug: `old-demo-${unique()}`,
        countryCode: "US",
        defaultCurrency: "USD",
        metadata: { demoPortfolio: true, archetype: "healthy" },
      },
    });
    await extendDemoPortfolio(testPrisma(), now);
    expect(await rowsOf(t.id)).toHaveLength(0);
  });
});

describe("modelDemoDay after the seed day", () => {
  const seedDayMs = Date.UTC(2026, 5, 1);
  const mean = (p: DemoTenantProfile, fromDay: number, toDay: number) => {
    let sum = 0;
    for (let d = fromDay; d < toDay; d++)
      sum += modelDemoDay(p, seedDayMs + d * DAY_MS, seedDayMs, 0, null).row.activeVehicles ?? 0;
    return sum / (toDay - fromDay);
  };

  it("holds a decliner at its floor and a recovered tenant near 95 %, and keeps onboarding tenants ramping up", () => {
    const declining = { ...of("declining"), vehicles: 300 };
    const beforeDecline = mean(declining, -declining.declineFromDays - 60, -declining.declineFromDays - 4);
    const afterSeed = mean(declining, 0, 56);
    expect(afterSeed / beforeDecline).toBeGreaterThan(declining.floor * 0.8);
    expect(afterSeed / beforeDecline).toBeLessThan(declining.floor * 1.25);

    const recovering = { ...of("recovering"), vehicles: 300 };
    const healthyYearAgo = mean(recovering, -220, -164);
    expect(mean(recovering, 0, 56) / healthyYearAgo).toBeGreaterThan(0.85);

    const onboarding = { ...of("onboarding"), vehicles: 300, ageDays: 10 };
    expect(mean(onboarding, 50, 78)).toBeGreaterThan(2 * mean(onboarding, 0, 14));
  });
});
