/**
 * `billingMetrics` through the real API: every staff role reads MRR movement and current MRR; tenant
 * users (even owners) are refused; a bad month is BAD_REQUEST. The arithmetic itself is tested in
 * packages/core/test/billing-mrr.test.ts. Fixtures use 1999 and the ISO 4217 test code XTS so other
 * files sharing the database cannot move the figures.
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, signIn, type TestClient, trpcCode, type World } from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
let analyst: TestClient;
let owner: TestClient;

beforeAll(async () => {
  world = await createWorld();
  analyst = await signIn(world.users.providerAnalyst.email);
  owner = await signIn(world.users.ownerA.email);
  const tenantId = world.a.tenant.id;
  await testOwnerPrisma().bilMrrChange.createMany({
    data: [
      { tenantId, currency: "XTS", occurredAt: new Date("1999-01-10T00:00:00Z"), fromMrrMinor: 0, toMrrMinor: 4_900 },
      {
        tenantId,
        currency: "XTS",
        occurredAt: new Date("1999-02-01T00:00:00Z"),
        fromMrrMinor: 4_900,
        toMrrMinor: 9_900,
      },
    ],
  });
  await testOwnerPrisma().bilTenantSubscription.create({
    data: {
      tenantId,
      status: "active",
      currency: "XTS",
      mrrMinor: 9_900,
      stripeCustomerId: `cus_${world.tag}`,
      stripeSubscriptionId: `sub_${world.tag}`,
    },
  });
});

describe("billingMetrics", () => {
  it("gives any staff role the monthly movement", async () => {
    const report = await analyst.api.billingMetrics.mrr({ fromMonth: "1999-01", months: 2 });
    expect(report).toMatchObject({ fromMonth: "1999-01", toMonth: "1999-02", currencies: ["XTS"] });
    expect(report.months).toMatchObject([
      { month: "1999-01", currency: "XTS", newMinor: 4_900, endMrrMinor: 4_900, arrMinor: 58_800 },
      { month: "1999-02", currency: "XTS", expansionMinor: 5_000, endMrrMinor: 9_900, arrMinor: 118_800 },
    ]);
  });

  it("defaults to the 12 months ending with the current one", async () => {
    const before = new Date().toISOString().slice(0, 7);
    const report = await analyst.api.billingMetrics.mrr();
    // The month the server read (a call across a month's end may see either).
    expect([before, new Date().toISOString().slice(0, 7)]).toContain(report.toMonth);
    expect(report.months.length).toBe(12 * report.currencies.length);
  });

  it("gives the current MRR per currency", async () => {
    const current = await analyst.api.billingMetrics.current();
    expect(current.currencies.find((c) => c.currency === "XTS")).toMatchObject({
      mrrMinor: 9_900,
      arrMinor: 118_800,
      active: 1,
      payingCustomers: 1,
    });
  });

  it("refuses tenant users and bad input", async () => {
    expect(await trpcCode(owner.api.billingMetrics.mrr({}))).toBe("FORBIDDEN");
    expect(await trpcCode(owner.api.billingMetrics.current())).toBe("FORBIDDEN");
    expect(await trpcCode(analyst.api.billingMetrics.mrr({ fromMonth: "1999-13" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(analyst.api.billingMetrics.mrr({ months: 37 }))).toBe("BAD_REQUEST");
  });
});
