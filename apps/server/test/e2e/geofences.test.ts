/**
 * Browser test of the geofences page (`/geofences`): Debian's Chromium, the built web app served by
 * the real server against the test database (demo tenant "Lone Star Transit"). A geofence created
 * through the API is listed and, picked, centres the camera; then a polygon and a circle are drawn by clicking on
 * the map (terra-draw on MapLibre's software-WebGL canvas), named and saved, and checked as stored
 * through the API: the polygon surrounds the point the camera was centred on, the circle's radius
 * is the clicked distance. Then a geofence is edited, switched off and deleted from the list.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { httpLogin, trpcClient } from "../helpers";
import { browserSuite, type PageGlobals, submitSignIn } from "./browser";

const OWNER = "owner@lonestar.demo";
const suite = browserSuite();

/** Metres per CSS pixel of Web Mercator at `latitude` and `zoom` (512-px tiles, MapLibre's). */
const metresPerPixel = (latitude: number, zoom: number) =>
  (2 * Math.PI * 6_378_137 * Math.cos((latitude * Math.PI) / 180)) / (512 * 2 ** zoom);

/** Page coordinates of (dx, dy) CSS px from the map canvas's centre. */
async function mapPoint(page: Page, dx: number, dy: number): Promise<[number, number]> {
  const box = await page.locator(".fc-map-canvas canvas.maplibregl-canvas").boundingBox();
  if (!box) throw new Error("no map canvas");
  return [box.x + box.width / 2 + dx, box.y + box.height / 2 + dy];
}

/** Clicks at (dx, dy) CSS px from the map canvas's centre, moving the pointer there first as a person would. */
async function clickMap(page: Page, dx: number, dy: number): Promise<void> {
  const [x, y] = await mapPoint(page, dx, dy);
  await page.mouse.move(x - 5, y - 5);
  await page.mouse.move(x, y, { steps: 3 });
  await page.mouse.click(x, y);
}

/**
 * Whether the camera is at rest: no geofence label (a MapLibre marker, placed again on every camera
 * move, in whole pixels) moved over the page's next two animation frames.
 */
function cameraAtRest(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const w = globalThis as unknown as PageGlobals;
    const frame = () => new Promise<void>((resolve) => w.requestAnimationFrame(resolve));
    const positions = () =>
      Array.from(w.document.querySelectorAll(".geofence-label"), (el) => el.style.transform).join("|");
    await frame();
    const before = positions();
    await frame();
    await frame();
    return positions() === before;
  });
}

describe("geofences page in Chromium", () => {
  it("lists geofences, draws a polygon and a circle on the map, saves, edits, switches off and deletes", async () => {
    const { cookie } = await httpLogin(suite.server.url, OWNER);
    const api = trpcClient(suite.server.url, cookie);
    const tag = Math.random().toString(36).slice(2, 7);
    // Picked in the list, a 300 m circle brings the camera to zoom 14 (the closest fit), centred on it.
    const capitol = { kind: "circle" as const, latitude: 30.2747, longitude: -97.7404, radiusM: 300 };
    await api.geofence.create.mutate({ name: `Capitol ${tag}`, shape: capitol, color: "#dc2626" });

    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${suite.server.url}/geofences`);
      await page.waitForURL(/\/login\?next=/);
      await submitSignIn(page, OWNER);
      await page.waitForURL(`${suite.server.url}/geofences`);

      const map = page.locator('.fc-map-canvas[data-map-ready="true"]');
      await map.locator("canvas.maplibregl-canvas").waitFor();
      const list = page.getByRole("list", { name: "Geofences" });
      await list.getByText(`Capitol ${tag}`, { exact: true }).waitFor();
      const listed = (await api.geofence.list.query({ includeInactive: true })).length;
      await expect.poll(() => map.getAttribute("data-geofence-count")).toBe(String(listed));
      const label = page.locator(".geofence-label", { hasText: `Capitol ${tag}` });
      await label.waitFor();

      // Picking it in the list centres the map on it (its name label sits on the circle's centre), once
      // the camera's ease has ended (the zoom too: the clicks below are measured at zoom 14).
      await list.getByText(`Capitol ${tag}`, { exact: true }).click();
      await expect
        .poll(async () => {
          if (!(await cameraAtRest(page))) return Number.NaN;
          const [cx, cy] = await mapPoint(page, 0, 0);
          const box = await label.boundingBox();
          return box ? Math.hypot(box.x + box.width / 2 - cx, box.y + box.height / 2 - cy) : Number.NaN;
        })
        .toBeLessThan(1);

      // A polygon around the centre of the view (the Capitol): four corners, then the first again.
      await page.getByRole("button", { name: "Draw polygon" }).click();
      await expect.poll(() => map.getAttribute("data-draw-mode")).toBe("polygon");
      const corners: [number, number][] = [
        [-120, -90],
        [110, -80],
        [100, 95],
        [-115, 85],
      ];
      for (const [dx, dy] of corners) await clickMap(page, dx, dy);
      await clickMap(page, corners[0]?.[0] ?? 0, corners[0]?.[1] ?? 0);
      await expect.poll(() => map.getAttribute("data-draw-state")).toBe("drawn");
      const polygonForm = page.getByRole("form", { name: "New polygon geofence" });
      await polygonForm.getByLabel("Name").fill(`Downtown ${tag}`);
      await polygonForm.getByLabel("Speed limit (km/h)").fill("40");
      await polygonForm.getByLabel("Colour").fill("#16a34a");
      await polygonForm.getByRole("button", { name: "Save geofence" }).click();
      await list.getByText(`Downtown ${tag}`, { exact: true }).waitFor();
      await polygonForm.waitFor({ state: "detached" });
      await expect.poll(() => map.getAttribute("data-draw-state")).toBe("idle");

      const stored = await api.geofence.list.query({});
      const downtown = stored.find((g) => g.name === `Downtown ${tag}`);
      expect(downtown).toMatchObject({ kind: "polygon", speedLimitKph: 40, color: "#16a34a", active: true });
      if (downtown?.shape.kind !== "polygon") throw new Error("not a polygon");
      const [ring = []] = downtown.shape.coordinates;
      expect(ring).toHaveLength(5);
      expect(ring[0]).toEqual(ring[4]);
      const lngs = ring.map(([lng]) => lng);
      const lats = ring.map(([, lat]) => lat);
      // Clicked around the view's centre, so it surrounds the Capitol.
      expect(Math.min(...lngs)).toBeLessThan(capitol.longitude);
      expect(Math.max(...lngs)).toBeGreaterThan(capitol.longitude);
      expect(Math.min(...lats)).toBeLessThan(capitol.latitude);
      expect(Math.max(...lats)).toBeGreaterThan(capitol.latitude);
      // …and spans the clicked pixels: 230 px wide at zoom 14 is about 2 km.
      const widthM = (Math.max(...lngs) - Math.min(...lngs)) * 111_320 * Math.cos((capitol.latitude * Math.PI) / 180);
      expect(widthM).toBeGreaterThan(230 * metresPerPixel(capitol.latitude, 14) * 0.8);

      // A circle: click the centre (80 px left of the view's centre), move out 100 px, click.
      await page.getByRole("button", { name: "Draw circle" }).click();
      await expect.poll(() => map.getAttribute("data-draw-mode")).toBe("circle");
      await clickMap(page, -80, 0);
      for (const dx of [-60, -20, 20]) await page.mouse.move(...(await mapPoint(page, dx, 0)));
      await clickMap(page, 20, 0);
      await expect.poll(() => map.getAttribute("data-draw-state")).toBe("drawn");
      const circleForm = page.getByRole("form", { name: "New circle geofence" });
      await circleForm.getByLabel("Name").fill(`Depot ${tag}`);
      await circleForm.getByRole("button", { name: "Save geofence" }).click();
      await list.getByText(`Depot ${tag}`, { exact: true }).waitFor();
      const depot = (await api.geofence.list.query({})).find((g) => g.name === `Depot ${tag}`);
      if (depot?.shape.kind !== "circle") throw new Error("not a circle");
      expect(depot.speedLimitKph).toBeNull();
      const expectedRadiusM = 100 * metresPerPixel(capitol.latitude, 14);
      expect(depot.shape.radiusM).toBeGreaterThan(expectedRadiusM * 0.85);
      expect(depot.shape.radiusM).toBeLessThan(expectedRadiusM * 1.15);
      expect(depot.shape.latitude).toBeCloseTo(capitol.latitude, 2);
      expect(depot.shape.longitude).toBeLessThan(capitol.longitude);

      // Edit a geofence's fields without touching its shape: the stored shape stays as it was.
      await list.getByRole("button", { name: `Edit Capitol ${tag}` }).click();
      const editForm = page.getByRole("form", { name: `Edit Capitol ${tag}` });
      await expect.poll(() => map.getAttribute("data-draw-state")).toBe("drawn");
      await editForm.getByLabel("Speed limit (km/h)").fill("25");
      await editForm.getByRole("button", { name: "Save changes" }).click();
      await editForm.waitFor({ state: "detached" });
      await list
        .locator("li", { hasText: `Capitol ${tag}` })
        .getByText(/25 km\/h/)
        .waitFor();
      const capitolStored = (await api.geofence.list.query({})).find((g) => g.name === `Capitol ${tag}`);
      expect(capitolStored).toMatchObject({ speedLimitKph: 25, shape: capitol });

      // Switch the polygon off, then delete it (with confirmation).
      const row = list.locator("li", { hasText: `Downtown ${tag}` });
      // Controlled by the stored value: it flips once the server answered, hence click, not uncheck.
      await row.getByRole("checkbox", { name: "Active" }).click();
      await row.getByText(/inactive/).waitFor();
      expect((await api.geofence.get.query({ geofenceId: downtown.id })).active).toBe(false);
      await row.getByRole("button", { name: `Delete Downtown ${tag}` }).click();
      await row.getByRole("button", { name: "Confirm" }).click();
      await row.waitFor({ state: "detached" });
      const left = (await api.geofence.list.query({ includeInactive: true })).map((g) => g.name);
      expect(left).not.toContain(`Downtown ${tag}`);
      expect(left).toEqual(expect.arrayContaining([`Capitol ${tag}`, `Depot ${tag}`]));

      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
