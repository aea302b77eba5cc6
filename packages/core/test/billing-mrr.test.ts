/**
 * MRR movement against the real database. The history lies in 2000–2001 (no other test writes MRR
 * changes that early) and the current-MRR test uses XTS, the ISO 4217 code reserved for testing,
 * so other test files running in parallel cannot move these figures. Every expected figure is
 * worked out by hand from the changes listed below.
 */
import { randomUUID } from "node:crypto";
import { type Db, disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { type MrrMonth, ZMrrCurrentTotals, ZMrrMovement } from "@fleetcore/validators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuditTrail,
  computeMrrMovement,
  createTenant,
  DomainError,
  mrrCurrent,
  mrrMovement,
  systemActor,
} from "../src/index";

afterAll(() => disconnectAll());

const unique = () => Math.random().toString(36).slice(2, 8);
const asSystem = <T>(fn: (db: Db) => Promise<T>) => withScope(testPrisma(), { kind: "system" }, fn);
const z = (iso: string) => new Date(`${iso}Z`);

const A = randomUUID(); // EUR: new in January, upgrade in February
const B = randomUUID(); // EUR: paying before the range, downgrade in February, churn on 31 March 23:59:59.999
const C = randomUUID(); // EUR: churned before the range, reactivated at exactly 1 April 00:00:00.000
const D = randomUUID(); // EUR: signs up and cancels within January (no movement), back in March (reactivation)
const E = randomUUID(); // EUR: new in March, upgraded in March (one "new" of the month's end MRR)
const F = randomUUID(); // USD: new at exactly 1 February 00:00:00.000, downgrade in May

/** [tenant, currency, occurredAt (UTC), from, to] */
const CHANGES: [string, string, string, number, number][] = [
  [C, "EUR", "2000-10-01T09:00:00", 0, 5_000],
  [B, "EUR", "2000-11-05T12:00:00", 0, 20_000],
  [C, "EUR", "2000-12-15T09:00:00", 5_000, 0],
  [D, "EUR", "2001-01-05T10:00:00", 0, 3_000],
  [A, "EUR", "2001-01-10T08:30:00", 0, 10_000],
  [D, "EUR", "2001-01-25T10:00:00", 3_000, 0],
  [F, "USD", "2001-02-01T00:00:00.000", 0, 50_000],
  [A, "EUR", "2001-02-15T14:00:00", 10_000, 15_000],
  [B, "EUR", "2001-02-20T16:00:00", 20_000, 12_000],
  [E, "EUR", "2001-03-05T11:00:00", 0, 6_000],
  [D, "EUR", "2001-03-10T10:00:00", 0, 4_000],
  [E, "EUR", "2001-03-20T11:00:00", 6_000, 9_000],
  [B, "EUR", "2001-03-31T23:59:59.999", 12_000, 0],
  [C, "EUR", "2001-04-01T00:00:00.000", 0, 7_000],
  [F, "USD", "2001-05-10T09:00:00", 50_000, 45_000],
  // After the range (June): ignored.
  [A, "EUR", "2001-06-15T09:00:00", 15_000, 0],
];

/** The hand-worked report, January–May 2001. */
type Expected = Omit<MrrMonth, "month" | "currency" | "arrMinor">;
const zero = { newMinor: 0, expansionMinor: 0, contractionMinor: 0, churnMinor: 0, reactivationMinor: 0 };
const noCustomers = { newCustomers: 0, churnedCustomers: 0, reactivatedCustomers: 0 };
const EXPECTED: Record<string, Record<"EUR" | "USD", Expected>> = {
  // EUR: B pays 20 000 at the start; A is new (10 000); D's sign-up and cancellation cancel out.
  // USD: F's sign-up at 1 February 00:00 belongs to February.
  "2001-01": {
    EUR: {
      ...zero,
      ...noCustomers,
      startMrrMinor: 20_000,
      newMinor: 10_000,
      endMrrMinor: 30_000,
      customersStart: 1,
      customersEnd: 2,
      newCustomers: 1,
    },
    USD: { ...zero, ...noCustomers, startMrrMinor: 0, endMrrMinor: 0, customersStart: 0, customersEnd: 0 },
  },
  // EUR: A +5 000 (expansion), B −8 000 (contraction). USD: F new 50 000.
  "2001-02": {
    EUR: {
      ...zero,
      ...noCustomers,
      startMrrMinor: 30_000,
      expansionMinor: 5_000,
      contractionMinor: 8_000,
      endMrrMinor: 27_000,
      customersStart: 2,
      customersEnd: 2,
    },
    USD: {
      ...zero,
      ...noCustomers,
      startMrrMinor: 0,
      newMinor: 50_000,
      endMrrMinor: 50_000,
      customersStart: 0,
      customersEnd: 1,
      newCustomers: 1,
    },
  },
  // EUR: B churns 12 000 one millisecond before April; D returns (had MRR in January): reactivation
  // 4 000; E is new at its month-end MRR 9 000 (not new 6 000 + expansion 3 000).
  "2001-03": {
    EUR: {
      ...zero,
      ...noCustomers,
      startMrrMinor: 27_000,
      newMinor: 9_000,
      churnMinor: 12_000,
      reactivationMinor: 4_000,
      endMrrMinor: 28_000,
      customersStart: 2,
      customersEnd: 3,
      newCustomers: 1,
      churnedCustomers: 1,
      reactivatedCustomers: 1,
    },
    USD: { ...zero, ...noCustomers, startMrrMinor: 50_000, endMrrMinor: 50_000, customersStart: 1, customersEnd: 1 },
  },
  // EUR: C (paid in 2000) returns at exactly 1 April 00:00: reactivation 7 000 in April.
  "2001-04": {
    EUR: {
      ...zero,
      ...noCustomers,
      startMrrMinor: 28_000,
      reactivationMinor: 7_000,
      endMrrMinor: 35_000,
      customersStart: 3,
      customersEnd: 4,
      reactivatedCustomers: 1,
    },
    USD: { ...zero, ...noCustomers, startMrrMinor: 50_000, endMrrMinor: 50_000, customersStart: 1, customersEnd: 1 },
  },
  // EUR: no change (A's June churn is outside). USD: F −5 000.
  "2001-05": {
    EUR: { ...zero, ...noCustomers, startMrrMinor: 35_000, endMrrMinor: 35_000, customersStart: 4, customersEnd: 4 },
    USD: {
      ...zero,
      ...noCustomers,
      startMrrMinor: 50_000,
      contractionMinor: 5_000,
      endMrrMinor: 45_000,
      customersStart: 1,
      customersEnd: 1,
    },
  },
};

function assertIdentity(r: MrrMonth): void {
  expect(
    r.startMrrMinor + r.newMinor + r.reactivationMinor + r.expansionMinor - r.contractionMinor - r.churnMinor,
    `${r.month} ${r.currency}`,
  ).toBe(r.endMrrMinor);
  expect(r.customersStart + r.newCustomers + r.reactivatedCustomers - r.churnedCustomers).toBe(r.customersEnd);
  expect(r.arrMinor).toBe(r.endMrrMinor * 12);
}

beforeAll(async () => {
  const owner = testOwnerPrisma();
  // Inserted in shuffled order: the report must not depend on insertion order.
  const rows = CHANGES.map(([tenantId, currency, at, from, to]) => ({
    tenantId,
    currency,
    occurredAt: z(at),
    fromMrrMinor: from,
    toMrrMinor: to,
  }));
  await owner.bilMrrChange.createMany({ data: [...rows.slice(7), ...rows.slice(0, 7)] });
});

describe("mrrMovement", () => {
  it("classifies each tenant's month as new, expansion, contraction, churn or reactivation, per currency", async () => {
    const report = await asSystem((db) => mrrMovement(db, { fromMonth: "2001-01", months: 5 }));
    expect(ZMrrMovement.parse(report)).toEqual(report);
    expect(report.fromMonth).toBe("2001-01");
    expect(report.toMonth).toBe("2001-05");
    expect(report.currencies).toEqual(["EUR", "USD"]);
    expect(report.months.map((r) => `${r.month} ${r.currency}`)).toEqual(
      Object.keys(EXPECTED).flatMap((m) => [`${m} EUR`, `${m} USD`]),
    );
    for (const r of report.months) {
      const expected = EXPECTED[r.month]?.[r.currency as "EUR" | "USD"];
      expect({ month: r.month, currency: r.currency, ...expected, arrMinor: r.endMrrMinor * 12 }).toEqual(r);
      assertIdentity(r);
    }
    // ARR at the end of May: 35 000 × 12 and 45 000 × 12.
    expect(report.months.slice(-2).map((r) => r.arrMinor)).toEqual([420_000, 540_000]);
  });

  it("chains months: each month's end is the next month's start", async () => {
    const report = await asSystem((db) => mrrMovement(db, { fromMonth: "2000-10", months: 9 }));
    for (const currency of report.currencies) {
      const series = report.months.filter((r) => r.currency === currency);
      for (let i = 1; i < series.length; i += 1) {
        expect(series[i]?.startMrrMinor).toBe(series[i - 1]?.endMrrMinor);
      }
      for (const r of series) assertIdentity(r);
    }
    // October–December 2000 in EUR: C new (5 000), B new (20 000), C churns (5 000).
    const eur = report.months.filter((r) => r.currency === "EUR").slice(0, 3);
    expect(eur.map((r) => [r.newMinor, r.churnMinor, r.endMrrMinor])).toEqual([
      [5_000, 0, 5_000],
      [20_000, 0, 25_000],
      [0, 5_000, 20_000],
    ]);
  });

  it("a single month starting at a boundary instant counts that instant's change", async () => {
    const april = await asSystem((db) => mrrMovement(db, { fromMonth: "2001-04", months: 1 }));
    expect(april.months.find((r) => r.currency === "EUR")?.reactivationMinor).toBe(7_000);
    const march = await asSystem((db) => mrrMovement(db, { fromMonth: "2001-03", months: 1 }));
    expect(march.months.find((r) => r.currency === "EUR")?.reactivationMinor).toBe(4_000);
  });

  it("defaults to the months ending with the current one", async () => {
    const report = await asSystem((db) => mrrMovement(db, { months: 3 }, z("2001-03-15T12:00:00")));
    expect([report.fromMonth, report.toMonth]).toEqual(["2001-01", "2001-03"]);
    const year = await asSystem((db) => mrrMovement(db, {}, z("2001-01-01T00:00:00")));
    expect([year.fromMonth, year.toMonth, year.months.length / year.currencies.length]).toEqual([
      "2000-02",
      "2001-01",
      12,
    ]);
  });

  it("is invisible to a tenant scope (bil_mrr_changes is the platform's)", async () => {
    const report = await withScope(testPrisma(), { kind: "tenant", tenantId: A }, (db) =>
      mrrMovement(db, { fromMonth: "2001-01", months: 5 }),
    );
    expect(report.currencies).toEqual([]);
    expect(report.months).toEqual([]);
  });

  it("rejects a bad month or month count", () => {
    expect(() => computeMrrMovement([], "2001-13", 1)).toThrow(DomainError);
    expect(() => computeMrrMovement([], "2001-01", 0)).toThrow(DomainError);
    expect(() => computeMrrMovement([], "2001-01", 37)).toThrow(DomainError);
  });

  it("applies same-instant changes of a tenant in the order given", () => {
    const at = z("2001-01-10T00:00:00");
    const report = computeMrrMovement(
      [
        { tenantId: A, currency: "EUR", occurredAt: at, fromMrrMinor: 0, toMrrMinor: 1_000 },
        { tenantId: A, currency: "EUR", occurredAt: at, fromMrrMinor: 1_000, toMrrMinor: 2_500 },
      ],
      "2001-01",
      1,
    );
    expect(report.months[0]).toMatchObject({ newMinor: 2_500, endMrrMinor: 2_500, newCustomers: 1 });
  });
});

describe("mrrCurrent", () => {
  it("sums active, past-due and trialing subscriptions per currency; canceled ones do not count", async () => {
    const owner = testOwnerPrisma();
    const subs: [string, number][] = [
      ["active", 10_000],
      ["past_due", 5_000],
      ["trialing", 0],
      ["canceled", 9_999],
      ["unpaid", 7_777],
    ];
    for (const [status, mrrMinor] of subs) {
      const tenant = await asSystem((db) =>
        createTenant(
          { db, audit: new AuditTrail(db, systemActor()) },
          {
            name: `Mrr ${status}`,
            slug: `mrr-${status.replace("_", "-")}-${unique()}`,
            countryCode: "FR",
            defaultCurrency: "EUR",
            timezone: "Europe/Paris",
          },
        ),
      );
      await owner.bilTenantSubscription.create({
        data: {
          tenantId: tenant.id,
          status: status as "active",
          mrrMinor,
          currency: "XTS",
          stripeCustomerId: `cus_${unique()}`,
          stripeSubscriptionId: `sub_${unique()}${unique()}`,
        },
      });
    }
    const now = new Date();
    const totals = await asSystem((db) => mrrCurrent(db, now));
    expect(ZMrrCurrentTotals.parse(totals)).toEqual(totals);
    expect(totals.asOf).toEqual(now);
    expect(totals.currencies.find((c) => c.currency === "XTS")).toEqual({
      currency: "XTS",
      mrrMinor: 15_000,
      arrMinor: 180_000,
      payingCustomers: 2,
      active: 1,
      trialing: 1,
      pastDue: 1,
    });
  });
});
