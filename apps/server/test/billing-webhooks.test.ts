/**
 * `POST /webhooks/stripe` and the billing procedures over HTTP, against the real server (Fastify +
 * tRPC), the test database and a local server speaking Stripe's wire format (STRIPE_API_BASE_URL):
 * deliveries signed with the SDK's `generateTestHeaderString`; a bad or missing signature is a 400
 * with the reason and stores nothing; the subscription a tenant owner checks out appears by
 * webhooks (each delivery applied once, a redelivery answered 200 as a duplicate); the billing jobs'
 * pass; and a server without STRIPE_SECRET_KEY answers 503 and `configured: false`.
 */
import { randomUUID } from "node:crypto";
import { localDay, startOfLocalDay } from "@fleetcore/core";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeStripe } from "../../../packages/core/test/stripe-fake";
import { runBillingJobs } from "../src/billingJobs";
import { httpLogin, startTestServer, trpcClient } from "./helpers";

let fake: FakeStripe;
let server: Awaited<ReturnType<typeof startTestServer>>;
let bare: Awaited<ReturnType<typeof startTestServer>>;
let tenantId: string;

beforeAll(async () => {
  fake = await FakeStripe.start();
  server = await startTestServer({
    env: { STRIPE_SECRET_KEY: fake.apiKey, STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_BASE_URL: fake.url },
  });
  bare = await startTestServer();
  const owner = testOwnerPrisma();
  tenantId = (await owner.tenant.findUniqueOrThrow({ where: { slug: "lone-star-transit" } })).id;
  await owner.bilSettings.update({ where: { id: 1 }, data: { stripeMeterId: null } });
  // The demo tenants start here without billing: the demo seed's local-only history (`cus_demo_…`
  // customers this fake Stripe does not know, subscriptions, MRR rows, invoices) is removed.
  await owner.bilMrrChange.deleteMany({});
  await owner.bilTenantInvoice.deleteMany({ where: { stripeInvoiceId: { startsWith: "in_demo_" } } });
  await owner.bilTenantSubscription.deleteMany({ where: { stripeSubscriptionId: { startsWith: "sub_demo_" } } });
  await owner.bilBillingAccount.deleteMany({ where: { stripeCustomerId: { startsWith: "cus_demo_" } } });
});

afterAll(async () => {
  await server.app.close();
  await bare.app.close();
  await fake.close();
  await disconnectAll();
});

const post = (url: string, body: string, signature?: string) =>
  fetch(`${url}/webhooks/stripe`, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(signature ? { "stripe-signature": signature } : {}),
    },
    body,
  });

const storedEvents = (id: string) => testOwnerPrisma().bilStripeEvent.count({ where: { id } });

describe("POST /webhooks/stripe", () => {
  it("refuses a missing or bad signature (and a body changed after signing) with 400 and the reason; stores nothing", async () => {
    const event = fake.event("customer.updated", { id: "cus_x", object: "customer" });
    const { payload, header } = fake.signed(event);

    const missing = await post(server.url, payload);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: "missing Stripe-Signature header" });

    const wrongSecret = await post(server.url, payload, fake.signed(event, "whsec_not_the_secret").header);
    expect(wrongSecret.status).toBe(400);
    expect(((await wrongSecret.json()) as { error: string }).error).toMatch(
      /No signatures found matching the expected signature/,
    );

    const tampered = await post(server.url, payload.replace("customer.updated", "customer.deleted"), header);
    expect(tampered.status).toBe(400);

    const garbage = await post(server.url, "t=1,v1=abc", "t=1,v1=abc");
    expect(garbage.status).toBe(400);
    expect(await storedEvents(event.id)).toBe(0);
  });

  it("answers 503 when billing is not configured, and billing.overview says so", async () => {
    const event = fake.event("customer.updated", { id: "cus_x", object: "customer" });
    const { payload, header } = fake.signed(event);
    const res = await post(bare.url, payload, header);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "billing is not configured" });
    expect(await storedEvents(event.id)).toBe(0);
    const { cookie } = await httpLogin(bare.url, "owner@lonestar.demo");
    const overview = await trpcClient(bare.url, cookie).billing.overview.query();
    expect(overview).toMatchObject({ configured: false, subscription: null, plan: null });
  });

  it("checkout by the owner over HTTP, then the subscription arrives by signed webhooks, applied once", async () => {
    const admin = trpcClient(server.url, (await httpLogin(server.url, "admin@fleetcore.demo")).cookie);
    const plan = await admin.billingAdmin.plans.create.mutate({
      code: `http-pro-${Math.random().toString(36).slice(2, 8)}`,
      name: "Fleet Pro",
      currency: "EUR",
      monthlyPriceMinor: 9900,
      yearlyPriceMinor: 99000,
      includedVehicles: 2,
      includedDrivers: 20,
      overagePerVehicleMinor: 450,
    });
    await admin.billingAdmin.plans.syncToStripe.mutate({ id: plan.id });

    const owner = trpcClient(server.url, (await httpLogin(server.url, "owner@lonestar.demo")).cookie);
    const dispatcher = trpcClient(server.url, (await httpLogin(server.url, "dispatch@lonestar.demo")).cookie);
    await expect(
      dispatcher.billing.startCheckout.mutate({ planId: plan.id, interval: "year", clientRequestId: randomUUID() }),
    ).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    const { url } = await owner.billing.startCheckout.mutate({
      planId: plan.id,
      interval: "year",
      clientRequestId: randomUUID(),
    });
    const checkout = fake.requestsTo("/v1/checkout/sessions").at(-1);
    const yearlyOverage = [...fake.prices.values()].find((p) => p.lookup_key === `${plan.code}-v1-overage-year`);
    expect(checkout?.params.line_items).toEqual([
      {
        price: (await testOwnerPrisma().bilBillingPlan.findUniqueOrThrow({ where: { id: plan.id } }))
          .stripeYearlyPriceId,
        quantity: "1",
      },
      { price: yearlyOverage.id },
    ]);

    // The subscription began at noon two local days ago (Lone Star is in America/Chicago): the jobs
    // have two complete local days to report, whatever the hour and across a DST change.
    const twoDaysAgo = localDay(new Date(Date.now() - 2 * 86_400_000), "America/Chicago");
    const startedAt = Math.floor(startOfLocalDay(twoDaysAgo, "America/Chicago").getTime() / 1000) + 12 * 3600;
    const { session, subscription } = fake.completeCheckout(url.split("/").pop() as string, { start: startedAt });
    const deliveries = [
      fake.event("checkout.session.completed", session),
      fake.event("customer.subscription.created", subscription),
    ];
    for (const event of deliveries) {
      const { payload, header } = fake.signed(event);
      const first = await post(server.url, payload, header);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ received: true, duplicate: false, outcome: "applied" });
      const again = await post(server.url, payload, fake.signed(event).header);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ received: true, duplicate: true });
      expect(await storedEvents(event.id)).toBe(1);
    }
    const overview = await owner.billing.overview.query();
    expect(overview).toMatchObject({
      configured: true,
      plan: { id: plan.id, name: "Fleet Pro", currency: "EUR" },
      subscription: { status: "active", interval: "year", mrrMinor: 8250, currency: "EUR", cancelAtPeriodEnd: false },
    });
    const changes = await testOwnerPrisma().bilMrrChange.findMany({ where: { tenantId } });
    expect(changes.map((c) => [c.fromMrrMinor, c.toMrrMinor, c.currency])).toEqual([[0, 8250, "EUR"]]);

    // The local row appears with the first webhook, at the subscription's start.
    await testOwnerPrisma().bilTenantSubscription.updateMany({
      where: { stripeSubscriptionId: subscription.id },
      data: { createdAt: new Date(startedAt * 1000) },
    });
    // The hourly jobs' pass: the two complete local days go to the meter, dunning finds nobody.
    const jobs = await runBillingJobs(testPrisma(), {
      stripe: fake.client(),
      email: { transport: server.services.email, publicUrl: "https://fleet.test" },
      rooms: () => {},
      log: { info() {}, warn() {}, error() {} },
    });
    expect(jobs).toMatchObject({ eventsSent: 2, usageFailures: 0, suspended: 0 });
    const reported = [...fake.meterEvents.values()].filter((e) => e.identifier.startsWith(`fc-usage-${tenantId}-`));
    expect(reported).toHaveLength(2);
    expect(reported.every((e) => e.payload.stripe_customer_id === subscription.customer)).toBe(true);

    // The owner cancels at the period's end: Stripe's answer now, the local row with the webhook.
    const cancel = await owner.billing.setCancelAtPeriodEnd.mutate({ cancel: true });
    expect(cancel).toMatchObject({ cancelAtPeriodEnd: true, status: "active", planId: plan.id, interval: "year" });
    const updated = fake.event("customer.subscription.updated", fake.subscription(subscription.id));
    const signed = fake.signed(updated);
    expect((await post(server.url, signed.payload, signed.header)).status).toBe(200);
    expect((await owner.billing.overview.query()).subscription?.cancelAtPeriodEnd).toBe(true);
  });
});
