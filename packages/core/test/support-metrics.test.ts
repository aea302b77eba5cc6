/**
 * Support metrics against the real database. Two tenants, three local days in Europe/Paris
 * (1–3 March 2026, UTC+1: a local day is [23:00Z of the day before, 23:00Z)). Every expected figure
 * below is worked out by hand from the tickets, status changes and feedback listed here.
 */
import { randomUUID } from "node:crypto";
import { type Db, disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { ZSupportMetrics } from "@fleetcore/validators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditTrail, createTenant, DomainError, supportMetrics, supportMetricsBucket, systemActor } from "../src/index";

afterAll(() => disconnectAll());

const unique = () => Math.random().toString(36).slice(2, 8);
const asSystem = <T>(fn: (db: Db) => Promise<T>) => withScope(testPrisma(), { kind: "system" }, fn);
const z = (iso: string) => new Date(`${iso}Z`);

const FROM = z("2026-02-28T23:00:00");
const TO = z("2026-03-03T23:00:00");
let tenantA = "";
let tenantB = "";

type Status = "open" | "in_progress" | "awaiting_customer" | "resolved" | "closed";
async function ticket(
  tenantId: string,
  userId: string,
  t: {
    createdAt: string;
    status: Status;
    changes?: [Status, string][];
    firstResponseAt?: string;
    firstResponseMinutes?: number;
    firstResponseDueAt?: string;
    resolutionDueAt?: string;
    slaPausedAt?: string;
    resolvedAt?: string;
    resolutionMinutes?: number;
    closedAt?: string;
  },
): Promise<string> {
  const owner = testOwnerPrisma();
  const id = randomUUID();
  const d = (s?: string) => (s ? z(s) : null);
  await owner.supTicket.create({
    data: {
      id,
      tenantId,
      submittedByUserId: userId,
      subject: "s",
      description: "d",
      category: "technical",
      priority: "high",
      status: t.status,
      createdAt: z(t.createdAt),
      firstResponseAt: d(t.firstResponseAt),
      firstResponseMinutes: t.firstResponseMinutes ?? null,
      firstResponseDueAt: d(t.firstResponseDueAt),
      resolutionDueAt: d(t.resolutionDueAt),
      slaPausedAt: d(t.slaPausedAt),
      resolvedAt: d(t.resolvedAt),
      resolutionMinutes: t.resolutionMinutes ?? null,
      closedAt: d(t.closedAt),
    },
  });
  let from: Status | null = null;
  for (const [to, at] of t.changes ?? []) {
    await owner.supTicketStatusChange.create({
      data: { ticketId: id, tenantId, fromStatus: from, toStatus: to, createdAt: z(at) },
    });
    from = to;
  }
  return id;
}

beforeAll(async () => {
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
  tenantA = (await newTenant("Alpha")).id;
  tenantB = (await newTenant("Bravo")).id;
  const owner = testOwnerPrisma();
  const user = await owner.user.create({ data: { email: `req-${unique()}@example.test` } });

  // T1 (A): answered in 60 min (met), resolved on day 2 in 600 min (met), closed on day 3.
  const t1 = await ticket(tenantA, user.id, {
    createdAt: "2026-03-01T08:00:00",
    status: "closed",
    changes: [
      ["open", "2026-03-01T08:00:00"],
      ["in_progress", "2026-03-01T09:00:00"],
      ["resolved", "2026-03-02T10:00:00"],
      ["closed", "2026-03-03T10:00:00"],
    ],
    firstResponseAt: "2026-03-01T09:00:00",
    firstResponseMinutes: 60,
    firstResponseDueAt: "2026-03-01T12:00:00",
    resolutionDueAt: "2026-03-03T10:00:00",
    resolvedAt: "2026-03-02T10:00:00",
    resolutionMinutes: 600,
    closedAt: "2026-03-03T10:00:00",
  });
  // T2 (A): opened 23:30 local on day 1, never answered: first response breached at its due time (day 2).
  await ticket(tenantA, user.id, {
    createdAt: "2026-03-01T22:30:00",
    status: "open",
    changes: [["open", "2026-03-01T22:30:00"]],
    firstResponseDueAt: "2026-03-02T09:00:00",
    resolutionDueAt: "2099-01-01T00:00:00",
  });
  // T3 (B): answered late (breach, day 2), then awaiting the customer: resolution clock paused, undecided.
  const t3 = await ticket(tenantB, user.id, {
    createdAt: "2026-03-02T12:00:00",
    status: "awaiting_customer",
    changes: [
      ["open", "2026-03-02T12:00:00"],
      ["in_progress", "2026-03-02T14:00:00"],
      ["awaiting_customer", "2026-03-02T15:00:00"],
    ],
    firstResponseAt: "2026-03-02T14:00:00",
    firstResponseMinutes: 120,
    firstResponseDueAt: "2026-03-02T13:00:00",
    resolutionDueAt: "2026-03-02T20:00:00",
    slaPausedAt: "2026-03-02T15:00:00",
  });
  // T4 (B): opened and resolved before the period: in no figure.
  await ticket(tenantB, user.id, {
    createdAt: "2026-02-27T10:00:00",
    status: "resolved",
    changes: [
      ["open", "2026-02-27T10:00:00"],
      ["resolved", "2026-02-28T10:00:00"],
    ],
    firstResponseAt: "2026-02-27T11:00:00",
    firstResponseMinutes: 60,
    firstResponseDueAt: "2026-02-27T12:00:00",
    resolutionDueAt: "2026-02-28T12:00:00",
    resolvedAt: "2026-02-28T10:00:00",
    resolutionMinutes: 100,
  });
  // T5 (A): opened long before, no status history at all (counts as open): backlog only.
  await ticket(tenantA, user.id, {
    createdAt: "2026-02-20T10:00:00",
    status: "open",
    firstResponseDueAt: "2026-02-20T12:00:00",
    resolutionDueAt: "2026-02-25T12:00:00",
  });

  const feedback = (
    tenantId: string,
    kind: "csat" | "nps",
    rating: number | null,
    respondedAt: string | null,
    ticketId: string | null = null,
  ) =>
    owner.supCustomerFeedback.create({
      data: {
        tenantId,
        kind,
        ticketId,
        recipientUserId: user.id,
        rating,
        respondedAt: respondedAt ? z(respondedAt) : null,
      },
    });
  await feedback(tenantA, "csat", 5, "2026-03-02T11:00:00", t1); // day 2
  await feedback(tenantB, "csat", 3, "2026-03-03T09:00:00", t3); // day 3
  await feedback(tenantA, "nps", 10, "2026-03-01T10:00:00"); // day 1, promoter
  await feedback(tenantB, "nps", 8, "2026-03-02T08:00:00"); // day 2, passive
  await feedback(tenantA, "nps", 6, "2026-03-03T12:00:00"); // day 3, detractor
  await feedback(tenantA, "nps", null, null); // asked, not answered: ignored
});

describe("supportMetrics", () => {
  it("counts, medians, SLA attainment, CSAT, NPS and backlog per local day, per tenant and overall", async () => {
    const m = ZSupportMetrics.parse(
      await asSystem((db) => supportMetrics(db, { from: FROM, to: TO, bucket: "day", timezone: "Europe/Paris" })),
    );
    expect(m.bucket).toBe("day");
    expect(m.buckets.map((b) => b.start.toISOString())).toEqual([
      "2026-02-28T23:00:00.000Z",
      "2026-03-01T23:00:00.000Z",
      "2026-03-02T23:00:00.000Z",
    ]);
    const [d1, d2, d3] = m.buckets;
    expect(d1).toMatchObject({
      opened: 2,
      resolved: 0,
      closed: 0,
      backlog: 3, // T1 (in progress), T2, T5
      medianFirstResponseMinutes: 60,
      medianResolutionMinutes: null,
      slaTargets: 1,
      slaMet: 1,
      slaAttainmentPct: 100,
      csatResponses: 0,
      csatAverage: null,
      npsResponses: 1,
      nps: 100,
    });
    expect(d2).toMatchObject({
      opened: 1,
      resolved: 1,
      closed: 0,
      backlog: 3, // T2, T3, T5
      medianFirstResponseMinutes: 120,
      medianResolutionMinutes: 600,
      slaTargets: 3, // T1 resolution met, T2 first response breached, T3 first response breached
      slaMet: 1,
      slaAttainmentPct: 33.3,
      csatResponses: 1,
      csatAverage: 5,
      csatSatisfiedPct: 100,
      npsResponses: 1,
      nps: 0,
    });
    expect(d3).toMatchObject({
      opened: 0,
      resolved: 0,
      closed: 1,
      backlog: 3,
      slaTargets: 0,
      slaAttainmentPct: null,
      csatAverage: 3,
      csatSatisfiedPct: 0,
      nps: -100,
    });
    expect(m.total).toMatchObject({
      opened: 3,
      resolved: 1,
      closed: 1,
      backlog: 3,
      medianFirstResponseMinutes: 90,
      medianResolutionMinutes: 600,
      slaTargets: 4,
      slaMet: 2,
      slaAttainmentPct: 50,
      csatResponses: 2,
      csatAverage: 4,
      csatSatisfiedPct: 50,
      npsResponses: 3,
      nps: 0,
    });
    const a = m.tenants.find((t) => t.tenantId === tenantA);
    const b = m.tenants.find((t) => t.tenantId === tenantB);
    expect(a).toMatchObject({ opened: 2, backlog: 2, slaTargets: 3, slaMet: 2, slaAttainmentPct: 66.7, nps: 0 });
    expect(b).toMatchObject({ opened: 1, backlog: 1, slaTargets: 1, slaMet: 0, slaAttainmentPct: 0, csatAverage: 3 });
  });

  it("narrows to one tenant, and RLS narrows a tenant scope to its own tickets whatever it asks", async () => {
    const one = await asSystem((db) =>
      supportMetrics(db, { from: FROM, to: TO, tenantId: tenantB, timezone: "Europe/Paris" }),
    );
    expect(one.total).toMatchObject({ opened: 1, backlog: 1, csatResponses: 1, npsResponses: 1 });
    expect(one.tenants.map((t) => t.tenantId)).toEqual([tenantB]);
    const scoped = await withScope(testPrisma(), { kind: "tenant", tenantId: tenantA }, (db) =>
      supportMetrics(db, { from: FROM, to: TO, timezone: "Europe/Paris" }),
    );
    expect(scoped.total.opened).toBe(2);
    expect(scoped.tenants.map((t) => t.tenantId)).toEqual([tenantA]);
  });

  it("picks and widens bucket sizes, and rejects an unknown time zone", async () => {
    expect(supportMetricsBucket(FROM, TO)).toBe("day");
    expect(supportMetricsBucket(z("2026-01-01T00:00:00"), z("2026-07-01T00:00:00"))).toBe("week");
    expect(supportMetricsBucket(z("2025-01-01T00:00:00"), z("2026-07-01T00:00:00"))).toBe("month");
    const err = await asSystem((db) => supportMetrics(db, { from: FROM, to: TO, timezone: "Mars/Olympus" })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
  });
});
