/**
 * Message analytics against the real database, as the application role (RLS on). Two tenants in
 * Europe/Paris; the period spans the night clocks go back (2026-10-25 03:00 CEST → 02:00 CET, at
 * 01:00 UTC), so local days are 24 and 25 hours long and a local midnight is 22:00 or 23:00 UTC.
 * Expected values are worked out by hand below, medians and p90s with an independent percentile_cont.
 */
import { randomUUID } from "node:crypto";
import { type Db, disconnectAll, withScope } from "@fleetcore/db";
import { testPrisma } from "@fleetcore/db/test-context";
import { type MessageStats, ZMessageAnalytics } from "@fleetcore/validators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuditTrail,
  createTenant,
  DomainError,
  MESSAGE_ANALYTICS_MAX_BUCKETS,
  messageAnalytics,
  messageAnalyticsBucket,
  systemActor,
} from "../src/index";

afterAll(() => disconnectAll());

const unique = () => Math.random().toString(36).slice(2, 8);
const asSystem = <T>(fn: (db: Db) => Promise<T>) => withScope(testPrisma(), { kind: "system" }, fn);
const asTenant = <T>(tenantId: string, fn: (db: Db) => Promise<T>) =>
  withScope(testPrisma(), { kind: "tenant", tenantId }, fn);

/** PostgreSQL's percentile_cont: linear interpolation between the sorted values at (n − 1)·p. */
function percentileCont(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** What a group of messages should report, from its counts and answered threads' response times. */
function expected(
  c: { sent: number; received: number; threads: number; attempts: number; failed: number },
  responses: number[],
): MessageStats {
  return {
    sent: c.sent,
    received: c.received,
    threads: c.threads,
    answered: responses.length,
    responseRate: c.threads > 0 ? responses.length / c.threads : null,
    medianResponseS: percentileCont(responses, 0.5),
    p90ResponseS: percentileCont(responses, 0.9),
    deliveryAttempts: c.attempts,
    failed: c.failed,
    failureRate: c.attempts > 0 ? c.failed / c.attempts : null,
  };
}
const EMPTY = expected({ sent: 0, received: 0, threads: 0, attempts: 0, failed: 0 }, []);

type Status = "received" | "queued" | "sent" | "delivered" | "read" | "failed" | "blocked";
/** A message: `in` from the driver; `out` by a dispatcher (`auto` = no sender: a notification). */
type Msg = [time: string, kind: "in" | "out" | "auto", status?: Status];

const DISPATCHER = randomUUID();
const FROM = new Date("2026-10-23T22:00:00Z"); // Sat 24 Oct 00:00 CEST
const TO = new Date("2026-10-28T23:00:00Z"); // Thu 29 Oct 00:00 CET

/*
 * Driver 1. Threads: T1 m1(+m2) answered by m3 in 600 s; T2 m4 answered by m5 in 1800 s; T3 m6: m7 is a
 * notification, m8 a failed reply after 1200 s (answered); m9 blocked (no count at all); T4 m10 never
 * answered (m11 is a queued notification).
 */
const DRIVER_1: Msg[] = [
  ["2026-10-23T22:30:00Z", "in"], // m1  Sat 00:30 — UTC would put it on Friday 22:30
  ["2026-10-23T22:35:00Z", "in"], // m2  Sat 00:35, same thread
  ["2026-10-23T22:40:00Z", "out", "delivered"], // m3 Sat 00:40
  ["2026-10-24T23:30:00Z", "in"], // m4  Sun 01:30 CEST
  ["2026-10-25T00:00:00Z", "out", "read"], // m5 Sun 02:00 CEST
  ["2026-10-25T10:00:00Z", "in"], // m6  Sun 11:00 CET
  ["2026-10-25T10:05:00Z", "auto", "sent"], // m7 Sun 11:05
  ["2026-10-25T10:20:00Z", "out", "failed"], // m8 Sun 11:20
  ["2026-10-25T11:00:00Z", "out", "blocked"], // m9 Sun 12:00
  ["2026-10-26T08:00:00Z", "in"], // m10 Mon 09:00
  ["2026-10-26T20:00:00Z", "auto", "queued"], // m11 Mon 21:00
];

/*
 * Driver 2. p0 (before the period) starts a thread that m12 continues (9 h later, no reply between),
 * so neither m12 nor its answer m13 makes a thread of the period. T7 m14 gets its first reply 25 h 10 min
 * later (unanswered); m15, more than 24 h after m14, starts T8, answered by m16 in 600 s. T6 m17, an
 * hour before the period ends, is answered by m18 after it (3600 s; m18 itself is not counted).
 */
const DRIVER_2: Msg[] = [
  ["2026-10-23T21:00:00Z", "in"], // p0  Fri 23:00, before the period
  ["2026-10-24T06:00:00Z", "in"], // m12 Sat 08:00
  ["2026-10-24T07:00:00Z", "out", "delivered"], // m13 Sat 09:00
  ["2026-10-25T05:00:00Z", "in"], // m14 Sun 06:00 CET
  ["2026-10-26T06:00:00Z", "in"], // m15 Mon 07:00
  ["2026-10-26T06:10:00Z", "out", "delivered"], // m16 Mon 07:10
  ["2026-10-28T22:30:00Z", "in"], // m17 Wed 23:30
  ["2026-10-28T23:30:00Z", "out", "delivered"], // m18 Thu 00:30, after the period
];

/** Another tenant's driver, writing in the same hours: must never count for the first tenant. */
const OTHER_DRIVER: Msg[] = [
  ["2026-10-24T10:00:00Z", "in"],
  ["2026-10-24T10:05:00Z", "out", "failed"],
  ["2026-10-25T10:00:00Z", "in"],
];

async function seedDriver(tenantId: string, firstName: string, messages: Msg[]): Promise<string> {
  return asSystem(async (db) => {
    const driver = await db.driver.create({ data: { tenantId, firstName, lastName: "Test" } });
    const conversation = await db.conversation.create({ data: { tenantId, driverId: driver.id } });
    await db.message.createMany({
      data: messages.map(([time, kind, status]) => ({
        time: new Date(time),
        tenantId,
        conversationId: conversation.id,
        driverId: driver.id,
        direction: kind === "in" ? "inbound" : "outbound",
        channel: "whatsapp",
        status: status ?? "received",
        body: `${firstName} ${time}`,
        sentByUserId: kind === "out" ? DISPATCHER : null,
      })),
    });
    return driver.id;
  });
}

const newTenant = (name: string) =>
  asSystem((db) =>
    createTenant(
      { db, audit: new AuditTrail(db, systemActor()) },
      {
        name,
        slug: `${name.toLowerCase()}-${unique()}`,
        countryCode: "FR",
        defaultCurrency: "EUR",
        timezone: "Europe/Paris",
      },
    ),
  );

let tenantA: string;
let tenantB: string;
let driver1: string;
let driver2: string;
let otherDriver: string;

beforeAll(async () => {
  tenantA = (await newTenant("Alpha")).id;
  tenantB = (await newTenant("Bravo")).id;
  driver1 = await seedDriver(tenantA, "Ana", DRIVER_1);
  driver2 = await seedDriver(tenantA, "Bruno", DRIVER_2);
  otherDriver = await seedDriver(tenantB, "Chloe", OTHER_DRIVER);
});

// Hand counts. Responses (s): T1 600, T2 1800, T3 1200, T8 600, T6 3600; T4 and T7 unanswered.
const TOTALS = expected({ sent: 7, received: 9, threads: 7, attempts: 6, failed: 1 }, [600, 1800, 1200, 600, 3600]);
const DRIVER_1_STATS = expected({ sent: 5, received: 5, threads: 4, attempts: 4, failed: 1 }, [600, 1800, 1200]);
const DRIVER_2_STATS = expected({ sent: 2, received: 4, threads: 3, attempts: 2, failed: 0 }, [600, 3600]);

describe("messageAnalytics", () => {
  it("counts, answers and fails per local day across the DST change, with an empty day", async () => {
    const r = await asTenant(tenantA, (db) => messageAnalytics(db, tenantA, { from: FROM, to: TO }));
    expect(r).toMatchObject({ bucket: "day", timezone: "Europe/Paris", driverId: null, from: FROM, to: TO });
    // Hand check of the helper on the totals: 5 of 7 answered, median 1200 s, p90 1800 + 0.6·1800 s.
    expect(TOTALS).toMatchObject({ responseRate: 5 / 7, medianResponseS: 1200, p90ResponseS: 2880 });
    expect(r.totals).toEqual(TOTALS);
    expect(r.buckets.map((b) => b.start.toISOString())).toEqual([
      "2026-10-23T22:00:00.000Z", // Sat 24 Oct, CEST
      "2026-10-24T22:00:00.000Z", // Sun 25 Oct: 25 hours
      "2026-10-25T23:00:00.000Z", // Mon 26 Oct, CET
      "2026-10-26T23:00:00.000Z", // Tue 27 Oct: nothing
      "2026-10-27T23:00:00.000Z", // Wed 28 Oct
    ]);
    expect(r.buckets.map(({ start: _, ...stats }) => stats)).toEqual([
      expected({ sent: 2, received: 3, threads: 1, attempts: 2, failed: 0 }, [600]), // m1–m3, m12, m13
      expected({ sent: 3, received: 3, threads: 3, attempts: 3, failed: 1 }, [1800, 1200]), // m4–m9, m14
      expected({ sent: 2, received: 2, threads: 2, attempts: 1, failed: 0 }, [600]), // m10, m11, m15, m16
      EMPTY,
      expected({ sent: 0, received: 1, threads: 1, attempts: 0, failed: 0 }, [3600]), // m17
    ]);
    expect(r.buckets[1]).toMatchObject({ medianResponseS: 1500, p90ResponseS: 1740, failureRate: 1 / 3 });
    expect(r.buckets[3]).toMatchObject({ sent: 0, responseRate: null, medianResponseS: null, failureRate: null });
    // What the API's output schema checks.
    expect(ZMessageAnalytics.safeParse(r).success).toBe(true);
  });

  it("buckets by local Monday-based weeks and calendar months", async () => {
    const weeks = await asTenant(tenantA, (db) =>
      messageAnalytics(db, tenantA, { from: FROM, to: TO, bucket: "week" }),
    );
    expect(weeks.buckets.map((b) => [b.start.toISOString(), b.sent, b.received, b.threads])).toEqual([
      ["2026-10-18T22:00:00.000Z", 5, 6, 4], // Mon 19 Oct 00:00 CEST (partial: from Saturday)
      ["2026-10-25T23:00:00.000Z", 2, 3, 3], // Mon 26 Oct 00:00 CET
    ]);
    const from = new Date("2026-09-15T00:00:00Z");
    const months = await asTenant(tenantA, (db) =>
      messageAnalytics(db, tenantA, { from, to: new Date("2026-11-15T00:00:00Z"), bucket: "month" }),
    );
    expect(months.buckets.map((b) => b.start.toISOString())).toEqual([
      "2026-08-31T22:00:00.000Z",
      "2026-09-30T22:00:00.000Z",
      "2026-10-31T23:00:00.000Z",
    ]);
    // Local October holds every message, p0 and m18 included (they are outside [FROM, TO) only).
    expect(months.buckets[1]).toMatchObject({ sent: 8, received: 10 });
    expect(months.buckets[0]).toMatchObject({ sent: 0, received: 0, responseRate: null });
  });

  it("counts busiest hours and weekdays in local time", async () => {
    const r = await asTenant(tenantA, (db) => messageAnalytics(db, tenantA, { from: FROM, to: TO }));
    const hours = Object.fromEntries(r.hours.filter((h) => h.total > 0).map((h) => [h.hour, [h.sent, h.received]]));
    expect(hours).toEqual({
      0: [1, 2], // m1, m2, m3
      1: [0, 1], // m4
      2: [1, 0], // m5
      6: [0, 1], // m14
      7: [1, 1], // m15, m16
      8: [0, 1], // m12
      9: [1, 1], // m13, m10
      11: [2, 1], // m6, m7, m8 (m9 at 12:00 was blocked)
      21: [1, 0], // m11
      23: [0, 1], // m17
    });
    expect(r.hours.map((h) => h.hour)).toEqual([...Array(24).keys()]);
    expect(r.hours.reduce((n, h) => n + h.total, 0)).toBe(16);
    expect(r.weekdays).toEqual([
      { isoWeekday: 1, sent: 2, received: 2, total: 4 },
      { isoWeekday: 2, sent: 0, received: 0, total: 0 },
      { isoWeekday: 3, sent: 0, received: 1, total: 1 },
      { isoWeekday: 4, sent: 0, received: 0, total: 0 },
      { isoWeekday: 5, sent: 0, received: 0, total: 0 },
      { isoWeekday: 6, sent: 2, received: 3, total: 5 },
      { isoWeekday: 7, sent: 3, received: 3, total: 6 },
    ]);
  });

  it("reports each driver, busiest first", async () => {
    const r = await asTenant(tenantA, (db) => messageAnalytics(db, tenantA, { from: FROM, to: TO }));
    expect(r.drivers).toEqual([
      { driverId: driver1, driverName: "Ana Test", ...DRIVER_1_STATS },
      { driverId: driver2, driverName: "Bruno Test", ...DRIVER_2_STATS },
    ]);
    expect(DRIVER_1_STATS).toMatchObject({ medianResponseS: 1200, p90ResponseS: 1680 });
    expect(DRIVER_2_STATS).toMatchObject({ medianResponseS: 2100, p90ResponseS: 3300 });
  });

  it("narrows to one driver (a bucket with messages and no thread has a null rate)", async () => {
    const r = await asTenant(tenantA, (db) => messageAnalytics(db, tenantA, { from: FROM, to: TO, driverId: driver2 }));
    expect(r.driverId).toBe(driver2);
    expect(r.totals).toEqual(DRIVER_2_STATS);
    expect(r.drivers.map((d) => d.driverId)).toEqual([driver2]);
    expect(r.buckets[0]).toMatchObject({ sent: 1, received: 1, threads: 0, responseRate: null, deliveryAttempts: 1 });
  });

  it("steps real hours on the day clocks go back: 25 hour buckets", async () => {
    const from = new Date("2026-10-24T22:00:00Z");
    const to = new Date("2026-10-25T23:00:00Z");
    const r = await asTenant(tenantA, (db) => messageAnalytics(db, tenantA, { from, to, bucket: "hour" }));
    expect(r.bucket).toBe("hour");
    expect(r.buckets).toHaveLength(25);
    expect(r.buckets.every((b, i) => b.start.getTime() === from.getTime() + i * 3600_000)).toBe(true);
    const busy = r.buckets
      .filter((b) => b.sent + b.received > 0)
      .map((b) => [b.start.toISOString(), b.sent, b.received]);
    expect(busy).toEqual([
      ["2026-10-24T23:00:00.000Z", 0, 1], // m4, 01:30 CEST
      ["2026-10-25T00:00:00.000Z", 1, 0], // m5, 02:00 CEST — not merged with 02:00 CET
      ["2026-10-25T05:00:00.000Z", 0, 1], // m14
      ["2026-10-25T10:00:00.000Z", 2, 1], // m6, m7, m8
    ]);
    expect(r.totals).toMatchObject({ sent: 3, received: 3, threads: 3, answered: 2 });
  });

  it("never counts another tenant's messages", async () => {
    const crafted = await asTenant(tenantA, (db) =>
      messageAnalytics(db, tenantA, { from: FROM, to: TO, driverId: otherDriver }),
    );
    expect(crafted.totals).toEqual(EMPTY);
    expect(crafted.drivers).toEqual([]);
    expect(crafted.buckets).toHaveLength(5);
    expect(crafted.buckets.every(({ start: _, ...s }) => JSON.stringify(s) === JSON.stringify(EMPTY))).toBe(true);
    expect(crafted.hours.every((h) => h.total === 0)).toBe(true);
    // Asking for tenant B from tenant A's scope: row-level security hides B's rows as well.
    const viaRls = await asTenant(tenantA, (db) => messageAnalytics(db, tenantB, { from: FROM, to: TO }));
    expect(viaRls.totals).toEqual(EMPTY);
    // Tenant B sees exactly its own.
    const own = await asTenant(tenantB, (db) => messageAnalytics(db, tenantB, { from: FROM, to: TO }));
    expect(own.totals).toEqual(expected({ sent: 1, received: 2, threads: 2, attempts: 1, failed: 1 }, [300]));
    expect(own.drivers.map((d) => d.driverId)).toEqual([otherDriver]);
  });

  it("refuses a period that does not end after it starts or is longer than 400 days", async () => {
    await asTenant(tenantA, async (db) => {
      for (const [from, to] of [
        [TO, FROM],
        [FROM, FROM],
        [new Date("2025-01-01T00:00:00Z"), new Date("2026-02-06T00:00:01Z")],
      ] as const) {
        const err = await messageAnalytics(db, tenantA, { from, to }).catch((e) => e);
        expect(err).toBeInstanceOf(DomainError);
        expect(err.code).toBe("invalid");
      }
    });
  });
});

describe("messageAnalyticsBucket", () => {
  const at = (days: number) => new Date(FROM.getTime() + days * 86_400_000);
  it("chooses hour up to 2 days, day up to 90, week beyond, and widens what would be too many", () => {
    expect(messageAnalyticsBucket(FROM, at(2))).toBe("hour");
    expect(messageAnalyticsBucket(FROM, at(2.01))).toBe("day");
    expect(messageAnalyticsBucket(FROM, at(90))).toBe("day");
    expect(messageAnalyticsBucket(FROM, at(91))).toBe("week");
    expect(messageAnalyticsBucket(FROM, at(30), "month")).toBe("month");
    expect(messageAnalyticsBucket(FROM, at(400), "hour")).toBe("day");
    expect(MESSAGE_ANALYTICS_MAX_BUCKETS * 3600_000).toBeLessThan(400 * 86_400_000);
  });
});
