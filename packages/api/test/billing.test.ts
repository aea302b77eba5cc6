/**
 * The `billing` and `billingAdmin` routers through the real context (sessions, roles, row-level
 * security) against the test database and a local server speaking Stripe's wire format: who may
 * read and change billing, what a tenant sees, billing "not configured", and the exact form-encoded
 * requests Checkout and the Customer Portal send.
 */
import { randomUUID } from "node:crypto";
import {
  AuditTrail,
  type BillingServices,
  changeTenantStatus,
  DUNNING_SUSPENSION_REASON,
  reactivateIfSuspendedForPayment,
  systemActor,
  validateSessionToken,
} from "@fleetcore/core";
import { disconnectAll, getPrisma, type PrismaClient, withScope } from "@fleetcore/db";
import { testDatabaseUrl, testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeStripe } from "../../core/test/stripe-fake";
import { createCaller, createContextInner } from "../src/index";
import { createTenantWithMembers, createWorld, signIn, trpcCode, trpcError, type World } from "./fixtures";

let fake: FakeStripe;
let world: World;
let configured: BillingServices;
const off: BillingServices = { stripe: null, webhookSecret: null };

/** A caller for `email`'s session with the given billing services (and Prisma client). */
async function as(email: string, billing: BillingServices = configured, prisma: PrismaClient = testPrisma()) {
  const { token } = await signIn(email);
  const validated = await validateSessionToken(testPrisma(), token as string);
  return createCaller(
    createContextInner({
      prisma,
      session: validated?.session ?? null,
      services: { billing, publicUrl: "https://fleet.test" },
    }),
  );
}

let planId: string;
let privatePlanId: string;

beforeAll(async () => {
  fake = await FakeStripe.start();
  configured = { stripe: fake.client(), webhookSecret: fake.webhookSecret };
  // One bil_settings row per database: the meter must live in this file's fake.
  await testOwnerPrisma().bilSettings.update({ where: { id: 1 }, data: { stripeMeterId: null } });
  world = await createWorld();
  const admin = await as(world.users.providerAdmin.email);
  const tag = world.tag;
  const plan = await admin.billingAdmin.plans.create({
    code: `api-starter-${tag}`,
    name: "Fleet Starter",
    currency: "usd",
    monthlyPriceMinor: 2900,
    yearlyPriceMinor: 29000,
    includedVehicles: 5,
    includedDrivers: 10,
    overagePerVehicleMinor: 500,
    features: { whatsapp: true },
  });
  planId = plan.id;
  expect(plan).toMatchObject({ currency: "USD", version: 1, syncedToStripe: false, available: false });
  const synced = await admin.billingAdmin.plans.syncToStripe({ id: planId });
  expect(synced).toMatchObject({ syncedToStripe: true, available: true });
  const hidden = await admin.billingAdmin.plans.create({
    code: `api-private-${tag}`,
    name: "Private",
    currency: "USD",
    monthlyPriceMinor: 100,
    includedVehicles: 1,
    includedDrivers: 1,
    overagePerVehicleMinor: 100,
    isPublic: false,
  });
  privatePlanId = hidden.id;
});

afterAll(async () => {
  await fake.close();
  await disconnectAll();
});

describe("billing not configured", () => {
  it("answers configured:false and refuses Stripe actions with a clear message", async () => {
    const owner = await as(world.users.ownerA.email, off);
    expect(await owner.billing.overview()).toEqual({
      configured: false,
      plan: null,
      subscription: null,
      usage: null,
      nextInvoice: null,
      paymentMethod: null,
    });
    const err = await trpcError(
      owner.billing.startCheckout({ planId, interval: "month", clientRequestId: randomUUID() }),
    );
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/Billing is not configured/);
    expect(await trpcCode(owner.billing.openPortal())).toBe("PRECONDITION_FAILED");
    expect(await trpcCode(owner.billing.upcomingInvoice())).toBe("PRECONDITION_FAILED");
    const admin = await as(world.users.providerAdmin.email, off);
    expect(await admin.billingAdmin.settings.get()).toMatchObject({ configured: false, webhooksConfigured: false });
    expect(await trpcCode(admin.billingAdmin.usage.reportNow())).toBe("PRECONDITION_FAILED");
  });
});

describe("billing access", () => {
  it("lets the owner start checkout and open the portal; admins read; viewers and dispatchers may not", async () => {
    const viewer = await as(world.users.viewerA.email);
    const dispatcher = await as(world.users.dispatcherA.email);
    const admin = await as(world.users.adminA.email);
    const owner = await as(world.users.ownerA.email);
    for (const c of [viewer, dispatcher, admin]) {
      expect(
        await trpcCode(c.billing.startCheckout({ planId, interval: "month", clientRequestId: randomUUID() })),
      ).toBe("FORBIDDEN");
      expect(await trpcCode(c.billing.openPortal())).toBe("FORBIDDEN");
      expect(await trpcCode(c.billing.setCancelAtPeriodEnd({ cancel: true }))).toBe("FORBIDDEN");
    }
    expect(await trpcCode(viewer.billing.overview())).toBe("FORBIDDEN");
    expect(await trpcCode(viewer.billing.upcomingInvoice())).toBe("FORBIDDEN");
    expect(await admin.billing.upcomingInvoice()).toBeNull();
    expect(await admin.billing.overview()).toMatchObject({ configured: true, subscription: null });
    expect((await admin.billing.plans()).map((p) => p.id)).toContain(planId);
    expect((await admin.billing.plans()).map((p) => p.id)).not.toContain(privatePlanId);

    const before = fake.requests.length;
    const clickId = randomUUID();
    const { url } = await owner.billing.startCheckout({ planId, interval: "month", clientRequestId: clickId });
    expect(url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    const posted = fake.requests.slice(before);
    const customerCreate = posted.find((r) => r.path === "/v1/customers");
    expect(customerCreate?.params).toMatchObject({
      name: world.a.tenant.name,
      email: world.users.ownerA.email,
      metadata: { fleetcore_tenant_id: world.a.tenant.id },
    });
    const checkout = posted.find((r) => r.path === "/v1/checkout/sessions");
    const plan = await testOwnerPrisma().bilBillingPlan.findUniqueOrThrow({ where: { id: planId } });
    expect(checkout?.rawBody).toContain(`line_items[0][price]=${plan.stripeMonthlyPriceId}`);
    expect(checkout?.rawBody).toContain("line_items[0][quantity]=1");
    expect(checkout?.rawBody).toContain(`line_items[1][price]=${plan.stripeOveragePriceId}`);
    expect(checkout?.rawBody).not.toContain("line_items[1][quantity]");
    expect(checkout?.params).toMatchObject({
      mode: "subscription",
      allow_promotion_codes: "true",
      customer: customerCreate ? expect.stringMatching(/^cus_/) : undefined,
      client_reference_id: world.a.tenant.id,
      subscription_data: { metadata: { fleetcore_tenant_id: world.a.tenant.id, fleetcore_plan_id: planId } },
      success_url: "https://fleet.test/billing?checkout=success",
      cancel_url: "https://fleet.test/billing?checkout=cancel",
    });
    expect(checkout?.headers["stripe-version"]).toBe("2026-10-28.endive");
    expect(checkout?.headers["idempotency-key"]).toMatch(/^fc-checkout-[0-9a-f]{32}$/);
    expect(checkout?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);

    // A double click (the same request id) opens the same session (idempotency key replayed).
    const again = await owner.billing.startCheckout({ planId, interval: "month", clientRequestId: clickId });
    expect(again.url).toBe(url);
    expect(fake.checkoutSessions.size).toBe(1);
    expect(fake.requestsTo("/v1/checkout/sessions").at(-1)?.replayed).toBe(true);
    // A new choice on the page (a new id) opens a new session, however soon.
    const other = await owner.billing.startCheckout({ planId, interval: "month", clientRequestId: randomUUID() });
    expect(other.url).not.toBe(url);
    expect(fake.checkoutSessions.size).toBe(2);

    const portal = await owner.billing.openPortal();
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\//);
    const portalRequest = fake.requestsTo("/v1/billing_portal/sessions").at(-1);
    expect(portalRequest?.params).toMatchObject({ return_url: "https://fleet.test/billing" });
    // One Stripe Customer per tenant.
    expect(fake.requestsTo("/v1/customers", "POST").filter((r) => !r.replayed)).toHaveLength(1);
    const account = await testOwnerPrisma().bilBillingAccount.findUniqueOrThrow({
      where: { tenantId: world.a.tenant.id },
    });
    expect(portalRequest?.params.customer).toBe(account.stripeCustomerId);

    const audit = await testOwnerPrisma().auditLog.findMany({
      where: { tenantId: world.a.tenant.id, action: { startsWith: "billing." } },
    });
    expect(audit.map((a) => a.action).sort()).toEqual([
      "billing.checkout_started",
      "billing.checkout_started",
      "billing.checkout_started",
      "billing.portal_opened",
    ]);

    expect(
      await trpcCode(
        owner.billing.startCheckout({ planId: privatePlanId, interval: "month", clientRequestId: randomUUID() }),
      ),
    ).toBe("NOT_FOUND");
    expect(
      await trpcCode(
        owner.billing.startCheckout({ planId, interval: "week" as "month", clientRequestId: randomUUID() }),
      ),
    ).toBe("BAD_REQUEST");
    expect(await trpcCode(owner.billing.previewChange({ planId, interval: "month" }))).toBe("NOT_FOUND");
  });

  it("never shows another tenant's billing rows", async () => {
    const db = testOwnerPrisma();
    const b = world.b.tenant.id;
    await db.bilBillingAccount.upsert({
      where: { tenantId: b },
      create: { tenantId: b, stripeCustomerId: `cus_b_${world.tag}` },
      update: {},
    });
    await db.bilTenantSubscription.create({
      data: {
        tenantId: b,
        planId,
        status: "active",
        currency: "USD",
        mrrMinor: 2900,
        stripeCustomerId: `cus_b_${world.tag}`,
        stripeSubscriptionId: `sub_b_${world.tag}`,
        currentPeriodStart: new Date(Date.now() - 86_400_000),
        currentPeriodEnd: new Date(Date.now() + 29 * 86_400_000),
      },
    });
    await db.bilTenantInvoice.create({
      data: {
        tenantId: b,
        stripeInvoiceId: `in_b_${world.tag}`,
        status: "paid",
        currency: "USD",
        subtotalMinor: 2900,
        totalMinor: 2900,
        amountDueMinor: 2900,
        issuedAt: new Date(),
      },
    });
    await db.bilPaymentMethod.create({
      data: { tenantId: b, stripePaymentMethodId: `pm_b_${world.tag}`, type: "card", brand: "visa", last4: "1111" },
    });
    const ownerA = await as(world.users.ownerA.email);
    expect(await ownerA.billing.invoices()).toEqual([]);
    expect(await ownerA.billing.overview()).toMatchObject({ subscription: null, paymentMethod: null });
    expect(await ownerA.billing.usage()).toEqual([]);
    const ownerB = await as(world.users.ownerB.email);
    expect((await ownerB.billing.invoices()).map((i) => i.totalMinor)).toEqual([2900]);
    expect(await ownerB.billing.overview()).toMatchObject({
      subscription: { status: "active", mrrMinor: 2900 },
      paymentMethod: { brand: "visa", last4: "1111" },
      nextInvoice: { amountDueMinor: 2900, currency: "USD" },
    });
  });
});

describe("billingAdmin access", () => {
  it("is staff-only; analysts read, admins change", async () => {
    for (const email of [world.users.ownerA.email, world.users.adminA.email, world.users.viewerA.email]) {
      const tenantUser = await as(email);
      expect(await trpcCode(tenantUser.billingAdmin.plans.list())).toBe("FORBIDDEN");
      expect(await trpcCode(tenantUser.billingAdmin.subscriptions.list())).toBe("FORBIDDEN");
      expect(await trpcCode(tenantUser.billingAdmin.settings.update({ dunningGraceDays: 1 }))).toBe("FORBIDDEN");
    }
    const analyst = await as(world.users.providerAnalyst.email);
    expect((await analyst.billingAdmin.plans.list()).map((p) => p.id)).toContain(planId);
    expect(await trpcCode(analyst.billingAdmin.plans.archive({ id: planId }))).toBe("FORBIDDEN");
    expect(await trpcCode(analyst.billingAdmin.settings.update({ dunningGraceDays: 7 }))).toBe("FORBIDDEN");
    const admin = await as(world.users.providerAdmin.email);
    const rows = await admin.billingAdmin.subscriptions.list({ status: "active" });
    expect(rows.find((r) => r.tenantId === world.b.tenant.id)).toMatchObject({
      tenantName: world.b.tenant.name,
      planName: "Fleet Starter",
      mrrMinor: 2900,
      currency: "USD",
    });
    const settings = await admin.billingAdmin.settings.update({ dunningGraceDays: 10 });
    expect(settings).toMatchObject({ dunningGraceDays: 10, configured: true, webhooksConfigured: true });
    expect(await trpcCode(admin.billingAdmin.settings.update({ dunningGraceDays: 365 }))).toBe("BAD_REQUEST");
    expect(
      await trpcCode(
        admin.billingAdmin.plans.create({
          code: `api-starter-${world.tag}`,
          name: "Dup",
          currency: "USD",
          monthlyPriceMinor: 1,
          includedVehicles: 1,
          includedDrivers: 1,
          overagePerVehicleMinor: 1,
        }),
      ),
    ).toBe("CONFLICT");
    const updated = await admin.billingAdmin.plans.update({ id: planId, overagePerVehicleMinor: 600 });
    expect(updated).toMatchObject({ version: 2, syncedToStripe: false, activeSubscriptions: 1 });
  });
});

describe("Stripe calls hold no database transaction", () => {
  it("leaves the only pooled connection free while Stripe answers checkout, portal, plan sync and usage", async () => {
    // A client whose pool has one connection: if a procedure held a transaction across a Stripe
    // call, a query made while Stripe is answering would wait for that connection.
    const url = new URL(testDatabaseUrl());
    url.searchParams.set("application_name", "fleetcore-one-connection");
    const onePrisma = getPrisma(url.toString(), { maxConnections: 1 });
    // A free connection answers at once; "held" only after `waitMs` without one (generous: a loaded CI).
    const probe = async (waitMs = 5000): Promise<"free" | "held"> => {
      let timer: NodeJS.Timeout | undefined;
      const held = new Promise<"held">((resolve) => {
        timer = setTimeout(() => resolve("held"), waitMs);
      });
      const answer = await Promise.race([onePrisma.$queryRaw`SELECT 1`.then(() => "free" as const), held]);
      clearTimeout(timer);
      return answer;
    };
    // The probe tells: inside a transaction of the same client, it finds the connection held.
    expect(await withScope(onePrisma, { kind: "system" }, () => probe(1000))).toBe("held");

    const seen: Array<{ path: string; connection: "free" | "held" }> = [];
    fake.onRequest = async (r) => {
      seen.push({ path: `${r.method} ${r.path}`, connection: await probe() });
    };
    try {
      const w = await createWorld();
      const admin = await as(w.users.providerAdmin.email, configured, onePrisma);
      const plan = await admin.billingAdmin.plans.create({
        code: `one-conn-${w.tag}`,
        name: "One connection",
        currency: "USD",
        monthlyPriceMinor: 1500,
        includedVehicles: 2,
        includedDrivers: 2,
        overagePerVehicleMinor: 300,
      });
      await admin.billingAdmin.plans.syncToStripe({ id: plan.id });
      const owner = await as(w.users.ownerA.email, configured, onePrisma);
      await owner.billing.startCheckout({ planId: plan.id, interval: "month", clientRequestId: randomUUID() });
      await owner.billing.openPortal();
      await admin.billingAdmin.usage.reportNow();
      const actions = (
        await testOwnerPrisma().auditLog.findMany({
          where: { OR: [{ tenantId: w.a.tenant.id }, { entityId: plan.id }], action: { startsWith: "billing." } },
        })
      ).map((a) => a.action);
      expect(actions.sort()).toEqual([
        "billing.checkout_started",
        "billing.plan_created",
        "billing.plan_synced",
        "billing.portal_opened",
      ]);
    } finally {
      fake.onRequest = null;
    }
    expect(seen.map((s) => s.path)).toEqual(
      expect.arrayContaining(["POST /v1/products", "POST /v1/prices", "POST /v1/checkout/sessions"]),
    );
    expect(seen.filter((s) => s.connection === "held")).toEqual([]);
  });
});

describe("a tenant suspended for non-payment", () => {
  const suspend = (tenantId: string, reason: string) =>
    withScope(testPrisma(), { kind: "system" }, (db) =>
      changeTenantStatus({ db, audit: new AuditTrail(db, systemActor()) }, { tenantId, status: "suspended", reason }),
    );

  it("stays open to its owners and admins for billing only, so they can pay; other suspensions lock everyone out", async () => {
    const t = await createTenantWithMembers("Overdue", ["owner", "admin", "dispatcher"] as const);
    const staffAdmin = await as(world.users.providerAdmin.email);
    const plan = await staffAdmin.billingAdmin.plans.create({
      code: `overdue-${world.tag}`,
      name: "Overdue plan",
      currency: "USD",
      monthlyPriceMinor: 1900,
      includedVehicles: 2,
      includedDrivers: 2,
      overagePerVehicleMinor: 300,
    });
    await staffAdmin.billingAdmin.plans.syncToStripe({ id: plan.id });
    await suspend(t.tenant.id, DUNNING_SUSPENSION_REASON);

    const owner = await as(t.users.owner.email);
    const me = await owner.auth.me();
    expect(me.activeTenant).toMatchObject({ id: t.tenant.id, status: "suspended", billingOnly: true });
    expect(await owner.billing.overview()).toMatchObject({ configured: true });
    expect(await owner.billing.invoices()).toEqual([]);
    expect((await owner.billing.openPortal()).url).toMatch(/^https:\/\/billing\.stripe\.com\//);
    const refused = await trpcError(owner.vehicle.list({}));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/suspended for non-payment\. Pay the overdue invoice/);
    // Its subscription has ended (here: it never had one): subscribing again is the way back.
    expect(
      (await owner.billing.startCheckout({ planId: plan.id, interval: "month", clientRequestId: randomUUID() })).url,
    ).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    expect(await trpcCode(owner.billing.setCancelAtPeriodEnd({ cancel: true }))).toBe("FORBIDDEN");
    expect(await trpcCode(owner.billing.previewChange({ planId: plan.id, interval: "month" }))).toBe("FORBIDDEN");
    expect(await owner.billing.upcomingInvoice()).toBeNull();
    // Admins read and pay invoices, but the portal and Checkout are the owners'.
    const admin = await as(t.users.admin.email);
    expect(await trpcCode(admin.billing.openPortal())).toBe("FORBIDDEN");
    expect((await admin.auth.me()).activeTenant?.billingOnly).toBe(true);
    // Dispatchers have no billing: they cannot sign in until it is paid.
    await expect(signIn(t.users.dispatcher.email)).rejects.toMatchObject({ code: "forbidden" });

    // Paid: the tenant is reactivated and everything opens again for the same session.
    expect(
      await withScope(testPrisma(), { kind: "system" }, (db) => reactivateIfSuspendedForPayment(db, t.tenant.id)),
    ).toBe(true);
    expect((await owner.auth.me()).activeTenant).toMatchObject({ status: "active", billingOnly: false });
    expect(Array.isArray(await owner.vehicle.list({}))).toBe(true);

    // Suspended by an admin for another reason: nobody of the tenant gets in, billing included.
    await suspend(t.tenant.id, "terms of service review");
    expect((await owner.auth.me()).activeTenant?.billingOnly).toBe(false);
    expect(await trpcCode(owner.billing.overview())).toBe("FORBIDDEN");
    await expect(signIn(t.users.owner.email)).rejects.toMatchObject({ code: "forbidden" });

    // Staff typing the dunning reason is not a payment suspension: only the system's counts.
    const staff = { ...systemActor(), type: "provider" as const, userId: world.users.providerAdmin.id };
    for (const status of ["active", "suspended"] as const) {
      await withScope(testPrisma(), { kind: "system" }, (db) =>
        changeTenantStatus(
          { db, audit: new AuditTrail(db, staff) },
          { tenantId: t.tenant.id, status, reason: DUNNING_SUSPENSION_REASON },
        ),
      );
    }
    await expect(signIn(t.users.owner.email)).rejects.toMatchObject({ code: "forbidden" });
  });
});
