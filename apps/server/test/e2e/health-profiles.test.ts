/**
 * Browser test of the health scoring profiles (`/admin/health/profiles`): Debian's Chromium, the
 * built web app served by the real server against the test database (demo staff). The demo provider
 * admin follows the link from the portfolio header, creates a profile for the "smb" segment through
 * the form — first with weights that add up to 115, which the live sum flags and the server refuses
 * under the weights, then fixed — sees it listed with its settings, and deletes it again (the
 * catch-all "default" offers no delete). No other browser test scores tenants, so the profile moves
 * no one's figures while it exists.
 */
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { describe, expect, it } from "vitest";
import { browserSuite, submitSignIn } from "./browser";

const ADMIN = "admin@fleetcore.demo";
const suite = browserSuite();

describe("health profiles in Chromium", () => {
  it("a provider admin creates a profile for the smb segment, sees it listed and deletes it", async () => {
    const name = `smb-e2e-${Math.random().toString(36).slice(2, 7)}`;
    const context = await suite.browser.newContext({ viewport: { width: 1500, height: 1100 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${suite.server.url}/admin/portfolio`);
      await page.waitForURL(/\/login\?next=/);
      await submitSignIn(page, ADMIN);
      await page.waitForURL(/\/admin\/portfolio/);

      // The portfolio header's link (the provider nav has one too).
      await page.getByRole("main").getByRole("link", { name: "Health profiles" }).last().click();
      await page.waitForURL(`${suite.server.url}/admin/health/profiles`);
      await page.getByText("Changes apply from the next daily scoring run").waitFor();
      const table = page.getByRole("table", { name: "Health profiles" });
      const defaultRow = table.getByRole("row", { name: /^default/ });
      await defaultRow
        .getByText(/catch-all/)
        .first()
        .waitFor();
      expect(await defaultRow.getByRole("button", { name: /Delete/ }).count()).toBe(0);

      await page.getByRole("button", { name: "New profile" }).click();
      const form = page.getByRole("form", { name: "New profile" });
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Segment").selectOption("smb");
      await form.getByLabel("Product usage", { exact: true }).fill("40");
      await form.getByLabel("Support", { exact: true }).fill("40");
      const sum = form.getByRole("status", { name: "Sum of the weights" });
      await expect.poll(() => sum.textContent()).toBe("Sum 115 / 100");
      await form.getByRole("button", { name: "Create profile" }).click();
      await form.getByRole("alert").getByText("weights must add up to 100").waitFor();
      expect(await form.getByLabel("Support", { exact: true }).getAttribute("aria-invalid")).toBe("true");

      await form.getByLabel("Engagement", { exact: true }).fill("5");
      await expect.poll(() => sum.textContent()).toBe("Sum 100 / 100 ✓");
      await form.getByLabel("Red below").fill("45");
      await form.getByLabel("Green above").fill("70");
      await form.getByRole("button", { name: "Create profile" }).click();

      await page
        .getByRole("status")
        .getByText(`Saved "${name}". It applies from the next daily scoring run.`)
        .waitFor();
      const row = table.getByRole("row", { name: new RegExp(name) });
      await row.waitFor();
      const text = (await row.textContent()) ?? "";
      expect(text).toContain("SMB tenants");
      expect(text).toContain("Product usage 40%");
      expect(text).toContain("Support 40%");
      expect(text).toContain("< 45 / > 70");
      expect(await form.count()).toBe(0);
      const stored = await testOwnerPrisma().healthProfile.findUnique({ where: { name } });
      expect(stored).toMatchObject({
        segment: "smb",
        lifecycle: null,
        priority: 10,
        weights: { productUsage: 40, support: 40, engagement: 5, business: 15 },
        thresholds: { red: 45, green: 70 },
      });

      await row.getByRole("button", { name: `Delete ${name}` }).click();
      await row.getByRole("button", { name: "Confirm" }).click();
      await page.getByRole("status").getByText(`Deleted "${name}".`, { exact: false }).waitFor();
      expect(await table.getByRole("row", { name: new RegExp(name) }).count()).toBe(0);
      expect(await testOwnerPrisma().healthProfile.count({ where: { name } })).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await testOwnerPrisma().healthProfile.deleteMany({ where: { name } });
    }
  });
});
