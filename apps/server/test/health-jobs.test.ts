/**
 * The daily scoring trigger (apps/server/src/healthJobs.ts → core `scoreDueDays`): which day is due
 * when, that a day is scored once — a second pass does nothing — that days missed while the server
 * was down are filled in, and that a day whose alerts failed is not marked done.
 */
import { scoringDayDue } from "@fleetcore/core";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import { runDailyScoringIfDue } from "../src/healthJobs";

afterAll(() => disconnectAll());

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

async function createTenant(label: string) {
  const tag = Math.random().toString(36).slice(2, 8);
  return testOwnerPrisma().tenant.create({
    data: {
      name: `${label} ${tag}`,
      slug: `${label.toLowerCase()}-${tag}`,
      countryCode: "US",
      defaultCurrency: "USD",
      createdAt: new Date("2026-01-01T00:00:00Z"),
    },
  });
}

const watermark = async () =>
  (await testOwnerPrisma().rollupWatermark.findUnique({ where: { job: "health_scoring" } }))?.watermark ?? null;
const setWatermark = (iso: string) =>
  testOwnerPrisma().rollupWatermark.upsert({
    where: { job: "health_scoring" },
    create: { job: "health_scoring", watermark: day(iso) },
    update: { watermark: day(iso) },
  });
const scoredDays = async (tenantId: string) =>
  (await testOwnerPrisma().tenantHealthScore.findMany({ where: { tenantId }, orderBy: { day: "asc" } })).map((r) =>
    r.day.toISOString().slice(0, 10),
  );

describe("daily health scoring trigger", () => {
  it("scores day D after 12:00 UTC of D + 1 (D has ended in every time zone)", () => {
    expect(scoringDayDue(new Date("2026-11-21T11:59:00Z"))).toBe("2026-11-19");
    expect(scoringDayDue(new Date("2026-11-21T12:00:00Z"))).toBe("2026-11-20");
    expect(scoringDayDue(new Date("2026-01-01T13:00:00Z"))).toBe("2025-12-31");
  });

  it("scores every tenant for the due day once, then fills the days missed while down", async () => {
    const tenant = await createTenant("Scored");
    const now = new Date("2026-03-10T15:00:00Z");
    const first = await runDailyScoringIfDue(testPrisma(), now, () => {});
    expect(first?.days).toEqual(["2026-03-09"]);
    expect(first?.scored).toBeGreaterThanOrEqual(1);
    expect(await scoredDays(tenant.id)).toEqual(["2026-03-09"]);
    expect(await watermark()).toEqual(day("2026-03-09"));
    expect(await runDailyScoringIfDue(testPrisma(), now, () => {})).toBeNull();

    // Down for three days: the next run scores 10, 11 and 12 March, oldest first.
    const later = await runDailyScoringIfDue(testPrisma(), new Date("2026-03-13T12:30:00Z"), () => {});
    expect(later?.days).toEqual(["2026-03-10", "2026-03-11", "2026-03-12"]);
    expect(await scoredDays(tenant.id)).toEqual(["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"]);
    expect(await watermark()).toEqual(day("2026-03-12"));
  });

  it("does not mark a day done when raising its alerts fails after its scores were written", async () => {
    const owner = testOwnerPrisma();
    const tenant = await createTenant("Renewing");
    // Expires 11 days after the scored day, no engagement ever: a renewal_no_engagement alert.
    await owner.crmContract.create({
      data: {
        tenantId: tenant.id,
        planName: "Fleet",
        effectiveDate: day("2025-03-25"),
        expiryDate: day("2026-03-25"),
        createdAt: new Date("2026-01-02T00:00:00Z"),
      },
    });
    await setWatermark("2026-03-13");
    const now = new Date("2026-03-15T13:00:00Z"); // due: 14 March
    await owner.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION test_fail_alert() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'alerts are down'; END $$`);
    await owner.$executeRawUnsafe(`CREATE TRIGGER test_fail_alert BEFORE INSERT ON adm_health_alerts
      FOR EACH ROW EXECUTE FUNCTION test_fail_alert()`);
    try {
      await expect(runDailyScoringIfDue(testPrisma(), now, () => {})).rejects.toThrow(/alerts are down/);
    } finally {
      await owner.$executeRawUnsafe("DROP TRIGGER test_fail_alert ON adm_health_alerts");
      await owner.$executeRawUnsafe("DROP FUNCTION test_fail_alert()");
    }
    expect(await scoredDays(tenant.id)).toContain("2026-03-14"); // the scores were written…
    expect(await watermark()).toEqual(day("2026-03-13")); // …but the day is not done

    const retried = await runDailyScoringIfDue(testPrisma(), now, () => {});
    expect(retried?.days).toEqual(["2026-03-14"]);
    expect(await watermark()).toEqual(day("2026-03-14"));
    const alerts = await owner.healthAlert.findMany({ where: { tenantId: tenant.id } });
    expect(alerts.map((a) => [a.kind, a.day.toISOString().slice(0, 10)])).toEqual([
      ["renewal_no_engagement", "2026-03-14"],
    ]);
  });
});
