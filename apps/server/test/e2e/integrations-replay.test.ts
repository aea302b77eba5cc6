/**
 * Browser test of the Integrations page (batch API key shown once, unknown device claimed) and of
 * Replay (a claimed device's positions played back with a trip summary). Debian's Chromium against
 * the real server and the built web app.
 */
import { describe, expect, it } from "vitest";
import { browserSuite, submitSignIn } from "./browser";

const suite = browserSuite();

describe("integrations and replay in Chromium", () => {
  it("creates an API key, claims the unknown device it reported, and replays its positions", async () => {
    const context = await suite.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${suite.server.url}/integrations`);
      await submitSignIn(page, "owner@lonestar.demo");
      await page.getByRole("heading", { name: "Integrations" }).waitFor();

      const form = page.getByRole("form", { name: "Create an API key" });
      await form.getByLabel("Key name").fill("Bridge");
      await form.getByRole("button", { name: "Create API key" }).click();
      const key = await page.getByLabel("API key", { exact: true }).inputValue();
      expect(key).toMatch(/^fck_/);

      const uniqueId = `bridge-${Math.random().toString(36).slice(2, 8)}`;
      const t0 = Date.now() - 10 * 60_000;
      const rows = [0, 1, 2, 3].map((i) => ({
        deviceId: uniqueId,
        time: new Date(t0 + i * 60_000).toISOString(),
        latitude: 30.26 + i * 0.005,
        longitude: -97.74,
        speedKph: 36,
      }));
      const post = () =>
        fetch(`${suite.server.url}/ingest/positions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify(rows),
        }).then((r) => r.json() as Promise<{ accepted: number }>);
      expect((await post()).accepted).toBe(0);

      await page.reload();
      const unknown = page.getByRole("table", { name: "Unknown devices" });
      await unknown.getByRole("row", { name: new RegExp(uniqueId) }).waitFor();
      await unknown.getByRole("button", { name: `Claim ${uniqueId}` }).click();
      const claim = page.getByRole("form", { name: `Claim ${uniqueId}` });
      await claim.getByLabel("Vehicle (optional)").selectOption({ index: 1 });
      const vehicleName = (await claim.getByLabel("Vehicle (optional)").locator("option:checked").textContent()) ?? "";
      await claim.getByRole("button", { name: "Claim device" }).click();
      await unknown.getByRole("row", { name: new RegExp(uniqueId) }).waitFor({ state: "detached" });
      expect((await post()).accepted).toBe(4);

      await page.goto(`${suite.server.url}/replay`);
      const period = page.getByRole("form", { name: "Replay period" });
      await period.getByLabel("Vehicle").selectOption({ label: vehicleName });
      await period.getByRole("button", { name: "Last hour" }).click();
      await period.getByRole("button", { name: "Load" }).click();
      const summary = page.getByLabel("Trip summary");
      await summary.waitFor();
      expect(await summary.textContent()).toMatch(/Positions\d+/);
      await page.locator('[data-testid="replay-map"][data-ready="yes"]').waitFor();
      const before = await page.getByTestId("replay-time").textContent();
      await page.getByRole("button", { name: "Play" }).click();
      await expect.poll(() => page.getByTestId("replay-time").textContent()).not.toBe(before);
    } finally {
      await context.close();
    }
  });
});
