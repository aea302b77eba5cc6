/**
 * Browser test of the account manager screens (`/admin/portfolio`, `/admin/portfolio/:tenantId`):
 * Debian's Chromium, the built web app served by the real server against the test database (demo
 * staff). A tenant assigned to the demo account manager declines for 60 days — its daily activity
 * and the daily health scores (what the daily scoring writes) are inserted as the database owner,
 * the last days red. The account manager opens the portfolio, sees the tenant red with a ▼ trend
 * in "My tenants", opens it and reads the reason sentences, the churn drivers and the charts, then
 * logs an engagement in place and finds it on the timeline.
 */
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { describe, expect, it } from "vitest";
import { browserSuite, submitSignIn } from "./browser";

const ACCOUNT_MANAGER = "am@fleetcore.demo";
const DAY_MS = 86_400_000;
const suite = browserSuite();

/** UTC midnight `days` from today (negative: ago). */
const dayIn = (days: number) => {
  const d = new Date(Date.now() + days * DAY_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
};

/** A tenant assigned to the demo account manager, declining over 60 days into the red. */
async function seedDecline(name: string) {
  const db = testOwnerPrisma();
  const am = await db.providerEmployee.findFirstOrThrow({ where: { user: { email: ACCOUNT_MANAGER } } });
  const tenant = await db.tenant.create({
    data: {
      name,
      slug: `decline-${Math.random().toString(36).slice(2, 10)}`,
      countryCode: "US",
      defaultCurrency: "USD",
      status: "active",
      segment: "mid_market",
      createdAt: dayIn(-400),
    },
  });
  await db.tenantAccountManager.create({
    data: { tenantId: tenant.id, employeeId: am.id, role: "owner", startDate: dayIn(-365) },
  });
  // Day i = 0 … 59 (59 = today): logins 120 → 25, vehicles 30 → 12, positions and messages fall too.
  const days = Array.from({ length: 60 }, (_, i) => i);
  const f = (i: number) => i / 59;
  await db.tenantActivityMetric.createMany({
    data: days.map((i) => ({
      tenantId: tenant.id,
      periodStart: dayIn(i - 59),
      periodEnd: dayIn(i - 58),
      activeUsers: Math.round(14 - 9 * f(i)),
      logins: Math.round(120 - 95 * f(i)),
      activeVehicles: Math.round(30 - 18 * f(i)),
      positions: BigInt(Math.round(86_000 - 60_000 * f(i))),
      messagesSent: Math.round(40 - 30 * f(i)),
      messagesReceived: Math.round(35 - 28 * f(i)),
    })),
  });
  // Scores 82 → 38: green, then yellow, red for the last days.
  await db.tenantHealthScore.createMany({
    data: days.map((i) => {
      const score = Math.round(82 - 44 * f(i));
      const usage = Math.round(85 - 60 * f(i));
      const loginsDownPct = Math.round(58 * f(i));
      return {
        tenantId: tenant.id,
        day: dayIn(i - 59),
        score,
        band: score < 50 ? "red" : score <= 75 ? "yellow" : "green",
        profile: "default",
        productUsageScore: usage,
        supportScore: Math.round(80 - 30 * f(i)),
        engagementScore: Math.round(70 - 40 * f(i)),
        businessScore: 60,
        // As the scoring stores them (ZHealthComponent: label, effectiveWeight, signals).
        components: [
          {
            key: "productUsage",
            score: usage,
            weight: 40,
            reason: `logins down ${loginsDownPct}% vs the previous 30 days`,
            inputs: { logins: Math.round(120 - 95 * f(i)) },
            reference: "previous 30 days",
          },
          {
            key: "support",
            score: Math.round(80 - 30 * f(i)),
            weight: 25,
            reason: "3 tickets opened in the last 30 days, 1 urgent",
            inputs: {},
            reference: "target",
          },
          {
            key: "engagement",
            score: Math.round(70 - 40 * f(i)),
            weight: 20,
            reason: "no engagement in 41 days",
            inputs: {},
            reference: "target",
          },
          { key: "business", score: 60, weight: 15, reason: "payments on time", inputs: {}, reference: "target" },
        ].map((c) => ({ ...c, label: c.key, effectiveWeight: c.weight, signals: [] })),
        churnRisk: Math.round(15 + 60 * f(i)),
        churnHorizonDays: i > 50 ? 30 : 90,
        churnDrivers: [
          {
            driver: "usage_decline",
            contribution: Math.round(35 * f(i)),
            reason: `logins down ${loginsDownPct}% vs the previous 30 days`,
          },
          { driver: "no_engagement", contribution: Math.round(20 * f(i)), reason: "no engagement in 41 days" },
        ],
      };
    }),
  });
  return tenant;
}

describe("account manager screens in Chromium", () => {
  it("an account manager sees a tenant turn red after a decline, opens it and reads why", async () => {
    const name = `Dwindling Freight ${Math.random().toString(36).slice(2, 7)}`;
    const tenant = await seedDecline(name);
    const context = await suite.browser.newContext({ viewport: { width: 1500, height: 1100 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${suite.server.url}/admin/portfolio`);
      await page.waitForURL(/\/login\?next=/);
      await submitSignIn(page, ACCOUNT_MANAGER);
      await page.waitForURL(`${suite.server.url}/admin/portfolio`);

      // "My tenants" is the account manager's default; the tenant is red, trending down.
      await expect
        .poll(() => page.getByRole("button", { name: "My tenants" }).getAttribute("aria-pressed"))
        .toBe("true");
      const row = page.getByRole("table", { name: "Portfolio" }).getByRole("row", { name: new RegExp(name) });
      await row.waitFor();
      const text = await row.textContent();
      expect(text).toMatch(/38\s*red/);
      // 7 days ago: round(82 − 44 × 52/59) = 43 → −5.
      expect(text).toContain("▼ -5");
      await page.getByRole("figure", { name: "Score distribution" }).locator("svg").first().waitFor();
      await page.getByRole("region", { name: "At risk" }).getByRole("link", { name }).waitFor();

      // Sorting by churn risk (descending) puts it first among the account manager's tenants.
      await page.getByRole("button", { name: /Churn risk/ }).click();
      await page.getByRole("button", { name: /Churn risk/ }).click();
      await page.waitForURL(/sort=churnRisk&dir=desc/);
      const table = page.getByRole("table", { name: "Portfolio" });
      // Row 0 is the header: the first data row is the tenant (highest churn risk of the manager's tenants).
      await expect.poll(() => table.getByRole("row").nth(1).getByRole("link").first().textContent()).toBe(name);

      await row.getByRole("link", { name }).click();
      await page.waitForURL(`${suite.server.url}/admin/portfolio/${tenant.id}`);
      await page.getByRole("heading", { name: new RegExp(name) }).waitFor();
      const components = page.getByRole("table", { name: "Score components" });
      await components
        .getByRole("row", { name: /Product usage/ })
        .getByText("logins down 58% vs the previous 30 days")
        .waitFor();
      await components.getByText("no engagement in 41 days").waitFor();
      const drivers = page.getByRole("table", { name: "Churn drivers" });
      await drivers
        .getByRole("row", { name: /usage decline/ })
        .getByText("logins down 58%", { exact: false })
        .waitFor();
      expect(await page.getByRole("region", { name: "Churn risk" }).getByRole("heading").textContent()).toContain(
        "75/100 within 30 days",
      );
      await page.getByRole("figure", { name: "Score history" }).locator(".recharts-line").first().waitFor();
      await page.getByRole("figure", { name: "Logins per day" }).locator(".recharts-line").first().waitFor();

      // Log an engagement in place: it is on the timeline.
      const log = page.getByRole("form", { name: "Log engagement" });
      await log.getByLabel("Title").fill("Usage review");
      await log.getByLabel("Outcome").selectOption("action_required");
      await log.getByRole("button", { name: "Log engagement" }).click();
      await page
        .getByRole("table", { name: "Timeline" })
        .getByText(/Usage review/)
        .waitFor();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
