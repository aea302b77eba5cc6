/**
 * The activity rollups against the real database (application role, system scope). Tenant A keeps
 * Europe/Paris time; the data sits around the night clocks go back (Sun 25 Oct 2026, 03:00 CEST →
 * 02:00 CET at 01:00 UTC), so A's Sunday runs 25 hours, 2026-10-24T22:00Z → 2026-10-25T23:00Z.
 * Tenant B keeps UTC. Every expected figure is worked out by hand in the comments next to the data.
 * Fixtures are written as the database owner (RLS does not apply to it).
 */
import { randomUUID } from "node:crypto";
import { type Db, disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  backfillActivity,
  dailyScanBounds,
  listRollupTenants,
  readRollupWatermark,
  runActivityRollup,
} from "../src/index";

afterAll(() => disconnectAll());

const unique = () => Math.random().toString(36).slice(2, 8);
const owner = () => testOwnerPrisma();
const asSystem = <T>(fn: (db: Db) => Promise<T>) => withScope(testPrisma(), { kind: "system" }, fn);
const at = (iso: string) => new Date(iso);

let tenantA: string;
let tenantB: string;
let deviceA1: string;
let vehicleA1: string;
let tenants: string[];
const JOB = `test_activity_${unique()}`;

type Fix = [time: string, speedKph: number, distanceM: number | null];

async function positions(tenantId: string, deviceId: string, vehicleId: string | null, fixes: Fix[]) {
  await owner().position.createMany({
    data: fixes.map(([time, speedKph, distanceM]) => ({
      time: at(time),
      tenantId,
      deviceId,
      vehicleId,
      latitude: 48.85,
      longitude: 2.35,
      speedKph,
      distanceM,
    })),
  });
}

async function newTenant(name: string, timezone: string) {
  return owner().tenant.create({
    data: {
      name,
      slug: `${name.toLowerCase()}-${unique()}`,
      countryCode: "FR",
      defaultCurrency: "EUR",
      timezone,
      createdAt: at("2026-10-01T00:00:00Z"),
    },
  });
}

async function newUser(label: string) {
  return owner().user.create({ data: { email: `${label}.${unique()}@example.com`, fullName: label } });
}

beforeAll(async () => {
  const db = owner();
  const a = await newTenant("Paris", "Europe/Paris");
  const b = await newTenant("Utc", "UTC");
  tenantA = a.id;
  tenantB = b.id;
  tenants = [tenantA, tenantB];

  // Fleet: A1 (driven by Rémi since 1 Oct), A2 (no driver); B1.
  const v1 = await db.vehicle.create({ data: { tenantId: tenantA, name: "A1" } });
  const v2 = await db.vehicle.create({ data: { tenantId: tenantA, name: "A2" } });
  const vb = await db.vehicle.create({ data: { tenantId: tenantB, name: "B1" } });
  const d1 = await db.device.create({
    data: { tenantId: tenantA, uniqueId: `a1-${unique()}`, name: "a1", vehicleId: v1.id },
  });
  const d2 = await db.device.create({
    data: { tenantId: tenantA, uniqueId: `a2-${unique()}`, name: "a2", vehicleId: v2.id },
  });
  const db1 = await db.device.create({
    data: { tenantId: tenantB, uniqueId: `b1-${unique()}`, name: "b1", vehicleId: vb.id },
  });
  deviceA1 = d1.id;
  vehicleA1 = v1.id;
  const remi = await db.driver.create({ data: { tenantId: tenantA, firstName: "Rémi", lastName: "Test" } });
  const sara = await db.driver.create({ data: { tenantId: tenantA, firstName: "Sara", lastName: "Test" } });
  await db.vehicleAssignment.create({
    data: { tenantId: tenantA, vehicleId: v1.id, driverId: remi.id, startAt: at("2026-10-01T00:00:00Z") },
  });

  /*
   * A1. Sunday (local): p1 00:30 CEST (UTC says Saturday); p2 starts trip 1; p3 continues it (2 min);
   * p4 stopped; p5 moves 10 min after p3 → trip 2; p6 23:30 CET (hour 24 of the 25-hour day) → trip 3.
   * Monday: p7 00:30 CET → trip 4 (1 h after p6), p8 parked.
   */
  await positions(tenantA, d1.id, v1.id, [
    ["2026-10-24T22:30:00Z", 0, null], // p1
    ["2026-10-25T06:00:00Z", 40, 1000], // p2
    ["2026-10-25T06:02:00Z", 50, 1500], // p3
    ["2026-10-25T06:04:00Z", 0, 100], // p4
    ["2026-10-25T06:12:00Z", 30, 200], // p5
    ["2026-10-25T22:30:00Z", 20, 500], // p6
    ["2026-10-25T23:30:00Z", 25, 300], // p7
    ["2026-10-26T08:00:00Z", 0, 0], // p8
  ]);
  // A2, Sunday: one trip (q2 continues q1).
  await positions(tenantA, d2.id, v2.id, [
    ["2026-10-25T12:00:00Z", 60, 5000], // q1
    ["2026-10-25T12:03:00Z", 60, 3000], // q2
  ]);
  // B1: 22:30 UTC on Saturday 24 — B's Saturday, although the same instant is A's Sunday.
  await positions(tenantB, db1.id, vb.id, [["2026-10-24T22:30:00Z", 10, 100]]);

  // Events: Sunday 2 (1 alert); Monday 1 (1 alert, 00:10 CET).
  await db.vehicleEvent.createMany({
    data: [
      ["2026-10-25T06:05:00Z", "info"],
      ["2026-10-25T06:06:00Z", "warning"],
      ["2026-10-25T23:10:00Z", "critical"],
    ].map(([time, severity]) => ({
      time: at(time as string),
      tenantId: tenantA,
      source: "test",
      type: "test",
      title: "test",
      severity: severity as "info" | "warning" | "critical",
      vehicleId: v1.id,
    })),
  });

  // Messages, Sunday: Rémi's thread answered in 600 s, Sara's in 1800 s (median 1200 s); m5 blocked
  // (not sent), m6 an automated notification (sent, not a reply). Sent 3, received 2.
  const dispatcher = randomUUID();
  for (const [driverId, msgs] of [
    [
      remi.id,
      [
        ["2026-10-25T07:00:00Z", "inbound", "received", null], // m1
        ["2026-10-25T07:10:00Z", "outbound", "delivered", dispatcher], // m2
      ],
    ],
    [
      sara.id,
      [
        ["2026-10-25T15:00:00Z", "inbound", "received", null], // m3
        ["2026-10-25T15:30:00Z", "outbound", "sent", dispatcher], // m4
        ["2026-10-25T16:00:00Z", "outbound", "blocked", dispatcher], // m5
        ["2026-10-25T17:00:00Z", "outbound", "sent", null], // m6
      ],
    ],
  ] as const) {
    const conversation = await db.conversation.create({ data: { tenantId: tenantA, driverId } });
    await db.message.createMany({
      data: msgs.map(([time, direction, status, sentBy]) => ({
        time: at(time),
        tenantId: tenantA,
        conversationId: conversation.id,
        driverId,
        direction,
        channel: "whatsapp",
        status,
        body: "hello",
        sentByUserId: sentBy,
      })),
    });
  }

  // People: U1, U2 active members since 1 Oct; U3 only invited; staff signs in too (no member).
  const u1 = await newUser("u1");
  const u2 = await newUser("u2");
  const u3 = await newUser("u3");
  const staff = await newUser("staff");
  for (const [user, status] of [
    [u1, "active"],
    [u2, "active"],
    [u3, "invited"],
  ] as const) {
    await db.member.create({
      data: {
        tenantId: tenantA,
        userId: user.id,
        status,
        joinedAt: status === "active" ? at("2026-10-01T00:00:00Z") : null,
        createdAt: at("2026-10-01T00:00:00Z"),
      },
    });
  }
  // Logins: U1 twice on Sunday, U2 on Monday, staff on Sunday (not counted).
  await db.auditLog.createMany({
    data: [
      [u1.id, "2026-10-25T08:00:00Z"],
      [u1.id, "2026-10-25T20:00:00Z"],
      [u2.id, "2026-10-26T08:00:00Z"],
      [staff.id, "2026-10-25T09:00:00Z"],
    ].map(([userId, time]) => ({
      actorType: "user" as const,
      actorUserId: userId,
      entityType: "session",
      action: "auth.login",
      createdAt: at(time as string),
    })),
  });
  // Usage, Sunday: U1 08:01, 08:05, then 45 min idle → a second session at 08:50; U2 one page view.
  await db.productUsageEvent.createMany({
    data: [
      [u1.id, "2026-10-25T08:01:00Z", "vehicle.list", "procedure"],
      [u1.id, "2026-10-25T08:05:00Z", "vehicle.get", "procedure"],
      [u1.id, "2026-10-25T08:50:00Z", "vehicle.list", "procedure"],
      [u2.id, "2026-10-25T09:00:00Z", "page:/feed", "page"],
    ].map(([userId, time, feature, kind]) => ({
      tenantId: tenantA,
      userId: userId as string,
      time: at(time as string),
      feature: feature as string,
      kind: kind as string,
    })),
  });

  // Tickets: t1 open since 20 Oct, resolved Sunday; t2 opened Sunday; t3 opened and closed Monday.
  const ticket = (createdAt: string, extra: { resolvedAt?: Date; closedAt?: Date; status?: "resolved" | "closed" }) =>
    db.supTicket.create({
      data: {
        tenantId: tenantA,
        submittedByUserId: u1.id,
        subject: "help",
        description: "help",
        category: "technical",
        priority: "medium",
        createdAt: at(createdAt),
        ...extra,
      },
    });
  const t1 = await ticket("2026-10-20T10:00:00Z", { resolvedAt: at("2026-10-25T10:00:00Z"), status: "resolved" });
  const t2 = await ticket("2026-10-25T09:00:00Z", {});
  await ticket("2026-10-26T09:00:00Z", { closedAt: at("2026-10-26T12:00:00Z"), status: "closed" });

  // Feedback, Sunday: CSAT 5 and 4 (mean 4.50); NPS 10, 9, 7, 3 → (2 − 1) / 4 = 25; one unanswered.
  const feedback = [
    ["csat", 5, t1.id],
    ["csat", 4, t2.id],
    ["nps", 10, null],
    ["nps", 9, null],
    ["nps", 7, null],
    ["nps", 3, null],
  ] as const;
  await db.supCustomerFeedback.createMany({
    data: [
      ...feedback.map(([kind, rating, ticketId], i) => ({
        tenantId: tenantA,
        kind,
        rating,
        ticketId,
        recipientUserId: [u1, u2, u3, staff][i % 4]?.id ?? u1.id,
        respondedAt: at(`2026-10-25T1${i}:00:00Z`),
      })),
      { tenantId: tenantA, kind: "nps" as const, recipientUserId: u1.id, rating: null, respondedAt: null },
    ],
  });

  // Billing: one failed payment on Sunday (and a paid invoice, which is not a failure); a plan.
  await db.bilStripeEvent.createMany({
    data: [
      {
        id: `evt_${unique()}`,
        type: "invoice.payment_failed",
        tenantId: tenantA,
        createdAt: at("2026-10-25T10:00:00Z"),
      },
      { id: `evt_${unique()}`, type: "invoice.paid", tenantId: tenantA, createdAt: at("2026-10-25T11:00:00Z") },
    ],
  });
  const plan = await db.bilBillingPlan.create({
    data: {
      code: `test-${unique()}`,
      name: "Test",
      currency: "EUR",
      monthlyPriceMinor: 1000,
      includedVehicles: 5,
      includedDrivers: 10,
      overagePerVehicleMinor: 100,
    },
  });
  await db.bilTenantSubscription.create({
    data: {
      tenantId: tenantA,
      planId: plan.id,
      status: "active",
      currency: "EUR",
      stripeCustomerId: `cus_${unique()}`,
      stripeSubscriptionId: `sub_${unique()}`,
      createdAt: at("2026-10-01T00:00:00Z"),
    },
  });
});

/** A's or B's daily rows (all columns), by local day. */
async function dailyRows(tenantId: string) {
  const rows = await asSystem((db) =>
    db.tenantActivityMetric.findMany({ where: { tenantId }, orderBy: { periodStart: "asc" } }),
  );
  return new Map(rows.map((r) => [r.periodStart.toISOString().slice(0, 10), r]));
}

async function hourlyRows(tenantId: string) {
  const rows = await asSystem((db) => db.tenantFleetHourly.findMany({ where: { tenantId }, orderBy: { hour: "asc" } }));
  return new Map(rows.map((r) => [r.hour.toISOString(), r]));
}

const plain = <T extends object>(row: T | undefined) =>
  JSON.parse(JSON.stringify(row ?? null, (_, v) => (typeof v === "bigint" ? Number(v) : v)));

describe("dailyScanBounds", () => {
  it("covers the whole local days of every zone", () => {
    const { lo, hi } = dailyScanBounds({
      from: at("2026-10-25T12:00:00Z"),
      to: at("2026-10-25T13:00:00Z"),
      tenants: [
        { tenantId: "a", timeZone: "Europe/Paris" },
        { tenantId: "b", timeZone: "Pacific/Kiritimati" }, // UTC+14: its Monday began at 10:00Z Sunday
      ],
    });
    // Exactly: Paris's Sunday starts at 22:00Z Saturday (CEST); Kiritimati's Monday ends at 10:00Z Monday.
    expect(lo).toEqual(at("2026-10-24T22:00:00Z"));
    expect(hi).toEqual(at("2026-10-26T10:00:00Z"));
    // The 25-hour day itself: Paris's Sunday ends at 23:00Z (CET).
    const paris = dailyScanBounds({
      from: at("2026-10-25T12:00:00Z"),
      to: at("2026-10-25T13:00:00Z"),
      tenants: [{ tenantId: "a", timeZone: "Europe/Paris" }],
    });
    expect([paris.lo, paris.hi]).toEqual([at("2026-10-24T22:00:00Z"), at("2026-10-25T23:00:00Z")]);
  });
});

describe("activity rollups", () => {
  it("backfills daily rows per local day (25-hour DST day) and hourly rows from hand-counted sources", async () => {
    const r = await backfillActivity(
      testPrisma(),
      { from: at("2026-10-24T00:00:00Z"), to: at("2026-10-27T12:00:00Z") },
      { tenantIds: tenants, chunkDays: 2 },
    );
    expect(r).toMatchObject({ chunks: 2, tenants: 2 });

    const a = await dailyRows(tenantA);
    // Paris days overlapping 24 Oct 00:00Z … 27 Oct 12:00Z: Sat 24 (from 02:00 CEST) … Tue 27.
    expect([...a.keys()]).toEqual(["2026-10-24", "2026-10-25", "2026-10-26", "2026-10-27"]);
    expect(plain(a.get("2026-10-25"))).toMatchObject({
      periodEnd: "2026-10-26T00:00:00.000Z",
      positions: 8, // p1–p6, q1, q2 (p1 and p6 are only Sunday's in local time)
      distanceM: 11_300, // 1000 + 1500 + 100 + 200 + 500 + 5000 + 3000
      activeVehicles: 2,
      trips: 4, // A1: p2, p5, p6; A2: q1
      activeDrivers: 2, // Rémi (assigned to A1 while it reported, and wrote), Sara (wrote)
      messagesSent: 3,
      messagesReceived: 2,
      medianResponseS: 1200,
      events: 2,
      alerts: 1,
      ticketsOpened: 1, // t2
      ticketsOpen: 1, // t2 (t1 resolved that day)
      csatResponses: 2,
      csatAvg: "4.5",
      npsResponses: 4,
      nps: 25,
      failedPayments: 1,
      logins: 2, // U1 twice (staff is no member)
      sessions: 3, // U1 two (45-minute gap), U2 one
      activeUsers: 2,
      featuresUsed: { "vehicle.list": 2, "vehicle.get": 1, "page:/feed": 1 },
      featureCount: 3,
      seatsUsed: 2, // U3 only invited
      seatsPlan: 10,
      vehiclesPlan: 5,
      churnRiskScore: null,
    });
    expect(plain(a.get("2026-10-26"))).toMatchObject({
      positions: 2, // p7 (00:30 CET), p8
      distanceM: 300,
      activeVehicles: 1,
      trips: 1,
      activeDrivers: 1,
      events: 1,
      alerts: 1,
      ticketsOpened: 1, // t3
      ticketsOpen: 1, // t2 (t3 closed)
      logins: 1,
      activeUsers: 1,
      sessions: 0,
      messagesSent: 0,
      medianResponseS: null,
      featuresUsed: {},
      csatAvg: null,
      nps: null,
    });
    // Saturday: nothing happened but t1 was open; a zero row, not a missing one.
    expect(plain(a.get("2026-10-24"))).toMatchObject({ positions: 0, logins: 0, ticketsOpen: 1, seatsUsed: 2 });

    // B (UTC): the 22:30Z fix is Saturday's.
    const b = await dailyRows(tenantB);
    expect(plain(b.get("2026-10-24"))).toMatchObject({ positions: 1, distanceM: 100, activeVehicles: 1, trips: 1 });
    expect(plain(b.get("2026-10-25"))).toMatchObject({ positions: 0, seatsPlan: null, vehiclesPlan: null });

    const h = await hourlyRows(tenantA);
    expect(plain(h.get("2026-10-25T06:00:00.000Z"))).toMatchObject({
      activeVehicles: 1,
      positions: 4, // p2–p5
      distanceM: 2800, // 1000 + 1500 + 100 + 200
      avgSpeedKph: 40, // (40 + 50 + 30) / 3, moving fixes only
      events: 2,
      alerts: 1,
    });
    expect(plain(h.get("2026-10-25T12:00:00.000Z"))).toMatchObject({ positions: 2, distanceM: 8000, avgSpeedKph: 60 });
    expect(plain(h.get("2026-10-25T07:00:00.000Z"))).toMatchObject({
      positions: 0,
      messagesSent: 1,
      messagesReceived: 1,
    });
    expect(plain(h.get("2026-10-26T08:00:00.000Z"))).toMatchObject({
      positions: 1,
      activeVehicles: 1,
      avgSpeedKph: null,
    });
  });

  it("runs incrementally: identical re-runs, late data inside the window counted, outside not, churn risk kept", async () => {
    const prisma = testPrisma();
    const opts = { job: JOB, tenantIds: tenants };
    const n1 = at("2026-10-27T12:00:00Z");
    const first = await runActivityRollup(prisma, n1, opts);
    expect(first).toMatchObject({ ran: true, chunks: 1, from: at("2026-10-25T12:00:00Z"), watermark: n1 });
    expect(await asSystem((db) => readRollupWatermark(db, JOB))).toEqual(n1);

    // Re-running changes nothing at all (not even computed_at).
    const before = {
      daily: plain(Object.fromEntries(await dailyRows(tenantA))),
      hourly: plain(Object.fromEntries(await hourlyRows(tenantA))),
    };
    const again = await runActivityRollup(prisma, n1, opts);
    expect(again).toMatchObject({ ran: true, hourlyUpserted: 0, hourlyDeleted: 0, dailyUpserted: 0 });
    const again2 = await runActivityRollup(prisma, n1, opts);
    expect(again2).toMatchObject({ hourlyUpserted: 0, dailyUpserted: 0 });
    expect(plain(Object.fromEntries(await dailyRows(tenantA)))).toEqual(before.daily);
    expect(plain(Object.fromEntries(await hourlyRows(tenantA)))).toEqual(before.hourly);

    // The scoring writes Monday's churn risk; the rollup must never clear it.
    await owner().$executeRaw`UPDATE adm_tenant_activity_metrics SET churn_risk_score = 42.5
                               WHERE tenant_id = ${tenantA}::uuid AND period_start = '2026-10-26'`;

    // A late fix for Monday 11:00 CET arrives: older than the watermark, within 48 h of it.
    await positions(tenantA, deviceA1, vehicleA1, [["2026-10-26T10:00:00Z", 0, 250]]);
    const n2 = at("2026-10-27T12:10:00Z");
    const late = await runActivityRollup(prisma, n2, opts);
    expect(late).toMatchObject({ ran: true, from: at("2026-10-25T12:00:00Z"), watermark: n2, hourlyUpserted: 1 });
    const monday = plain((await dailyRows(tenantA)).get("2026-10-26"));
    expect(monday).toMatchObject({ positions: 3, distanceM: 550, churnRiskScore: "42.5" });
    expect(plain((await hourlyRows(tenantA)).get("2026-10-26T10:00:00.000Z"))).toMatchObject({ positions: 1 });

    // A fix for Saturday (local) is outside the window [n2 − 48 h, …): Saturday's row stays as it was.
    await positions(tenantA, deviceA1, vehicleA1, [["2026-10-24T10:00:00Z", 0, 75]]);
    const n3 = at("2026-10-27T12:20:00Z");
    await runActivityRollup(prisma, n3, opts);
    const after = await dailyRows(tenantA);
    expect(plain(after.get("2026-10-24"))).toEqual(before.daily["2026-10-24"]);
    expect((await hourlyRows(tenantA)).has("2026-10-24T10:00:00.000Z")).toBe(false);
    expect(plain(after.get("2026-10-26"))).toMatchObject({ positions: 3, churnRiskScore: "42.5" });

    // A deleted source row takes its hour away on the next run inside the window.
    await owner()
      .$executeRaw`DELETE FROM tel_positions WHERE device_id = ${deviceA1}::uuid AND time = '2026-10-26T10:00:00Z'`;
    const n4 = at("2026-10-27T12:30:00Z");
    expect(await runActivityRollup(prisma, n4, opts)).toMatchObject({ hourlyDeleted: 1 });
    expect(plain((await dailyRows(tenantA)).get("2026-10-26"))).toMatchObject({ positions: 2, churnRiskScore: "42.5" });
  });

  it("catches up a long gap in chunks and never moves the watermark backwards", async () => {
    const prisma = testPrisma();
    const job = `${JOB}_gap`;
    const opts = { job, tenantIds: [tenantB], maxChunkMs: 86_400_000 };
    await runActivityRollup(prisma, at("2026-10-20T00:00:00Z"), opts);
    const r = await runActivityRollup(prisma, at("2026-10-23T12:00:00Z"), opts);
    expect(r).toMatchObject({ ran: true, chunks: 4, watermark: at("2026-10-23T12:00:00Z") });
    await runActivityRollup(prisma, at("2026-10-22T00:00:00Z"), opts);
    expect(await asSystem((db) => readRollupWatermark(db, job))).toEqual(at("2026-10-23T12:00:00Z"));
  });

  it("skips a run while another process holds the job's lock, and refuses a shared job for a tenant subset", async () => {
    const job = `${JOB}_lock`;
    const prisma = testPrisma();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text",
        `adm_rollup_watermarks:${job}`,
      );
      locked();
      await held;
    });
    await isLocked;
    const r = await runActivityRollup(prisma, at("2026-10-27T12:00:00Z"), { job, tenantIds: [tenantB] });
    release();
    await holder;
    expect(r).toMatchObject({ ran: false, chunks: 0 });
    await expect(runActivityRollup(prisma, new Date(), { tenantIds: [tenantB] })).rejects.toThrow(/own job/);
  });

  it("leaves the seed's modelled tenants alone", async () => {
    const modelled = await owner().tenant.create({
      data: {
        name: "Modelled",
        slug: `modelled-${unique()}`,
        countryCode: "FR",
        defaultCurrency: "EUR",
        metadata: { demoPortfolio: true },
      },
    });
    expect(await asSystem((db) => listRollupTenants(db, [modelled.id, tenantB]))).toEqual([
      { tenantId: tenantB, timeZone: "UTC" },
    ]);
    await runActivityRollup(testPrisma(), new Date(), { job: `${JOB}_model`, tenantIds: [modelled.id] });
    expect((await dailyRows(modelled.id)).size).toBe(0);
  });
});
