/**
 * Browser test of the analyst chart explorer (/admin/explorer): Debian's Chromium, the built web
 * app served by the real server against the test database. The provider analyst opens the explorer,
 * picks a metric, a grouping and a tenant, sees the chart, finds the view in the URL, reloads and gets
 * it back, then exports the CSV. The daily activity rows are inserted here as the database owner for a
 * tenant made here (4 logins every day around today), so the figures are known: 4 per local day.
 */
import { readFile } from "node:fs/promises";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { describe, expect, it } from "vitest";
import { browserSuite, submitSignIn } from "./browser";

const suite = browserSuite();

describe("chart explorer in Chromium", () => {
  it("an analyst charts logins by segment, shares the URL, reloads it and exports CSV", async () => {
    const owner = testOwnerPrisma();
    const tag = Math.random().toString(36).slice(2, 7);
    const tenant = await owner.tenant.create({
      data: {
        name: `Explorer Freight ${tag}`,
        slug: `explorer-freight-${tag}`,
        countryCode: "FR",
        defaultCurrency: "EUR",
        segment: "enterprise",
      },
    });
    const today = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`).getTime();
    await owner.tenantActivityMetric.createMany({
      data: Array.from({ length: 12 }, (_, i) => {
        const periodStart = new Date(today - (10 - i) * 86_400_000);
        return {
          tenantId: tenant.id,
          periodStart,
          periodEnd: new Date(periodStart.getTime() + 86_400_000),
          logins: 4,
        };
      }),
    });

    const context = await suite.browser.newContext({
      viewport: { width: 1400, height: 1100 },
      timezoneId: "Europe/Paris",
      acceptDownloads: true,
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${suite.server.url}/admin/explorer`);
      await page.waitForURL(/\/login\?next=/);
      await submitSignIn(page, "analyst@fleetcore.demo");
      await page.waitForURL(/\/admin\/explorer\?/);
      expect(
        await page.getByRole("navigation", { name: "Provider admin" }).getByRole("link", { name: "Explorer" }).count(),
      ).toBe(1);
      await page.getByRole("heading", { name: "Chart explorer" }).waitFor();

      // Logins instead of the default positions, grouped by segment, for our tenant, last 7 days.
      const metrics = page.getByRole("group", { name: "Metrics" });
      // Controlled checkboxes follow the URL, which the router updates in a transition: click, then wait.
      const logins = metrics.getByRole("checkbox", { name: "Logins", exact: true });
      const positions = metrics.getByRole("checkbox", { name: "Positions", exact: true });
      await logins.click();
      await expect.poll(() => logins.isChecked()).toBe(true);
      await positions.click();
      await expect.poll(() => positions.isChecked()).toBe(false);
      await page.getByLabel("Group by").selectOption("segment");
      await page.getByRole("listbox", { name: "Tenants", exact: true }).selectOption(tenant.id);
      await page.getByRole("button", { name: "Last 7 days" }).click();

      const chart = page.getByRole("figure", { name: "Logins chart" });
      await chart.locator(".recharts-line-curve").first().waitFor({ state: "attached" });
      await chart.locator(".recharts-legend-item-text", { hasText: "Enterprise" }).waitFor();
      expect(await page.getByRole("figure", { name: "Positions chart" }).count()).toBe(0);

      // The whole view is in the URL.
      const url = new URL(page.url());
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        m: "activity.logins",
        g: "segment",
        t: tenant.id,
        r: "7d",
        b: "auto",
        c: "line",
        v: "chart",
        tz: "Europe/Paris",
      });

      // Reloading the shared address restores the same view.
      await page.reload();
      await page
        .getByRole("figure", { name: "Logins chart" })
        .locator(".recharts-line-curve")
        .first()
        .waitFor({ state: "attached" });
      expect(await metrics.getByRole("checkbox", { name: "Logins", exact: true }).isChecked()).toBe(true);
      expect(await metrics.getByRole("checkbox", { name: "Positions", exact: true }).isChecked()).toBe(false);
      expect(await page.getByLabel("Group by").inputValue()).toBe("segment");
      expect(await page.getByRole("button", { name: "Last 7 days" }).getAttribute("aria-pressed")).toBe("true");
      const totals = page.getByRole("table", { name: "Explorer totals" });
      await totals.getByRole("row", { name: /Logins\s*Enterprise\s*28/ }).waitFor();

      // The table view, in the URL too.
      await page.getByRole("button", { name: "Table" }).click();
      const table = page.getByRole("table", { name: "Explorer data" });
      await table.getByRole("row").nth(7).waitFor();
      expect(new URL(page.url()).searchParams.get("v")).toBe("table");

      // CSV export: RFC 4180, the header names unit and group, one row per local day with 4 logins.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Export CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^fleetcore-explorer-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = await readFile(await download.path(), "utf8");
      const lines = csv.split("\r\n");
      expect(lines[0]).toBe("bucket_start_utc,bucket_start_local (Europe/Paris),Logins [count] | Enterprise");
      expect(lines).toHaveLength(9); // header, 7 days, the empty string after the last CRLF
      for (const line of lines.slice(1, 8))
        expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z,\d{4}-\d{2}-\d{2} 00:00,4$/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
