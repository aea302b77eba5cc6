/**
 * Browser test of the live map (`/map`) and the map wall display (`/wall`): Debian's Chromium, the
 * built web app served by the real server against the test database (demo data: "Lone Star Transit",
 * vehicles "Bus 2201"… with devices LST-0001…). Positions go through the real OsmAnd endpoint and
 * reach the page over Socket.IO `/live`. Both pages must load without a single request to another
 * host (the default basemap is generated in the browser; no tiles, glyphs or sprites).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserSuite, submitSignIn } from "./browser";

const OWNER = "owner@lonestar.demo";
/** How long live updates may take to show (generous: CI machines can be busy). */
const LIVE_TIMEOUT_MS = 30_000;
const POLL = { timeout: LIVE_TIMEOUT_MS };

const suite = browserSuite();

/** Records every request the page makes to a host other than the test server's. */
function watchForeignRequests(page: Page): string[] {
  const foreign: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol === "data:" || url.protocol === "blob:") return;
    if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") foreign.push(request.url());
  });
  return foreign;
}

/**
 * Sends one fix for a device through the OsmAnd endpoint (speed in knots, as OsmAnd sends it), fixed
 * `ageS` seconds ago. OsmAnd timestamps are whole seconds and a fix with the time of a stored one is
 * a duplicate, so successive fixes of one device within a second need different ages.
 */
async function sendFix(
  uniqueId: string,
  fix: { lat: number; lon: number; speedKnots: number; bearingDeg: number; ageS?: number },
) {
  const timestampS = Math.floor(Date.now() / 1000) - (fix.ageS ?? 0);
  const res = await fetch(
    `${suite.server.url}/ingest/osmand?id=${uniqueId}&lat=${fix.lat}&lon=${fix.lon}&timestamp=${timestampS}` +
      `&speed=${fix.speedKnots}&bearing=${fix.bearingDeg}`,
  );
  expect(res.status, await res.text()).toBe(200);
}

async function signIn(page: Page, path: string): Promise<void> {
  await page.goto(`${suite.server.url}${path}`);
  await page.waitForURL(/\/login\?next=/);
  await submitSignIn(page, OWNER);
  await page.waitForURL(`${suite.server.url}${path}`);
}

describe("live map in Chromium", () => {
  it("renders the map offline, lists the demo vehicles, and moves a vehicle when a position arrives", async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const foreign = watchForeignRequests(page);
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await signIn(page, "/map");

      // The WebGL canvas is up, with our layers installed.
      await page.locator('[data-map-ready="true"] canvas.maplibregl-canvas').waitFor();
      const list = page.getByRole("list", { name: "Vehicles" });
      for (const name of ["Bus 2201", "Bus 5012", "Van 7"]) await list.getByText(name, { exact: true }).waitFor();
      const allChip = await page.getByRole("button", { name: /^All \d+$/ }).textContent();
      expect(Number(allChip?.replace(/\D/g, ""))).toBeGreaterThanOrEqual(5);

      const row = list.locator("li", { hasText: "Bus 2201" });
      const mapCanvas = page.locator(".fc-map-canvas");
      const countBefore = Number(await mapCanvas.getAttribute("data-vehicle-count"));
      // The map fills its frame (MapLibre's own stylesheet, loaded later, must not collapse it).
      const box = await mapCanvas.boundingBox();
      expect(box?.height ?? 0).toBeGreaterThan(300);

      // A fix through the OsmAnd endpoint puts the bus on the map, moving (20 kn ≈ 37 km/h).
      await sendFix("LST-0001", { lat: 30.2672, lon: -97.7431, speedKnots: 20, bearingDeg: 90, ageS: 10 });
      await row.locator('button[data-lat="30.2672"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect.poll(() => row.getAttribute("data-status"), POLL).toBe("moving");
      await expect(row.textContent()).resolves.toMatch(/37 km\/h/);
      await expect
        .poll(async () => Number(await mapCanvas.getAttribute("data-vehicle-count")), POLL)
        .toBeGreaterThanOrEqual(Math.max(1, countBefore));

      // A second fix moves it.
      await sendFix("LST-0001", { lat: 30.2701, lon: -97.7402, speedKnots: 21, bearingDeg: 45 });
      await row.locator('button[data-lat="30.2701"][data-lng="-97.7402"]').waitFor({ timeout: LIVE_TIMEOUT_MS });

      // Clicking it in the list selects and follows it: halo, popup with its details.
      await row.getByRole("button").click();
      await expect
        .poll(() => mapCanvas.getAttribute("data-selected-vehicle"), POLL)
        .toBe(await row.getAttribute("data-vehicle-id"));
      const popup = page.locator(".maplibregl-popup");
      await popup.getByText("Bus 2201").waitFor();
      await expect(popup.textContent()).resolves.toMatch(/Driver.*Speed\s*39 km\/h.*Last seen/);
      await page
        .getByRole("status")
        .getByText(/Following Bus 2201/)
        .waitFor();

      // Status filter chips narrow the list.
      await page.getByRole("button", { name: /^Moving \d+$/ }).click();
      await expect
        .poll(
          async () => [...new Set(await list.locator("li").evaluateAll((lis) => lis.map((li) => li.dataset.status)))],
          POLL,
        )
        .toEqual(["moving"]);
      await list.getByText("Bus 2201", { exact: true }).waitFor();

      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("wall display with the map in Chromium", () => {
  it("shows the KPI tiles over a full-screen map, with live positions per minute and ingest lag", async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1600, height: 900 } });
    try {
      const page = await context.newPage();
      const foreign = watchForeignRequests(page);
      await signIn(page, "/wall");
      await page.getByRole("heading", { name: "Lone Star Transit" }).waitFor();
      const kpis = page.locator('dl[aria-label="Fleet summary"]');
      for (const label of ["Moving", "Idle", "Stopped", "Offline", "Positions / min", "Ingest lag (median, 1 min)"]) {
        await kpis.getByText(label, { exact: true }).waitFor();
      }
      await page.locator('.wallmap [data-map-ready="true"] canvas.maplibregl-canvas').waitFor();
      expect((await page.locator(".wallmap .fc-map-canvas").boundingBox())?.height ?? 0).toBeGreaterThan(300);
      await expect.poll(() => page.locator(".wallmap").getAttribute("data-stale"), POLL).toBe("false");

      await sendFix("LST-0003", { lat: 30.28, lon: -97.73, speedKnots: 15, bearingDeg: 180 });
      const perMinute = page.locator('[data-kpi="positions-per-minute"] dd');
      await expect
        .poll(async () => Number(await perMinute.textContent()), { timeout: LIVE_TIMEOUT_MS })
        .toBeGreaterThanOrEqual(1);
      await expect.poll(() => page.locator('[data-kpi="ingest-lag"] dd').textContent(), POLL).toMatch(/^\d+(\.\d)? s$/);
      await expect
        .poll(async () => Number(await page.locator('[data-kpi="moving"] dd').textContent()), POLL)
        .toBeGreaterThanOrEqual(1);
      await page.getByRole("region", { name: "Vehicles" }).getByText("Bus 5012").waitFor();

      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("shows a stale-feed banner while the feed is down and reconnects by itself", async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1600, height: 900 } });
    try {
      const page = await context.newPage();
      await signIn(page, "/wall");
      const wall = page.locator(".wallmap");
      await expect.poll(() => wall.getAttribute("data-stale"), POLL).toBe("false");

      // The server drops the wall's live socket while the network is down: it cannot come back yet.
      await context.setOffline(true);
      suite.server.io.of("/live").disconnectSockets(true);
      await page
        .getByRole("alert")
        .getByText(/Live feed disconnected/)
        .waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await wall.getAttribute("data-stale")).toBe("true");

      // Network back: it reconnects without help, the banner goes, and live positions flow again.
      await context.setOffline(false);
      await expect.poll(() => wall.getAttribute("data-stale"), { timeout: LIVE_TIMEOUT_MS }).toBe("false");
      await sendFix("LST-0002", { lat: 30.3, lon: -97.71, speedKnots: 12, bearingDeg: 10 });
      await expect
        .poll(() => page.locator('[data-kpi="positions-per-minute"] dd').textContent(), {
          timeout: LIVE_TIMEOUT_MS,
        })
        .not.toBe("0");
    } finally {
      await context.close();
    }
  });
});
