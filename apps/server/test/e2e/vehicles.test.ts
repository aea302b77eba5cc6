/**
 * Browser test of the vehicles and drivers pages on the demo data: the seeded drivers at the wheel,
 * search, assigning a driver from the vehicles page, adding a driver with a national-format phone
 * (refused) then an international one, and the vehicle detail page with its track section.
 */
import { describe, expect, it } from "vitest";
import { browserSuite, submitSignIn } from "./browser";

const suite = browserSuite();

describe("vehicles and drivers pages in Chromium", () => {
  it("searches vehicles, assigns a driver, adds a driver and shows a vehicle's detail and track", async () => {
    const context = await suite.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${suite.server.url}/vehicles`);
      await page.waitForURL(/\/login\?next=%2Fvehicles$/);
      await submitSignIn(page, "admin@lonestar.demo");
      await page.getByRole("heading", { name: "Lone Star Transit — vehicles" }).waitFor();
      const table = page.getByRole("table", { name: "Vehicles" });
      const bus = table.getByRole("row", { name: /Bus 2201/ });
      await bus.waitFor();
      expect(await bus.textContent()).toContain("Maria Garcia");

      await page.getByLabel("Search").fill("gillig");
      await table.getByRole("row", { name: /Bus 5012/ }).waitFor({ state: "detached" });
      expect(await table.getByRole("row").count()).toBe(3); // header + two Gilligs
      await page.getByLabel("Search").fill("");

      // DeShawn Williams (no vehicle yet) takes Van 7 from Luis Hernandez.
      await page.getByRole("button", { name: "Manage Van 7" }).click();
      const assign = page.getByRole("form", { name: "Assign a driver to Van 7" });
      await assign.getByLabel("Replace with").selectOption({ label: "DeShawn Williams" });
      await assign.getByRole("button", { name: "Assign driver" }).click();
      await table.getByRole("row", { name: /Van 7.*DeShawn Williams/ }).waitFor();

      await page.getByRole("link", { name: "Drivers" }).click();
      const drivers = page.getByRole("table", { name: "Drivers" });
      expect(await drivers.getByRole("row", { name: /DeShawn Williams/ }).textContent()).toContain("Van 7");
      expect(await drivers.getByRole("row", { name: /Luis Hernandez/ }).textContent()).not.toContain("Van 7");

      const form = page.getByRole("form", { name: "Add a driver" });
      await form.getByLabel("First name").fill("Rosa");
      await form.getByLabel("Last name").fill("Delgado");
      await form.getByLabel("Mobile phone").fill("(512) 555-0177");
      await form.getByRole("button", { name: "Add driver" }).click();
      await page
        .getByText(/international format/)
        .first()
        .waitFor();
      await form.getByLabel("Mobile phone").fill("+1 512 555 0177");
      await form.getByRole("button", { name: "Add driver" }).click();
      expect(await drivers.getByRole("row", { name: /Rosa Delgado/ }).textContent()).toContain("+15125550177");

      await drivers.getByRole("link", { name: "Van 7" }).click();
      await page.getByRole("heading", { name: /Van 7/ }).first().waitFor();
      const history = page.getByRole("table", { name: "Driver history" });
      expect(await history.getByRole("row", { name: /DeShawn Williams/ }).textContent()).toContain("now");
      expect(await history.getByRole("row", { name: /Luis Hernandez/ }).count()).toBe(1);
      await page.getByRole("heading", { name: "Track" }).waitFor();
      await page.getByRole("search", { name: "Track period" }).getByRole("combobox").selectOption("7d");
      await page.getByLabel("Trip summary").waitFor();
      await page.getByRole("link", { name: "Open in replay" }).waitFor();

      // The old address still works.
      await page.goto(`${suite.server.url}/fleet`);
      await page.waitForURL(`${suite.server.url}/vehicles`);
    } finally {
      await context.close();
    }
  });
});
