/**
 * Browser test: the built web app in Debian's Chromium (playwright-core, no downloaded browsers),
 * served by the real server against the test database.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createTenant } from "@fleetcore/core";
import { disconnectAll, REPO_ROOT } from "@fleetcore/db";
import { testPrisma } from "@fleetcore/db/test-context";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../helpers";

const WEB_DIST = join(REPO_ROOT, "apps", "web", "dist");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(WEB_DIST, "index.html"))) {
    throw new Error(`the web app is not built (${WEB_DIST}); run \`pnpm build\` or \`npm test\``);
  }
  server = await startTestServer({ webDistDir: WEB_DIST });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  await disconnectAll();
});

describe("dashboard in Chromium", () => {
  it("creates a vehicle through the UI and sees it listed, on this page and live on another", async () => {
    const tenant = await createTenant(testPrisma(), {
      name: "Browser Fleet",
      slug: `browser-${Date.now()}`,
      countryCode: "US",
      defaultCurrency: "USD",
    });
    const page = await browser.newPage();
    const watcher = await browser.newPage();
    try {
      await page.goto(server.url);
      await page.getByRole("link", { name: "Browser Fleet" }).click();
      await page.getByRole("heading", { name: "Browser Fleet — vehicles" }).waitFor();
      await page.getByText("No vehicles yet.").waitFor();

      // A second screen on the same tenant, to see the new vehicle arrive over Socket.IO.
      await watcher.goto(`${server.url}/tenants/${tenant.id}`);
      await watcher.getByText("No vehicles yet.").waitFor();

      const form = page.getByRole("form", { name: "Add a vehicle" });
      await form.getByLabel("Name").fill("Bus 4242");
      await form.getByLabel("License plate").fill("tx-4242");
      await form.getByLabel("Make").fill("Gillig");
      await form.getByLabel("Year").fill("2018");
      await form.getByRole("button", { name: "Add vehicle" }).click();

      const row = page.getByRole("table", { name: "Vehicles" }).getByRole("row", { name: /Bus 4242/ });
      await row.waitFor();
      expect(await row.textContent()).toContain("TX-4242");
      await watcher
        .getByRole("table", { name: "Vehicles" })
        .getByRole("row", { name: /Bus 4242/ })
        .waitFor();

      // An impossible year is refused with a readable reason, and nothing is added.
      await form.getByLabel("Name").fill("Time machine");
      await form.getByLabel("Year").fill("1800");
      await form.getByRole("button", { name: "Add vehicle" }).click();
      await page.getByText(/year:/).waitFor();
      expect(await page.getByRole("table", { name: "Vehicles" }).getByRole("row").count()).toBe(2);
    } finally {
      await page.close();
      await watcher.close();
    }
  });
});
