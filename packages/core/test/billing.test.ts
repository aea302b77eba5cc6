/**
 * Billing with Stripe (issue 7), domain level, against the real database and a local server that
 * speaks Stripe's wire format (./stripe-fake.ts) through the SDK's host/port/protocol options:
 * MRR and overage arithmetic; plan sync (Product, Prices, Billing Meter) and its form-encoded wire
 * format; the subscription lifecycle by webhook events; every event delivered twice; out-of-order
 * events; dunning to suspension and back (and an admin's suspension left alone); usage computed
 * from real positions and reported once per tenant-day, also across a network failure.
 */
import { randomUUID } from "node:crypto";
import { type Db, disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuditTrail,
  billingOverview,
  changePlan,
  changeTenantStatus,
  completeDaysOfPeriod,
  computeDailyUsage,
  createPlan,
  DUNNING_SUSPENSION_REASON,
  discountedMonthlyMinor,
  divRoundHalfUp,
  type InTransaction,
  listInvoices,
  localDay,
  meteredAmountMinor,
  monthlyAmountMinor,
  OUTCOME,
  OutboxEmailTransport,
  overageAmountMinor,
  overageUnitAmountDecimal,
  previewPlanChange,
  processStripeEvent,
  reportUsage,
  runDunning,
  type Stripe,
  setCancelAtPeriodEnd,
  startCheckout,
  startOfLocalDay,
  syncPlanToStripe,
  systemActor,
  type Tx,
  upcomingInvoice,
} from "../src/index";
import { FakeStripe } from "./stripe-fake";

// biome-ignore lint/suspicious/noExplicitAny: Stripe JSON objects
type Json = any;

const unique = () => Math.random().toString(36).slice(2, 8);
const DAY_S = 86_400;
const nowS = () => Math.floor(Date.now() / 1000);

let fake: FakeStripe;
let stripe: Stripe;
let starter: { id: string };
let pro: { id: string };
const email = { transport: new OutboxEmailTransport(), publicUrl: "https://fleet.test" };

const asSystem = <T>(fn: (tx: Tx) => Promise<T>) =>
  withScope(testPrisma(), { kind: "system" }, (db) => fn({ db, audit: new AuditTrail(db, systemActor()) }));
const asTenant = <T>(tenantId: string, fn: (db: Db) => Promise<T>) =>
  withScope(testPrisma(), { kind: "tenant", tenantId }, fn);
/** Short transactions of the tenant's scope, one per call (what the billing procedures pass). */
const tenantTx =
  (tenantId: string): InTransaction =>
  (fn) =>
    withScope(testPrisma(), { kind: "tenant", tenantId }, (db) => fn({ db, audit: new AuditTrail(db, systemActor()) }));

beforeAll(async () => {
  // Like Stripe, the fake forgets idempotency keys and meter event identifiers after 24 hours.
  fake = await FakeStripe.start({ expireAfter24h: true });
  stripe = fake.client();
  // bil_settings is one row per database: this file's meter lives in this file's fake.
  await testOwnerPrisma().bilSettings.update({ where: { id: 1 }, data: { stripeMeterId: null, dunningGraceDays: 14 } });
  const tag = unique();
  starter = await asSystem((tx) =>
    createPlan(tx, {
      code: `starter-${tag}`,
      name: "Fleet Starter",
      currency: "usd",
      monthlyPriceMinor: 2900,
      yearlyPriceMinor: 29000,
      includedVehicles: 5,
      includedDrivers: 10,
      overagePerVehicleMinor: 500,
    }),
  );
  pro = await asSystem((tx) =>
    createPlan(tx, {
      code: `pro-${tag}`,
      name: "Fleet Pro",
      currency: "USD",
      monthlyPriceMinor: 9900,
      yearlyPriceMinor: 99000,
      includedVehicles: 20,
      includedDrivers: 40,
      overagePerVehicleMinor: 400,
    }),
  );
  await syncPlanToStripe(asSystem, stripe, starter.id);
  await syncPlanToStripe(asSystem, stripe, pro.id);
});

afterAll(async () => {
  await fake.close();
  await disconnectAll();
});

/** A tenant with an owner (member with the system owner role). */
async function newTenant(opts: { timezone?: string } = {}) {
  const db = testOwnerPrisma();
  const tag = unique();
  const tenant = await db.tenant.create({
    data: {
      name: `Billing ${tag}`,
      slug: `billing-${tag}`,
      countryCode: "US",
      defaultCurrency: "USD",
      status: "active",
      timezone: opts.timezone ?? "UTC",
    },
  });
  const user = await db.user.create({ data: { email: `owner.${tag}@example.com`, fullName: "Owner" } });
  const role = await db.role.findFirstOrThrow({ where: { tenantId: null, name: "owner" } });
  const member = await db.member.create({
    data: { tenantId: tenant.id, userId: user.id, status: "active", joinedAt: new Date() },
  });
  await db.memberRole.create({ data: { memberId: member.id, roleId: role.id, tenantId: tenant.id } });
  return { tenantId: tenant.id, ownerId: user.id, ownerEmail: user.email };
}

const deliver = (event: Json) => processStripeEvent(testPrisma(), event as Stripe.Event, { stripe, email });

/** Checkout for `tenantId` through the code under test, then "the customer pays" at the fake. */
async function subscribe(tenantId: string, plan = starter, opts: { trialDays?: number; start?: number } = {}) {
  const { url } = await startCheckout(
    { prisma: testPrisma(), inTx: tenantTx(tenantId), stripe, tenantId, publicUrl: "https://fleet.test" },
    { planId: plan.id, interval: "month", clientRequestId: randomUUID() },
  );
  const sessionId = url.split("/").pop() as string;
  return fake.completeCheckout(sessionId, opts);
}

const subscriptionRow = (tenantId: string) =>
  testOwnerPrisma().bilTenantSubscription.findFirstOrThrow({ where: { tenantId }, orderBy: { createdAt: "desc" } });
const mrrRows = (tenantId: string) =>
  testOwnerPrisma().bilMrrChange.findMany({
    where: { tenantId },
    orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }],
  });

describe("billing arithmetic", () => {
  it("rounds half up once, in integers", () => {
    expect(divRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divRoundHalfUp(4n, 3n)).toBe(1n);
    expect(divRoundHalfUp(-5n, 2n)).toBe(-3n);
    expect(monthlyAmountMinor(2900, 1, "month")).toBe(2900);
    expect(monthlyAmountMinor(29000, 1, "year")).toBe(2417); // 2416.67 → 2417
    expect(monthlyAmountMinor(99006, 1, "year")).toBe(8251); // 8250.5 → 8251 (half up)
    expect(monthlyAmountMinor(1000, 3, "month", 3)).toBe(1000);
  });

  it("prices overage per vehicle-day as overage/30 with Stripe's 12 decimals, and projects like Stripe", () => {
    expect(overageUnitAmountDecimal(500)).toBe("16.666666666667");
    expect(overageUnitAmountDecimal(1500)).toBe("50");
    expect(overageUnitAmountDecimal(1)).toBe("0.033333333333");
    // 30 vehicle-days at 500/month = one vehicle for a month.
    expect(overageAmountMinor(30, 500)).toBe(500);
    expect(overageAmountMinor(12, 500)).toBe(200);
    // Stripe multiplies by the 12-decimal unit amount: 15 × 0.033333333333 = 0.4999… → 0.
    expect(overageAmountMinor(15, 1)).toBe(0);
    expect(overageAmountMinor(0, 500)).toBe(0);
    // The same arithmetic from the Price's own decimal string (a subscription's sold version).
    for (const [days, perMonth] of [
      [30, 500],
      [12, 500],
      [15, 1],
      [7, 1500],
      [31, 333],
    ] as const) {
      expect(meteredAmountMinor(days, overageUnitAmountDecimal(perMonth))).toBe(overageAmountMinor(days, perMonth));
    }
    expect(meteredAmountMinor(3, "0.5")).toBe(2); // 1.5 → 2 (half up)
    expect(meteredAmountMinor(2, "100")).toBe(200);
    expect(() => meteredAmountMinor(1, "1.0000000000001")).toThrow(RangeError);
    expect(() => meteredAmountMinor(1, "-1")).toThrow(RangeError);
  });

  it("nets MRR of lasting discounts only (ChartMogul): forever and running repeating coupons, not once", () => {
    const at = { currency: "USD", interval: "month", nowS: 1_000_000 };
    const coupon = (c: Partial<Parameters<typeof discountedMonthlyMinor>[1][number]>) => ({
      percentOff: null,
      amountOffMinor: null,
      currency: null,
      duration: "forever",
      endS: null,
      ...c,
    });
    expect(discountedMonthlyMinor(2900, [], at)).toBe(2900);
    expect(discountedMonthlyMinor(2900, [coupon({ percentOff: 25 })], at)).toBe(2175);
    expect(discountedMonthlyMinor(2900, [coupon({ percentOff: 25, duration: "once" })], at)).toBe(2900);
    expect(discountedMonthlyMinor(2900, [coupon({ percentOff: 25, duration: "repeating", endS: 2_000_000 })], at)).toBe(
      2175,
    );
    expect(discountedMonthlyMinor(2900, [coupon({ percentOff: 25, duration: "repeating", endS: 999_999 })], at)).toBe(
      2900,
    );
    expect(discountedMonthlyMinor(2900, [coupon({ amountOffMinor: 500, currency: "usd" })], at)).toBe(2400);
    expect(discountedMonthlyMinor(2900, [coupon({ amountOffMinor: 500, currency: "eur" })], at)).toBe(2900);
    // Yearly: 1200 off each yearly invoice is 100 a month; 12.5 % of 2417 = 302.125 → 2114.875 → 2115.
    expect(
      discountedMonthlyMinor(2417, [coupon({ amountOffMinor: 1200, currency: "USD" })], { ...at, interval: "year" }),
    ).toBe(2317);
    expect(discountedMonthlyMinor(2417, [coupon({ percentOff: 12.5 })], at)).toBe(2115);
    // In order, never below zero.
    expect(
      discountedMonthlyMinor(2900, [coupon({ percentOff: 10 }), coupon({ amountOffMinor: 500, currency: "USD" })], at),
    ).toBe(2110);
    expect(discountedMonthlyMinor(2900, [coupon({ amountOffMinor: 5000, currency: "USD" })], at)).toBe(0);
  });

  it("finds local days in the tenant's time zone, DST included", () => {
    expect(localDay(new Date("2026-03-08T05:30:00Z"), "America/Chicago")).toBe("2026-03-07");
    expect(startOfLocalDay("2026-03-08", "America/Chicago").toISOString()).toBe("2026-03-08T06:00:00.000Z");
    expect(startOfLocalDay("2026-03-09", "America/Chicago").toISOString()).toBe("2026-03-09T05:00:00.000Z");
    const days = completeDaysOfPeriod(
      new Date("2026-03-06T15:00:00Z"),
      new Date("2026-04-06T15:00:00Z"),
      new Date("2026-03-09T12:00:00Z"),
      "UTC",
    );
    expect(days).toEqual(["2026-03-06", "2026-03-07", "2026-03-08"]);
  });
});

describe("plans in Stripe", () => {
  it("creates the meter once, a product and licensed + metered prices, form-encoded with idempotency keys", async () => {
    const meterCreates = fake.requestsTo("/v1/billing/meters", "POST");
    expect(meterCreates).toHaveLength(1);
    expect(meterCreates[0]?.params).toMatchObject({
      event_name: "fleetcore_overage_vehicles",
      default_aggregation: { formula: "sum" },
      customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
      value_settings: { event_payload_key: "value" },
    });
    expect(meterCreates[0]?.rawBody).toContain("customer_mapping[event_payload_key]=stripe_customer_id");
    const plan = await testOwnerPrisma().bilBillingPlan.findUniqueOrThrow({ where: { id: starter.id } });
    const overage = fake.prices.get(plan.stripeOveragePriceId as string);
    expect(overage).toMatchObject({
      unit_amount_decimal: "16.666666666667",
      unit_amount: null,
      recurring: { usage_type: "metered", interval: "month" },
      lookup_key: `${plan.code}-v1-overage-month`,
      metadata: { fleetcore_plan_id: plan.id, fleetcore_price_role: "overage" },
    });
    expect(fake.prices.get(plan.stripeMonthlyPriceId as string)).toMatchObject({
      unit_amount: 2900,
      currency: "usd",
      recurring: { interval: "month", usage_type: "licensed" },
      lookup_key: `${plan.code}-v1-month`,
    });
    expect(fake.prices.get(plan.stripeYearlyPriceId as string)?.lookup_key).toBe(`${plan.code}-v1-year`);
    expect(fake.products.get(plan.stripeProductId as string)?.metadata).toMatchObject({ fleetcore_plan_id: plan.id });
    for (const r of fake.requests.filter((x) => x.method === "POST")) {
      expect(r.headers["idempotency-key"]).toMatch(/^fc-/);
      expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(r.headers["stripe-version"]).toBe("2026-10-28.endive");
    }
  });

  it("re-syncing links what exists; a price change bumps the version and creates new prices only", async () => {
    const before = fake.prices.size;
    const again = await syncPlanToStripe(asSystem, stripe, starter.id);
    expect(fake.prices.size).toBe(before);
    expect(again.syncedToStripe).toBe(true);
    const tag = unique();
    const plan = await asSystem((tx) =>
      createPlan(tx, {
        code: `bump-${tag}`,
        name: "Bump",
        currency: "EUR",
        monthlyPriceMinor: 1000,
        includedVehicles: 1,
        includedDrivers: 1,
        overagePerVehicleMinor: 300,
      }),
    );
    const v1 = await syncPlanToStripe(asSystem, stripe, plan.id);
    const { updatePlan } = await import("../src/index");
    const changed = await asSystem((tx) => updatePlan(tx, { id: plan.id, monthlyPriceMinor: 1200 }));
    expect(changed).toMatchObject({ version: 2, syncedToStripe: false, stripeMonthlyPriceId: null });
    const v2 = await syncPlanToStripe(asSystem, stripe, plan.id);
    expect(v2.stripeMonthlyPriceId).not.toBe(v1.stripeMonthlyPriceId);
    expect(v2.stripeProductId).toBe(v1.stripeProductId);
    expect(fake.prices.get(v2.stripeMonthlyPriceId as string)).toMatchObject({
      unit_amount: 1200,
      lookup_key: `bump-${tag}-v2-month`,
    });
    expect(fake.prices.get(v1.stripeMonthlyPriceId as string)?.unit_amount).toBe(1000);
  });

  it("refuses to store a version's prices when the plan's price changed while Stripe was answering", async () => {
    const plan = await asSystem((tx) =>
      createPlan(tx, {
        code: `race-${unique()}`,
        name: "Race",
        currency: "USD",
        monthlyPriceMinor: 1000,
        includedVehicles: 1,
        includedDrivers: 1,
        overagePerVehicleMinor: 300,
      }),
    );
    const { updatePlan } = await import("../src/index");
    let changed = false;
    fake.onRequest = async (r) => {
      if (changed || r.method !== "POST" || r.path !== "/v1/prices") return;
      changed = true;
      // Possible only because the sync holds no transaction (and no row lock) while Stripe answers.
      await asSystem((tx) => updatePlan(tx, { id: plan.id, monthlyPriceMinor: 1100 }));
    };
    try {
      await expect(syncPlanToStripe(asSystem, stripe, plan.id)).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringMatching(/changed while it was syncing: sync it again/),
      });
    } finally {
      fake.onRequest = null;
    }
    const stored = await testOwnerPrisma().bilBillingPlan.findUniqueOrThrow({ where: { id: plan.id } });
    expect(stored).toMatchObject({ version: 2, stripeMonthlyPriceId: null });
    const synced = await syncPlanToStripe(asSystem, stripe, plan.id);
    expect(fake.prices.get(synced.stripeMonthlyPriceId as string)).toMatchObject({
      unit_amount: 1100,
      metadata: { fleetcore_plan_version: "2" },
    });
  });
});

/**
 * The full lifecycle: checkout → subscription created (trialing) → active → invoice created,
 * finalized, paid → payment method attached → plan change → cancel at period end → deleted.
 * With `twice`, every event is delivered twice.
 */
async function lifecycle(twice: boolean) {
  const { tenantId } = await newTenant();
  const t0 = nowS() - 3600;
  const outcomes: string[] = [];
  const send = async (type: string, object: Json, at: number) => {
    const event = fake.event(type, object, { created: at });
    const first = await deliver(event);
    outcomes.push(first.outcome);
    expect(first.duplicate).toBe(false);
    if (twice) {
      const again = await deliver(event);
      expect(again).toMatchObject({ duplicate: true, outcome: first.outcome });
    }
    return first;
  };
  const { session, subscription } = await subscribe(tenantId, starter, { trialDays: 14 });
  // The session carries only the subscription's id: the handler retrieves it from Stripe.
  expect(typeof session.subscription).toBe("string");
  await send("checkout.session.completed", session, t0);
  let row = await subscriptionRow(tenantId);
  expect(row).toMatchObject({ status: "trialing", planId: starter.id, planVersion: 1, mrrMinor: 0, interval: "month" });
  expect(row.stripeBaseItemId).toBe(subscription.items.data[0].id);
  expect(row.stripeOverageItemId).toBe(subscription.items.data[1].id);
  expect(row.trialEnd).not.toBeNull();
  await send("customer.subscription.created", subscription, t0 + 1);

  const active = fake.patchSubscription(subscription.id, { status: "active", trial_end: t0 + 2 });
  await send("customer.subscription.updated", active, t0 + 2);
  row = await subscriptionRow(tenantId);
  expect(row).toMatchObject({ status: "active", mrrMinor: 2900, currency: "USD" });

  const invoiceId = `in_${unique()}${unique()}`;
  const lines = [{ kind: "base" as const }, { kind: "overage" as const, quantity: 12 }];
  await send(
    "invoice.created",
    fake.invoice(subscription.id, { id: invoiceId, status: "draft", lines, created: t0 + 3 }),
    t0 + 3,
  );
  await send(
    "invoice.finalized",
    fake.invoice(subscription.id, { id: invoiceId, status: "open", number: "FC-0001", lines, created: t0 + 3 }),
    t0 + 4,
  );
  await send(
    "invoice.paid",
    fake.invoice(subscription.id, { id: invoiceId, status: "paid", number: "FC-0001", lines, created: t0 + 3 }),
    t0 + 5,
  );
  const invoices = await asTenant(tenantId, (db) => listInvoices(db, tenantId));
  expect(invoices).toHaveLength(1);
  expect(invoices[0]).toMatchObject({
    number: "FC-0001",
    status: "paid",
    totalMinor: 3100,
    amountPaidMinor: 3100,
    currency: "USD",
  });
  expect(invoices[0]?.hostedInvoiceUrl).toMatch(/^https:\/\/invoice\.stripe\.com\//);
  expect(invoices[0]?.discountMinor).toBe(0);
  expect(invoices[0]?.lines.map((l) => [l.kind, l.amountMinor, l.quantity]).sort()).toEqual([
    ["base", 2900, 1],
    ["overage", 200, 12],
  ]);

  const customer = (await testOwnerPrisma().bilBillingAccount.findUniqueOrThrow({ where: { tenantId } }))
    .stripeCustomerId;
  await send(
    "payment_method.attached",
    fake.paymentMethod(customer, { brand: "mastercard", last4: "4444", expYear: 2031 }),
    t0 + 6,
  );
  const overview = await asTenant(tenantId, (db) => billingOverview(db, tenantId, { configured: true }));
  expect(overview.paymentMethod).toEqual({
    type: "card",
    brand: "mastercard",
    last4: "4444",
    expMonth: 12,
    expYear: 2031,
  });

  // Plan change: the preview and the update go to Stripe; the local row follows the webhook.
  const preview = await previewPlanChange(tenantTx(tenantId), stripe, tenantId, { planId: pro.id, interval: "month" });
  expect(preview.currency).toBe("USD");
  expect(preview.prorationMinor).toBeGreaterThan(0);
  expect(preview.lines.some((l) => l.amountMinor < 0)).toBe(true);
  const changed = await changePlan(tenantTx(tenantId), stripe, tenantId, {
    planId: pro.id,
    interval: "month",
    prorationDate: preview.prorationDate,
  });
  expect(changed.planId).toBe(pro.id);
  expect((await subscriptionRow(tenantId)).planId).toBe(starter.id);
  await send("customer.subscription.updated", fake.subscription(subscription.id), t0 + 7);
  row = await subscriptionRow(tenantId);
  expect(row).toMatchObject({ planId: pro.id, mrrMinor: 9900 });

  await setCancelAtPeriodEnd(tenantTx(tenantId), stripe, tenantId, true);
  await send("customer.subscription.updated", fake.subscription(subscription.id), t0 + 8);
  expect(await subscriptionRow(tenantId)).toMatchObject({ cancelAtPeriodEnd: true, mrrMinor: 9900, status: "active" });

  const ended = fake.patchSubscription(subscription.id, { status: "canceled", ended_at: t0 + 9 });
  await send("customer.subscription.deleted", ended, t0 + 9);
  row = await subscriptionRow(tenantId);
  expect(row).toMatchObject({ status: "canceled", mrrMinor: 0 });
  expect(row.endedAt?.getTime()).toBe((t0 + 9) * 1000);

  const mrr = await mrrRows(tenantId);
  expect(mrr.map((m) => [m.fromMrrMinor, m.toMrrMinor, m.currency])).toEqual([
    [0, 2900, "USD"],
    [2900, 9900, "USD"],
    [9900, 0, "USD"],
  ]);
  expect(mrr.map((m) => m.occurredAt.getTime() / 1000)).toEqual([t0 + 2, t0 + 7, t0 + 9]);
  expect(outcomes.every((o) => o === OUTCOME.applied)).toBe(true);
  const events = await testOwnerPrisma().bilStripeEvent.findMany({ where: { tenantId } });
  expect(events).toHaveLength(outcomes.length);
  expect(events.every((e) => e.processedAt !== null && e.outcome === OUTCOME.applied)).toBe(true);
  return { tenantId };
}

describe("subscription lifecycle by webhooks", () => {
  it("mirrors checkout → trial → active → invoices → payment method → plan change → cancellation, with MRR rows", async () => {
    await lifecycle(false);
  });

  it("keeps the prices a subscription was sold at after the plan's prices change (a new version)", async () => {
    const { updatePlan } = await import("../src/index");
    const plan = await asSystem((tx) =>
      createPlan(tx, {
        code: `sold-${unique()}`,
        name: "Sold",
        currency: "USD",
        monthlyPriceMinor: 2000,
        includedVehicles: 1,
        includedDrivers: 1,
        overagePerVehicleMinor: 600,
      }),
    );
    await syncPlanToStripe(asSystem, stripe, plan.id);
    const { tenantId } = await newTenant();
    const { session } = await subscribe(tenantId, plan);
    await deliver(fake.event("checkout.session.completed", session, { created: nowS() }));
    expect(await subscriptionRow(tenantId)).toMatchObject({
      planVersion: 1,
      baseAmountMinor: 2000,
      overageUnitAmountDecimal: "20",
    });
    // The list price goes up: version 2 with new Prices; this subscription keeps version 1's.
    await asSystem((tx) => updatePlan(tx, { id: plan.id, monthlyPriceMinor: 2500, overagePerVehicleMinor: 900 }));
    await syncPlanToStripe(asSystem, stripe, plan.id);
    const row = await subscriptionRow(tenantId);
    // Three complete days of the period with 4 overage vehicles each, reported: 12 vehicle-days.
    const start = row.currentPeriodStart as Date;
    for (let d = 0; d < 3; d++) {
      await testOwnerPrisma().bilTenantUsageMetric.create({
        data: {
          tenantId,
          day: new Date(`${new Date(start.getTime() + d * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`),
          activeVehicles: 5,
          activeDrivers: 0,
          positions: 0n,
          messages: 0,
          overageVehicles: 4,
          reportedAt: new Date(),
        },
      });
    }
    const now = new Date(start.getTime() + 3 * 86_400_000 + 60_000);
    const overview = await asTenant(tenantId, (db) => billingOverview(db, tenantId, { configured: true, now }));
    expect(overview.plan).toMatchObject({ version: 2, monthlyPriceMinor: 2500, overagePerVehicleMinor: 900 });
    expect(overview.subscription).toMatchObject({
      planVersion: 1,
      baseAmountMinor: 2000,
      overageUnitAmountDecimal: "20",
    });
    expect(overview.usage).toMatchObject({
      overageVehicleDays: 12,
      projectedOverageMinor: 240,
      projectedTotalMinor: 2240,
    });
    expect(overview.nextInvoice).toMatchObject({ amountDueMinor: 2240, currency: "USD" });

    // A row mirrored before the sold prices were stored, on an older version: unknown, not today's list price.
    await testOwnerPrisma().bilTenantSubscription.update({
      where: { id: row.id },
      data: { baseAmountMinor: null, overageUnitAmountDecimal: null },
    });
    const unknown = await asTenant(tenantId, (db) => billingOverview(db, tenantId, { configured: true, now }));
    expect(unknown.subscription).toMatchObject({
      planVersion: 1,
      baseAmountMinor: null,
      overageUnitAmountDecimal: null,
    });
    // The projection is then an estimate at the list prices (Stripe's preview is the exact figure).
    expect(unknown.usage).toMatchObject({ projectedOverageMinor: 360, projectedTotalMinor: 2860 });
  });

  it("applies every event once when each is delivered twice", async () => {
    const { tenantId } = await lifecycle(true);
    const lines = await testOwnerPrisma().bilTenantInvoiceLine.count({ where: { tenantId } });
    expect(lines).toBe(2);
  });

  it("previews the next invoice from Stripe: next period's plan price and the overage reported so far", async () => {
    const { tenantId } = await newTenant();
    expect(await upcomingInvoice(tenantTx(tenantId), stripe, tenantId)).toBeNull();
    const { session } = await subscribe(tenantId);
    await deliver(fake.event("checkout.session.completed", session, { created: nowS() }));
    const row = await subscriptionRow(tenantId);
    // 12 overage vehicle-days reported this period (what the usage job sends).
    await stripe.billing.meterEvents.create({
      event_name: "fleetcore_overage_vehicles",
      payload: { stripe_customer_id: row.stripeCustomerId, value: "12" },
      identifier: `preview-${tenantId}`,
    });
    const preview = await upcomingInvoice(tenantTx(tenantId), stripe, tenantId);
    expect(preview).toMatchObject({ amountDueMinor: 3100, subtotalMinor: 3100, discountMinor: 0, currency: "USD" });
    expect(preview?.date?.getTime()).toBe(row.currentPeriodEnd?.getTime());
    expect(preview?.lines.map((l) => l.amountMinor).sort((a, b) => a - b)).toEqual([200, 2900]);
    const request = fake.requestsTo("/v1/invoices/create_preview").at(-1);
    expect(request?.params).toEqual({ customer: row.stripeCustomerId, subscription: row.stripeSubscriptionId });
  });

  it("counts a lasting coupon in MRR (a contraction), read from the live subscription", async () => {
    const { tenantId } = await newTenant();
    const { session, subscription } = await subscribe(tenantId);
    const t0 = nowS() - 60;
    await deliver(fake.event("checkout.session.completed", session, { created: t0 }));
    const active = fake.patchSubscription(subscription.id, { status: "active" });
    await deliver(fake.event("customer.subscription.updated", active, { created: t0 + 1 }));
    expect((await subscriptionRow(tenantId)).mrrMinor).toBe(2900);
    // A 20 % forever coupon is applied in Stripe (the event's copy has the discount's id only; the
    // handler reads the live subscription with the coupon expanded).
    const discount = {
      id: `di_${unique()}`,
      object: "discount",
      customer: active.customer,
      end: null,
      source: {
        type: "coupon",
        coupon: {
          id: "SPRING20",
          object: "coupon",
          percent_off: 20,
          amount_off: null,
          currency: null,
          duration: "forever",
        },
      },
      start: t0 + 2,
      subscription: subscription.id,
    };
    const discounted = fake.patchSubscription(subscription.id, { discounts: [discount] });
    await deliver(
      fake.event("customer.subscription.updated", { ...discounted, discounts: [discount.id] }, { created: t0 + 2 }),
    );
    expect((await subscriptionRow(tenantId)).mrrMinor).toBe(2320);
    const changes = await testOwnerPrisma().bilMrrChange.findMany({
      where: { tenantId },
      orderBy: { occurredAt: "asc" },
    });
    expect(changes.map((c) => [c.fromMrrMinor, c.toMrrMinor])).toEqual([
      [0, 2900],
      [2900, 2320],
    ]);
    const retrieve = fake.requestsTo(`/v1/subscriptions/${subscription.id}`, "GET").at(-1);
    expect(retrieve?.params).toMatchObject({ expand: ["discounts.source.coupon"] });
  });

  it("keeps what a promotion code took off an invoice", async () => {
    const { tenantId } = await newTenant();
    const { session, subscription } = await subscribe(tenantId);
    const t0 = nowS() - 60;
    await deliver(fake.event("checkout.session.completed", session, { created: t0 }));
    // A 25 % coupon on the 2900 base + 200 overage.
    const invoice = fake.invoice(subscription.id, {
      status: "paid",
      number: "FC-PROMO",
      lines: [{ kind: "base" }, { kind: "overage", quantity: 12 }],
      discount: 775,
    });
    await deliver(fake.event("invoice.paid", invoice, { created: t0 + 1 }));
    const [stored] = await asTenant(tenantId, (db) => listInvoices(db, tenantId));
    expect(stored).toMatchObject({ number: "FC-PROMO", discountMinor: 775, totalMinor: 2325, amountPaidMinor: 2325 });
  });

  it("never regresses: an older subscription update or invoice.finalized after invoice.paid changes nothing", async () => {
    const { tenantId } = await newTenant();
    const { subscription } = await subscribe(tenantId, starter);
    const t = nowS() - 600;
    // Newer state first (active on Pro), then an older one (trialing on Starter) arrives late.
    const onStarter = fake.subscription(subscription.id);
    const proPrice = (await testOwnerPrisma().bilBillingPlan.findUniqueOrThrow({ where: { id: pro.id } }))
      .stripeMonthlyPriceId;
    fake.subscriptions.get(subscription.id).items.data[0].price = fake.prices.get(proPrice as string);
    const newer = fake.patchSubscription(subscription.id, { status: "active" });
    const older = structuredClone(onStarter);
    older.status = "trialing";
    expect((await deliver(fake.event("customer.subscription.updated", newer, { created: t + 100 }))).outcome).toBe(
      OUTCOME.applied,
    );
    const late = await deliver(fake.event("customer.subscription.updated", older, { created: t + 50 }));
    expect(late.outcome).toBe(OUTCOME.older);
    expect(await subscriptionRow(tenantId)).toMatchObject({ status: "active", planId: pro.id, mrrMinor: 9900 });

    // invoice.paid before invoice.finalized (later timestamp, and the same second): stays paid.
    const lines = [{ kind: "base" as const }];
    const id = `in_${unique()}${unique()}`;
    const paid = fake.invoice(subscription.id, { id, status: "paid", number: "FC-9", lines });
    const open = fake.invoice(subscription.id, { id, status: "open", number: "FC-9", lines });
    expect((await deliver(fake.event("invoice.paid", paid, { created: t + 200 }))).outcome).toBe(OUTCOME.applied);
    expect((await deliver(fake.event("invoice.finalized", open, { created: t + 150 }))).outcome).toBe(OUTCOME.older);
    expect((await deliver(fake.event("invoice.finalized", open, { created: t + 200 }))).outcome).toBe(OUTCOME.rank);
    const inv = await testOwnerPrisma().bilTenantInvoice.findUniqueOrThrow({ where: { stripeInvoiceId: id } });
    expect(inv.status).toBe("paid");

    // A canceled subscription never comes back; an unknown customer is recorded, not applied.
    const canceled = fake.patchSubscription(subscription.id, { status: "canceled", ended_at: t + 300 });
    await deliver(fake.event("customer.subscription.deleted", canceled, { created: t + 300 }));
    // Even if Stripe said so (it never does): the live subscription is read back as active.
    const revived = fake.patchSubscription(subscription.id, { status: "active" });
    expect((await deliver(fake.event("customer.subscription.updated", revived, { created: t + 400 }))).outcome).toBe(
      OUTCOME.ended,
    );
    const stranger = structuredClone(canceled);
    stranger.id = `sub_${unique()}`;
    stranger.customer = `cus_${unique()}`;
    expect((await deliver(fake.event("customer.subscription.updated", stranger))).outcome).toBe(
      OUTCOME.unknownCustomer,
    );
    expect((await deliver(fake.event("charge.succeeded", { id: "ch_1", object: "charge" }))).outcome).toBe(
      OUTCOME.unhandled,
    );
  });

  it("applies Stripe's live state for two subscription events of the same second, whatever their arrival order", async () => {
    const { tenantId } = await newTenant();
    const { subscription } = await subscribe(tenantId, starter);
    const t = nowS() - 60;
    // Within one second the owner schedules a cancellation and undoes it; the undo arrives first.
    const scheduled = fake.patchSubscription(subscription.id, { status: "active", cancel_at_period_end: true });
    const undone = fake.patchSubscription(subscription.id, { cancel_at_period_end: false });
    expect((await deliver(fake.event("customer.subscription.updated", undone, { created: t }))).outcome).toBe(
      OUTCOME.applied,
    );
    await deliver(fake.event("customer.subscription.updated", scheduled, { created: t }));
    expect(await subscriptionRow(tenantId)).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    const retrieved = fake.requestsTo(`/v1/subscriptions/${subscription.id}`, "GET");
    expect(retrieved.length).toBeGreaterThanOrEqual(2);

    // A redelivery is answered from bil_stripe_events without asking Stripe again.
    const event = fake.event("customer.subscription.updated", undone, { created: t + 1 });
    await deliver(event);
    const before = fake.requestsTo(`/v1/subscriptions/${subscription.id}`, "GET").length;
    expect((await deliver(event)).duplicate).toBe(true);
    expect(fake.requestsTo(`/v1/subscriptions/${subscription.id}`, "GET")).toHaveLength(before);
  });

  it("tells the owners about a failed payment even when a later invoice.updated arrived first", async () => {
    const owner = await newTenant();
    const { subscription } = await subscribe(owner.tenantId, starter);
    const t = nowS() - 600;
    await deliver(
      fake.event("customer.subscription.created", fake.patchSubscription(subscription.id, { status: "active" }), {
        created: t - 60,
      }),
    );
    const failed = fake.invoice(subscription.id, {
      status: "open",
      number: `FC-${unique()}`,
      lines: [{ kind: "base" }],
      attemptCount: 1,
      nextPaymentAttempt: t + 3 * DAY_S,
    });
    expect((await deliver(fake.event("invoice.updated", failed, { created: t + 5 }))).outcome).toBe(OUTCOME.applied);
    const late = await deliver(fake.event("invoice.payment_failed", failed, { created: t }));
    expect(late.outcome).toBe(OUTCOME.older);
    expect(late.notifications.map((n) => n.userId)).toEqual([owner.ownerId]);
    expect((await subscriptionRow(owner.tenantId)).pastDueSince?.getTime()).toBe(t * 1000);
    const note = await testOwnerPrisma().notification.findFirstOrThrow({
      where: { userId: owner.ownerId, kind: "billing.payment_failed" },
    });
    expect(note.body).toContain("We could not collect $29.00 for invoice");

    // Once the stored invoice is paid, a late failure notice changes nothing.
    const paid = structuredClone(failed);
    Object.assign(paid, { status: "paid", amount_paid: paid.amount_due, amount_remaining: 0 });
    await deliver(fake.event("invoice.paid", paid, { created: t + 10 }));
    const stale = await deliver(fake.event("invoice.payment_failed", failed, { created: t + 1 }));
    expect(stale.notifications).toEqual([]);
  });
});

describe("dunning", () => {
  async function pastDue(daysAgo: number) {
    const owner = await newTenant();
    const { subscription } = await subscribe(owner.tenantId, starter);
    const t = nowS() - daysAgo * DAY_S;
    await deliver(
      fake.event("customer.subscription.created", fake.patchSubscription(subscription.id, { status: "active" }), {
        created: t - 60,
      }),
    );
    const failed = fake.invoice(subscription.id, {
      status: "open",
      number: `FC-${unique()}`,
      lines: [{ kind: "base" }],
      attemptCount: 1,
      nextPaymentAttempt: t + 3 * DAY_S,
    });
    const r = await deliver(fake.event("invoice.payment_failed", failed, { created: t }));
    expect(r.notifications.map((n) => n.userId)).toEqual([owner.ownerId]);
    await deliver(
      fake.event("customer.subscription.updated", fake.patchSubscription(subscription.id, { status: "past_due" }), {
        created: t + 1,
      }),
    );
    return { ...owner, subscription, failed, t };
  }

  it("payment_failed → past_due and the owner told → suspended after the grace period → paid → active again", async () => {
    await testOwnerPrisma().bilSettings.update({ where: { id: 1 }, data: { dunningGraceDays: 3 } });
    const d = await pastDue(4);
    const row = await subscriptionRow(d.tenantId);
    expect(row).toMatchObject({ status: "past_due" });
    expect(row.pastDueSince?.getTime()).toBe(d.t * 1000);
    const note = await testOwnerPrisma().notification.findFirstOrThrow({
      where: { userId: d.ownerId, kind: "billing.payment_failed" },
    });
    expect(note.body).toContain(d.failed.hosted_invoice_url);
    const mail = await testOwnerPrisma().emailOutbox.findFirstOrThrow({ where: { toEmail: d.ownerEmail } });
    expect(mail.subject).toBe("Payment failed for your Fleetcore subscription");

    // Before the grace period ends nothing happens; after, the tenant is suspended through its lifecycle.
    expect((await runDunning(testPrisma(), new Date((d.t + 2 * DAY_S) * 1000), { email })).suspended).not.toContain(
      d.tenantId,
    );
    const run = await runDunning(testPrisma(), new Date(), { email });
    expect(run.suspended).toContain(d.tenantId);
    expect((await runDunning(testPrisma(), new Date(), { email })).suspended).not.toContain(d.tenantId);
    const owner = testOwnerPrisma();
    expect((await owner.tenant.findUniqueOrThrow({ where: { id: d.tenantId } })).status).toBe("suspended");
    const suspension = await owner.tenantLifecycleEvent.findFirstOrThrow({
      where: { tenantId: d.tenantId, eventType: "suspended" },
    });
    expect(suspension).toMatchObject({
      reason: DUNNING_SUSPENSION_REASON,
      fromStatus: "active",
      toStatus: "suspended",
    });

    const paid = structuredClone(d.failed);
    Object.assign(paid, { status: "paid", amount_paid: paid.amount_due, amount_remaining: 0 });
    await deliver(fake.event("invoice.paid", paid));
    expect((await owner.tenant.findUniqueOrThrow({ where: { id: d.tenantId } })).status).toBe("active");
    expect((await subscriptionRow(d.tenantId)).pastDueSince).toBeNull();
    const back = await owner.tenantLifecycleEvent.findFirstOrThrow({
      where: { tenantId: d.tenantId, eventType: "reactivated" },
    });
    expect(back.reason).toBe("payment received");
    await deliver(
      fake.event("customer.subscription.updated", fake.patchSubscription(d.subscription.id, { status: "active" })),
    );
    expect((await subscriptionRow(d.tenantId)).status).toBe("active");
    // MRR kept counting while past due.
    expect((await mrrRows(d.tenantId)).map((m) => m.toMrrMinor)).toEqual([2900]);
  });

  it("a payment does not reactivate a tenant an admin suspended for another reason", async () => {
    const d = await pastDue(1);
    await asSystem((tx) =>
      changeTenantStatus(tx, { tenantId: d.tenantId, status: "suspended", reason: "terms of service violation" }),
    );
    const paid = structuredClone(d.failed);
    paid.status = "paid";
    await deliver(fake.event("invoice.paid", paid));
    await deliver(
      fake.event("customer.subscription.updated", fake.patchSubscription(d.subscription.id, { status: "active" })),
    );
    expect((await subscriptionRow(d.tenantId)).pastDueSince).toBeNull();
    expect((await testOwnerPrisma().tenant.findUniqueOrThrow({ where: { id: d.tenantId } })).status).toBe("suspended");
  });
});

describe("usage", () => {
  // A fixed clock (Stripe's too): 2026-11-12 11:00 in Chicago (CST, UTC−6); the subscription's period
  // began three days earlier, so the complete local days are these three.
  const NOW = new Date("2026-11-12T17:00:00Z");
  const DAYS = ["2026-11-09", "2026-11-10", "2026-11-11"];
  let offsetS = 0;
  beforeAll(() => {
    offsetS = Math.floor(NOW.getTime() / 1000) - fake.nowS();
    fake.advance(offsetS);
  });
  afterAll(() => fake.advance(-offsetS));

  /** Local 00:30 and 23:30 of `day` in Chicago (UTC−6 in November), as UTC instants. */
  const earlyAndLate = (day: string) => [
    new Date(`${day}T06:30:00Z`),
    new Date(Date.parse(`${day}T06:30:00Z`) + 23 * 3600_000),
  ];

  /** Two positions (local 00:30 and 23:30) of a new vehicle on each of `days`. */
  async function addVehicle(tenantId: string, days: string[], name: string) {
    const db = testOwnerPrisma();
    const vehicle = await db.vehicle.create({ data: { tenantId, name } });
    const device = await db.device.create({
      data: { tenantId, uniqueId: `u-${unique()}${unique()}`, name: "tracker", vehicleId: vehicle.id },
    });
    await db.position.createMany({
      data: days.flatMap((day) =>
        earlyAndLate(day).map((time) => ({
          time,
          tenantId,
          deviceId: device.id,
          vehicleId: vehicle.id,
          latitude: 41.88,
          longitude: -87.63,
        })),
      ),
    });
    return vehicle;
  }

  /** A subscribed tenant in Chicago whose period began 3 days before NOW, with vehicles active per local day. */
  async function usageTenant(activePerDay: number[]) {
    const { tenantId } = await newTenant({ timezone: "America/Chicago" });
    const start = Math.floor(NOW.getTime() / 1000) - 3 * DAY_S;
    const { subscription } = await subscribe(tenantId, starter, { start });
    await deliver(fake.event("customer.subscription.created", subscription));
    const db = testOwnerPrisma();
    // The local row appears with the first webhook, at the subscription's start.
    await db.bilTenantSubscription.updateMany({ where: { tenantId }, data: { createdAt: new Date(start * 1000) } });
    const driver = await db.driver.create({ data: { tenantId, firstName: "Dana", lastName: "Driver" } });
    const talker = await db.driver.create({ data: { tenantId, firstName: "Tal", lastName: "Ker" } });
    const vehicles = [];
    for (let v = 0; v < Math.max(...activePerDay); v++) {
      vehicles.push(
        await addVehicle(
          tenantId,
          DAYS.filter((_, i) => (activePerDay[i] ?? 0) > v),
          `V${v}`,
        ),
      );
    }
    // Dana drives V0 all the time; Tal writes a message on the last complete day (09:00 local).
    await db.vehicleAssignment.create({
      data: {
        tenantId,
        vehicleId: vehicles[0]?.id as string,
        driverId: driver.id,
        startAt: new Date(start * 1000 - 10 * DAY_S * 1000),
      },
    });
    const conversation = await db.conversation.create({ data: { tenantId, driverId: talker.id } });
    await db.message.create({
      data: {
        time: new Date("2026-11-11T15:00:00Z"),
        tenantId,
        conversationId: conversation.id,
        driverId: talker.id,
        direction: "inbound",
        channel: "local",
        status: "received",
        body: "running late",
      },
    });
    return { tenantId, subscription, customer: subscription.customer as string };
  }

  const mineAccepted = (tenantId: string) =>
    fake.acceptedMeterEvents.filter((e) => e.identifier.startsWith(`fc-usage-${tenantId}-`));

  it("computes daily usage from positions, assignments and messages in the tenant's time zone", async () => {
    const u = await usageTenant([7, 3, 6]);
    // Local 23:30 is 05:30 UTC the next day: a UTC day would mix two local days.
    const row = await computeDailyUsage(testPrisma(), u.tenantId, "2026-11-11");
    expect(row).toMatchObject({ day: "2026-11-11", positions: 12, messages: 1, overageVehicles: 1, reportedAt: null });
    expect(row.activeVehicles).toBe(6);
    expect(row.activeDrivers).toBe(2); // Dana (assigned to a reporting vehicle) + Tal (wrote)
    const first = await computeDailyUsage(testPrisma(), u.tenantId, "2026-11-09");
    expect(first).toMatchObject({
      activeVehicles: 7,
      positions: 14,
      overageVehicles: 2,
      activeDrivers: 1,
      messages: 0,
    });
    const today = await computeDailyUsage(testPrisma(), u.tenantId, "2026-11-12");
    expect(today).toMatchObject({ activeVehicles: 0, positions: 0, messages: 0 });
  });

  it("reports one meter event per tenant-day, once, and projects the period like Stripe", async () => {
    const u = await usageTenant([7, 3, 6]);
    const first = await reportUsage(testPrisma(), stripe, NOW, { tenantIds: [u.tenantId] });
    expect(first).toMatchObject({ tenants: 1, daysComputed: 3, eventsSent: 3, failures: [] });
    const again = await reportUsage(testPrisma(), stripe, NOW, { tenantIds: [u.tenantId] });
    expect(again.eventsSent).toBe(0);
    const mine = mineAccepted(u.tenantId);
    expect(mine.map((e) => [e.identifier, e.payload.value, e.timestamp]).sort()).toEqual([
      // The period's first, split day starts at the period's start (11:00 local), the others at local midnight.
      [`fc-usage-${u.tenantId}-2026-11-09`, "2", Date.parse("2026-11-09T17:00:00Z") / 1000],
      [`fc-usage-${u.tenantId}-2026-11-10`, "0", Date.parse("2026-11-10T06:00:00Z") / 1000],
      [`fc-usage-${u.tenantId}-2026-11-11`, "1", Date.parse("2026-11-11T06:00:00Z") / 1000],
    ]);
    expect(
      mine.every((e) => e.payload.stripe_customer_id === u.customer && e.event_name === "fleetcore_overage_vehicles"),
    ).toBe(true);
    const sent = fake.requestsTo("/v1/billing/meter_events").filter((r) => r.params.identifier?.includes(u.tenantId));
    expect(sent).toHaveLength(3);
    for (const r of sent) expect(r.headers["idempotency-key"]).toBe(r.params.identifier);
    expect(fake.duplicateMeterEvents).toHaveLength(0);

    const overview = await asTenant(u.tenantId, (db) =>
      billingOverview(db, u.tenantId, { configured: true, now: NOW }),
    );
    // 2 + 0 + 1 vehicle-days so far (today has no positions) at 500/30 per vehicle-day.
    expect(overview.usage).toMatchObject({
      overageVehicleDays: 3,
      projectedOverageMinor: 50,
      projectedTotalMinor: 2950,
      includedVehicles: 5,
      currency: "USD",
    });
    expect(overview.nextInvoice).toMatchObject({ amountDueMinor: 2950, currency: "USD" });
  });

  it("stays exactly-once across a network failure after Stripe accepted the event", async () => {
    const u = await usageTenant([6, 6, 6]);
    // The SDK retries with the same idempotency key: Stripe's first answer is replayed.
    fake.failNext("POST", "/v1/billing/meter_events");
    const retried = await reportUsage(testPrisma(), stripe, NOW, { tenantIds: [u.tenantId] });
    expect(retried).toMatchObject({ eventsSent: 3, failures: [] });
    expect(
      fake
        .requestsTo("/v1/billing/meter_events")
        .filter((r) => r.replayed && r.params.identifier?.includes(u.tenantId)),
    ).toHaveLength(1);

    // Without retries the run fails after Stripe accepted; the next run resends the same key.
    const v = await usageTenant([6, 6, 6]);
    fake.failNext("POST", "/v1/billing/meter_events", { times: 2 }); // the SDK retries a closed connection once anyway
    const failed = await reportUsage(testPrisma(), fake.client({ maxNetworkRetries: 0 }), NOW, {
      tenantIds: [v.tenantId],
    });
    expect(failed.eventsSent).toBe(0);
    expect(failed.failures).toHaveLength(1);
    const unreported = await testOwnerPrisma().bilTenantUsageMetric.count({
      where: { tenantId: v.tenantId, reportedAt: null },
    });
    expect(unreported).toBe(1);
    const next = await reportUsage(testPrisma(), stripe, NOW, { tenantIds: [v.tenantId] });
    expect(next).toMatchObject({ eventsSent: 3, failures: [] });
    for (const t of [u, v]) expect(mineAccepted(t.tenantId)).toHaveLength(3);
    expect(fake.duplicateMeterEvents).toHaveLength(0);
  });

  it("resends the frozen value after a dropped answer, even when positions arrived late", async () => {
    const u = await usageTenant([6, 6, 6]);
    fake.failNext("POST", "/v1/billing/meter_events", { times: 2 });
    const failed = await reportUsage(testPrisma(), fake.client({ maxNetworkRetries: 0 }), NOW, {
      tenantIds: [u.tenantId],
    });
    expect(failed).toMatchObject({ eventsSent: 0, daysComputed: 1 });
    expect(mineAccepted(u.tenantId).map((e) => e.payload.value)).toEqual(["1"]); // Stripe has it
    // A late position on the frozen day (a seventh vehicle), then the next hourly run.
    await addVehicle(u.tenantId, ["2026-11-09"], "late");
    fake.advance(3600);
    const later = new Date(NOW.getTime() + 3600_000);
    try {
      const next = await reportUsage(testPrisma(), stripe, later, { tenantIds: [u.tenantId] });
      expect(next).toMatchObject({ eventsSent: 3, failures: [] });
      const mine = fake.requestsTo("/v1/billing/meter_events").filter((r) => r.params.identifier?.includes(u.tenantId));
      expect(mine.filter((r) => r.status === 400)).toEqual([]);
      const accepted = mineAccepted(u.tenantId);
      expect(accepted.map((e) => [e.identifier, e.payload.value])).toEqual([
        [`fc-usage-${u.tenantId}-2026-11-09`, "1"],
        [`fc-usage-${u.tenantId}-2026-11-10`, "1"],
        [`fc-usage-${u.tenantId}-2026-11-11`, "1"],
      ]);
      const stored = await testOwnerPrisma().bilTenantUsageMetric.findUniqueOrThrow({
        where: { tenantId_day: { tenantId: u.tenantId, day: new Date("2026-11-09T00:00:00Z") } },
      });
      expect(stored).toMatchObject({ activeVehicles: 6, overageVehicles: 1 });
      // A day later (keys and identifiers expired at Stripe) nothing is sent again.
      fake.advance(DAY_S);
      const dayAfter = await reportUsage(testPrisma(), stripe, new Date(later.getTime() + DAY_S * 1000), {
        tenantIds: [u.tenantId],
      });
      expect(dayAfter.failures).toEqual([]);
      expect(mineAccepted(u.tenantId).filter((e) => e.identifier.endsWith("2026-11-09"))).toHaveLength(1);
    } finally {
      fake.advance(-3600 - DAY_S);
    }
  });

  it("still reports the previous period's last day when the period renewed since the last run", async () => {
    const u = await usageTenant([6, 6, 6]);
    const dayBefore = new Date(NOW.getTime() - DAY_S * 1000);
    expect(await reportUsage(testPrisma(), stripe, dayBefore, { tenantIds: [u.tenantId] })).toMatchObject({
      eventsSent: 2,
      failures: [],
    });
    // The period renews at local midnight + 1 s of 2026-11-12 and the webhook arrives before the next run.
    const renewedAt = Date.parse("2026-11-12T06:00:01Z") / 1000;
    for (const item of fake.subscriptions.get(u.subscription.id).items.data) {
      item.current_period_start = renewedAt;
      item.current_period_end = renewedAt + 30 * DAY_S;
    }
    await deliver(fake.event("customer.subscription.updated", fake.subscription(u.subscription.id)));
    expect((await subscriptionRow(u.tenantId)).currentPeriodStart?.getTime()).toBe(renewedAt * 1000);

    expect(await reportUsage(testPrisma(), stripe, NOW, { tenantIds: [u.tenantId] })).toMatchObject({
      eventsSent: 1,
      failures: [],
    });
    const last = mineAccepted(u.tenantId).find((e) => e.identifier.endsWith("2026-11-11"));
    expect(last).toMatchObject({ payload: { value: "1" }, timestamp: Date.parse("2026-11-11T06:00:00Z") / 1000 });
  });

  it("skips, with a failure, days older than Stripe's 35-day window and reports the later ones", async () => {
    const u = await usageTenant([6, 6, 6]);
    // The reporter was down for five weeks: at 2026-12-14 18:00 UTC the period's first day
    // (timestamp 2026-11-09 17:00 UTC) is just out of Stripe's window, 2026-11-10 06:00 UTC still in.
    const late = new Date("2026-12-14T18:00:00Z");
    fake.advance(32 * DAY_S + 3600);
    try {
      const run = await reportUsage(testPrisma(), stripe, late, { tenantIds: [u.tenantId] });
      expect(run.failures).toEqual([
        {
          tenantId: u.tenantId,
          message: "2026-11-09 is older than Stripe's 35-day window for meter events: not reported",
        },
      ]);
      // 2026-11-10 … 2026-12-08: the day split by the period's end (2026-12-09 11:00 local) waits for the renewal.
      expect(run.eventsSent).toBe(29);
      const days = mineAccepted(u.tenantId).map((e) => e.identifier.slice(-10));
      expect([days[0], days[1], days.at(-1), days.length]).toEqual(["2026-11-10", "2026-11-11", "2026-12-08", 29]);
    } finally {
      fake.advance(-32 * DAY_S - 3600);
    }
  });
});
