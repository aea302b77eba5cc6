/**
 * Browser test of the fleet page and the wall display: a vehicle added through the UI appears in
 * the list and, live over Socket.IO, on a wall display opened from a display link in another
 * browser. Debian's Chromium, the built web app served by the real server against the test database.
 */
import { describe, expect, it } from "vitest";
import { browserSuite, submitSignIn } from "./browser";

const suite = browserSuite();

describe("fleet page and wall display in Chromium", () => {
  it("adds a vehicle through the UI and sees it listed, and live on a wall display", async () => {
    const ownerContext = await suite.browser.newContext();
    const wallContext = await suite.browser.newContext();
    try {
      const page = await ownerContext.newPage();
      await page.goto(`${suite.server.url}/fleet`);
      await page.waitForURL(/\/login\?next=%2Ffleet$/);
      await submitSignIn(page, "owner@rhone.demo");
      await page.getByRole("heading", { name: "Rhône Livraisons — vehicles" }).waitFor();

      // A display link for the operations room, opened in a browser with nobody signed in.
      await page.goto(`${suite.server.url}/displays`);
      const displayForm = page.getByRole("form", { name: "Create a display link" });
      await displayForm.getByLabel("Name").fill("Ops room");
      await displayForm.getByRole("button", { name: "Create display link" }).click();
      const url = await page.getByLabel("Display URL").inputValue();
      expect(url).toMatch(/\/display\/[a-z2-7]{32}$/);
      const wall = await wallContext.newPage();
      await wall.goto(url);
      await wall.waitForURL(`${suite.server.url}/wall`);
      await wall.getByText("Rhône Livraisons").first().waitFor();

      await page.goto(`${suite.server.url}/fleet`);
      const form = page.getByRole("form", { name: "Add a vehicle" });
      await form.getByLabel("Name").fill("Van 4242");
      await form.getByLabel("License plate").fill("ab-424-cd");
      await form.getByLabel("Make").fill("Renault");
      await form.getByLabel("Year").fill("2022");
      await form.getByRole("button", { name: "Add vehicle" }).click();

      const row = page.getByRole("table", { name: "Vehicles" }).getByRole("row", { name: /Van 4242/ });
      await row.waitFor();
      expect(await row.textContent()).toContain("AB-424-CD");
      await wall.getByText("Van 4242").waitFor();

      // An impossible year is refused with a readable reason, and nothing is added.
      const rowsBefore = await page.getByRole("table", { name: "Vehicles" }).getByRole("row").count();
      await form.getByLabel("Name").fill("Time machine");
      await form.getByLabel("Year").fill("1800");
      await form.getByRole("button", { name: "Add vehicle" }).click();
      await page.getByText(/year:/).waitFor();
      expect(await page.getByRole("table", { name: "Vehicles" }).getByRole("row").count()).toBe(rowsBefore);
    } finally {
      await ownerContext.close();
      await wallContext.close();
    }
  });
});
