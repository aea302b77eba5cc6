/**
 * Customer-success goals keep themselves true (packages/core/src/crm/goals.ts `refreshGoals`):
 * measured metrics (health score, NPS, seats) are read from the platform, a goal that reached its
 * target becomes achieved (dated today), one past its target date becomes missed (audited as the
 * system); hand-entered metrics keep their values; a second pass changes nothing.
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import { netPromoterScore, refreshGoals } from "../src/index";

const DAY_MS = 86_400_000;
const unique = () => Math.random().toString(36).slice(2, 10);

afterAll(disconnectAll);

describe("netPromoterScore", () => {
  it("is % promoters (9–10) − % detractors (0–6), rounded; null without answers", () => {
    expect(netPromoterScore([10, 9, 7, 3])).toBe(25);
    expect(netPromoterScore([10, 10, 10])).toBe(100);
    expect(netPromoterScore([0, 6, 8])).toBe(-67);
    expect(netPromoterScore([7, 8])).toBe(0);
    expect(netPromoterScore([])).toBeNull();
  });
});

describe("refreshGoals", () => {
  it("measures health score, NPS and seats, marks achieved and missed goals, and is idempotent", async () => {
    const db = testOwnerPrisma();
    const now = new Date();
    const today = new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
    const tag = unique();
    const tenant = await db.tenant.create({
      data: { name: `Goals ${tag}`, slug: `goals-${tag}`, countryCode: "US", defaultCurrency: "USD" },
    });
    const people = [];
    for (const n of [1, 2]) {
      const user = await db.user.create({ data: { email: `goal.${n}.${tag}@example.com`, fullName: `P${n}` } });
      await db.member.create({ data: { tenantId: tenant.id, userId: user.id, status: "active", joinedAt: now } });
      people.push(user);
    }
    await db.tenantHealthScore.create({
      data: {
        tenantId: tenant.id,
        day: new Date(today.getTime() - DAY_MS),
        score: 81,
        band: "green",
        profile: "default",
        components: {},
        churnRisk: 10,
        churnHorizonDays: 90,
        churnDrivers: [],
      },
    });
    for (const [i, rating] of [10, 9, 7, 3].entries()) {
      await db.supCustomerFeedback.create({
        data: {
          tenantId: tenant.id,
          kind: "nps",
          recipientUserId: (people[i % 2] as { id: string }).id,
          rating,
          respondedAt: new Date(now.getTime() - (i + 1) * DAY_MS),
        },
      });
    }
    // An answer older than the monthly window does not count.
    await db.supCustomerFeedback.create({
      data: {
        tenantId: tenant.id,
        kind: "nps",
        recipientUserId: (people[0] as { id: string }).id,
        rating: 0,
        respondedAt: new Date(now.getTime() - 45 * DAY_MS),
      },
    });
    const goal = (metricType: "health_score" | "nps" | "seat_count" | "custom", target: number, extra = {}) =>
      db.crmGoal.create({
        data: {
          tenantId: tenant.id,
          title: `${metricType} ${tag}`,
          metricType,
          currentValue: 0,
          targetValue: target,
          measurementPeriod: "monthly",
          ...extra,
        },
      });
    const health = await goal("health_score", 75);
    const nps = await goal("nps", 30);
    const seats = await goal("seat_count", 5, { targetDate: new Date(today.getTime() + 30 * DAY_MS) });
    const late = await goal("custom", 10, { currentValue: 4, targetDate: new Date(today.getTime() - DAY_MS) });
    const manual = await goal("custom", 10, { currentValue: 4 });
    // A target of 0 (e.g. "NPS no longer negative") is achieved as soon as the measure reaches it.
    const zero = await goal("nps", 0, { targetDate: new Date(today.getTime() - DAY_MS) });

    const first = await refreshGoals(testPrisma(), now);
    expect(first.measured).toBeGreaterThanOrEqual(3);
    const read = (id: string) => db.crmGoal.findUniqueOrThrow({ where: { id } });
    expect(await read(health.id)).toMatchObject({ status: "achieved", completionDate: today });
    expect(Number((await read(health.id)).currentValue)).toBe(81);
    expect(await read(nps.id)).toMatchObject({ status: "on_track" });
    expect(Number((await read(nps.id)).currentValue)).toBe(25);
    expect(Number((await read(seats.id)).currentValue)).toBe(2);
    expect((await read(seats.id)).status).toBe("on_track");
    expect(await read(late.id)).toMatchObject({ status: "missed" });
    expect(Number((await read(late.id)).currentValue)).toBe(4);
    expect(await read(manual.id)).toMatchObject({ status: "on_track" });
    expect(await read(zero.id)).toMatchObject({ status: "achieved" });
    const audit = await db.auditLog.findMany({
      where: { tenantId: tenant.id, action: "crm_goal.updated", actorType: "system" },
    });
    expect(audit.map((a) => a.entityId).sort()).toEqual([health.id, late.id, zero.id].sort());

    const again = await refreshGoals(testPrisma(), now);
    expect(again).toEqual({ measured: 0, achieved: 0, missed: 0 });
  });
});
