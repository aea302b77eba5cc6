/**
 * Browser test of the billing pages: Debian's Chromium, the built web app served by the real server
 * against the test database, without Stripe configured (the e2e server has no STRIPE_SECRET_KEY).
 *
 * - A tenant owner's `/billing` says billing is not configured, and nothing on the page fails.
 * - The owner of a tenant suspended for non-payment signs in to `/billing` only: the page says why
 *   and how to pay, the navigation offers nothing else, and any other address leads back to billing.
 * - A provider admin's `/admin/billing` shows the MRR movement chart and table of a currency, the
 *   subscriptions across tenants (past due highlighted) and the plans list with its Stripe state.
 *   The plan, subscription and MRR changes are inserted here as the database owner (fixtures that
 *   the webhooks would write), in CHF so that no other data moves the figures.
 */
import { DUNNING_SUSPENSION_REASON, hashPassword } from "@fleetcore/core";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { describe, expect, it } from "vitest";
import { browserSuite, submitSignIn } from "./browser";

const suite = browserSuite();

/** The UTC month `offset` months from now, "YYYY-MM", and its first instant plus `days`. */
function month(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
}
const at = (m: string, day: number) => new Date(`${m}-${String(day).padStart(2, "0")}T10:00:00Z`);

describe("billing pages in Chromium (Stripe not configured)", () => {
  it("the tenant owner's billing page says billing is not configured", async () => {
    const context = await suite.browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${suite.server.url}/billing`);
      await page.waitForURL(/\/login\?next=%2Fbilling$/);
      await submitSignIn(page, "owner@rhone.demo");
      await page.waitForURL(`${suite.server.url}/billing`);
      await page.getByRole("heading", { name: "Billing is not configured on this Fleetcore installation" }).waitFor();
      expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Billing" }).count()).toBe(
        1,
      );
      // Nothing that needs Stripe is offered.
      expect(await page.getByRole("button", { name: /Subscribe|Manage payment methods/ }).count()).toBe(0);
      expect(await page.getByRole("table", { name: "Invoices" }).count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("the owner of a tenant suspended for non-payment gets the billing page only, to pay", async () => {
    const db = testOwnerPrisma();
    const tag = Math.random().toString(36).slice(2, 8);
    const tenant = await db.tenant.create({
      data: { name: `Overdue Haulage ${tag}`, slug: `overdue-${tag}`, countryCode: "US", defaultCurrency: "USD" },
    });
    await db.tenant.update({ where: { id: tenant.id }, data: { status: "suspended" } });
    await db.tenantLifecycleEvent.create({
      data: {
        tenantId: tenant.id,
        eventType: "suspended",
        fromStatus: "active",
        toStatus: "suspended",
        reason: DUNNING_SUSPENSION_REASON,
        occurredAt: new Date(),
      },
    });
    const email = `owner.${tag}@overdue.test`;
    const password = "pay-the-invoice-please";
    const user = await db.user.create({
      data: { email, fullName: "Overdue Owner", passwordHash: await hashPassword(password), status: "active" },
    });
    const role = await db.role.findFirstOrThrow({ where: { tenantId: null, name: "owner" } });
    const member = await db.member.create({
      data: { tenantId: tenant.id, userId: user.id, status: "active", joinedAt: new Date() },
    });
    await db.memberRole.create({ data: { memberId: member.id, roleId: role.id, tenantId: tenant.id } });

    const context = await suite.browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${suite.server.url}/map`);
      await page.waitForURL(/\/login\?next=/);
      await submitSignIn(page, email, password);
      await page.waitForURL(`${suite.server.url}/billing`);
      await page.getByRole("alert").filter({ hasText: "is suspended for non-payment" }).waitFor();
      const nav = page.getByRole("navigation", { name: "Main" });
      expect(await nav.getByRole("link", { name: "Billing" }).count()).toBe(1);
      expect(await nav.getByRole("link", { name: /Live map|Vehicles|Members|Support/ }).count()).toBe(0);
      await page.goto(`${suite.server.url}/vehicles`);
      await page.waitForURL(`${suite.server.url}/billing`);
      await page.getByRole("alert").filter({ hasText: "is suspended for non-payment" }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("a provider admin sees the MRR chart, subscriptions and the plans list", async () => {
    const owner = testOwnerPrisma();
    const tag = Math.random().toString(36).slice(2, 7);
    const planName = `E2E Fleet Pro ${tag}`;
    const plan = await owner.bilBillingPlan.create({
      data: {
        code: `e2e-pro-${tag}`,
        name: planName,
        currency: "CHF",
        monthlyPriceMinor: 150_000,
        yearlyPriceMinor: 1_500_000,
        includedVehicles: 25,
        includedDrivers: 30,
        overagePerVehicleMinor: 4_500,
        features: { whatsapp: true, retentionDays: 365 },
      },
    });
    const tenant = await owner.tenant.create({
      data: { name: `Alpenfracht ${tag}`, slug: `alpenfracht-${tag}`, countryCode: "CH", defaultCurrency: "CHF" },
    });
    const pastDueSince = at(month(0), 1);
    await owner.bilTenantSubscription.create({
      data: {
        tenantId: tenant.id,
        planId: plan.id,
        planVersion: 1,
        status: "past_due",
        currency: "CHF",
        mrrMinor: 150_000,
        pastDueSince,
        currentPeriodStart: at(month(0), 1),
        currentPeriodEnd: at(month(1), 1),
        stripeCustomerId: `cus_e2e${tag}`,
        stripeSubscriptionId: `sub_e2e${tag}`,
      },
    });
    // Two months ago: new at 1 000.00 CHF; last month: upgraded to 1 500.00 CHF.
    const [m2, m1] = [month(-2), month(-1)];
    await owner.bilMrrChange.createMany({
      data: [
        { tenantId: tenant.id, occurredAt: at(m2, 5), fromMrrMinor: 0, toMrrMinor: 100_000, currency: "CHF" },
        { tenantId: tenant.id, occurredAt: at(m1, 12), fromMrrMinor: 100_000, toMrrMinor: 150_000, currency: "CHF" },
      ],
    });

    const context = await suite.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const url = `${suite.server.url}/admin/billing?currency=CHF&from=${m2}&months=3`;
      await page.goto(url);
      await page.waitForURL(/\/login\?next=/);
      await submitSignIn(page, "admin@fleetcore.demo");
      await page.waitForURL(url);

      await page.getByText("Stripe is not configured on this server").waitFor();
      expect(
        await page.getByRole("navigation", { name: "Provider admin" }).getByRole("link", { name: "Billing" }).count(),
      ).toBe(1);

      // The chart (bars and the end-MRR line) and the table of the chosen currency.
      const chart = page.getByRole("figure", { name: "MRR movement chart, CHF" });
      await chart.locator(".recharts-bar-rectangle").first().waitFor();
      await chart.locator(".recharts-line-curve").first().waitFor();
      expect(await page.getByLabel("Currency").inputValue()).toBe("CHF");
      const movement = page.getByRole("table", { name: "MRR movement" });
      const rows = movement.getByRole("row");
      await rows.nth(3).waitFor();
      const first = (await rows.nth(1).textContent()) ?? "";
      const second = (await rows.nth(2).textContent()) ?? "";
      expect(first).toMatch(/1,000\.00 \(1\)/); // new: 1 000.00 from one tenant
      expect(second).toMatch(/500\.00/); // expansion: 500.00
      expect(second).toMatch(/18,000\.00/); // ARR: 1 500.00 × 12

      // The current MRR figures include the past-due subscription.
      const kpis = page.getByRole("region", { name: "Current MRR, CHF" });
      await kpis.getByText("Past due").waitFor();

      // Subscriptions across tenants: the past-due one, highlighted.
      const subs = page.getByRole("table", { name: "Subscriptions" });
      const subRow = subs.getByRole("row", { name: new RegExp(`Alpenfracht ${tag}`) });
      await subRow.waitFor();
      expect(await subRow.getAttribute("class")).toContain("billing-row-past-due");
      expect(await subRow.textContent()).toContain(planName);

      // Plans: listed with prices, not synced, and "Sync to Stripe" disabled without Stripe.
      const planRow = page.getByRole("table", { name: "Plans" }).getByRole("row", { name: new RegExp(planName) });
      await planRow.waitFor();
      const planText = (await planRow.textContent()) ?? "";
      expect(planText).toContain("1,500.00");
      expect(planText).toContain("25 vehicles");
      expect(planText).toContain("not synced");
      expect(await planRow.getByRole("button", { name: `Sync ${planName} to Stripe` }).isDisabled()).toBe(true);

      // The plan form converts major units to minor units.
      await planRow.getByRole("button", { name: `Edit ${planName}` }).click();
      const form = page.getByRole("form", { name: `Edit ${planName}` });
      expect(await form.getByLabel("Monthly price").inputValue()).toBe("1500.00");
      await form.getByLabel("Overage per vehicle").fill("47.50");
      await form.getByRole("button", { name: "Save plan" }).click();
      await form.waitFor({ state: "detached" });
      await expect
        .poll(async () => (await owner.bilBillingPlan.findUnique({ where: { id: plan.id } }))?.overagePerVehicleMinor)
        .toBe(4_750);

      // The dunning grace period.
      const settings = page.getByRole("form", { name: "Billing settings" });
      await settings.getByLabel("Dunning grace days").fill("21");
      await settings.getByRole("button", { name: "Save" }).click();
      await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      expect((await owner.bilSettings.findUnique({ where: { id: 1 } }))?.dunningGraceDays).toBe(21);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await owner.bilMrrChange.deleteMany({ where: { tenantId: tenant.id } });
      await owner.bilSettings.update({ where: { id: 1 }, data: { dunningGraceDays: 14 } });
    }
  });
});
