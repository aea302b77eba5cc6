/**
 * Browser test of the CRM pipeline board (`/admin/crm/pipeline`): Debian's Chromium, the built web
 * app served by the real server against the test database (demo staff). The demo account manager
 * drags an opportunity card from the Prospecting column onto Proposal sent (native HTML5 drag and
 * drop); the move persists across a reload and is in the provider audit log as
 * `crm_opportunity.stage_changed` with the stage before and after. Then the keyboard path: the
 * card's stage select moves it on to Negotiation. A second test walks the other CRM pages as the
 * demo admin: a lead created and converted through the forms, the forecast (chart, table, stage
 * probability editor), the renewals due, and an engagement logged on a tenant's success page that
 * shows up in its timeline.
 */
import { describe, expect, it } from "vitest";
import { httpLogin, trpcClient } from "../helpers";
import { browserSuite, submitSignIn } from "./browser";

const ACCOUNT_MANAGER = "am@fleetcore.demo";
const ADMIN = "admin@fleetcore.demo";
const suite = browserSuite();

describe("CRM pipeline board in Chromium", () => {
  it("an account manager drags a card to another stage; it persists and is audited", async () => {
    const { cookie } = await httpLogin(suite.server.url, ACCOUNT_MANAGER);
    const api = trpcClient(suite.server.url, cookie);
    const name = `Drag test ${Math.random().toString(36).slice(2, 7)}`;
    const created = await api.crm.opportunities.create.mutate({
      name,
      estimatedValueMinor: 1_234_500n,
      currency: "USD",
      closeDate: new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 15)),
      stage: "prospecting",
    });

    const context = await suite.browser.newContext({ viewport: { width: 1600, height: 1000 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${suite.server.url}/admin/crm/pipeline`);
      await page.waitForURL(/\/login\?next=/);
      await submitSignIn(page, ACCOUNT_MANAGER);
      await page.waitForURL(`${suite.server.url}/admin/crm/pipeline`);

      const column = (stage: string) => page.getByRole("region", { name: stage, exact: true });
      const card = column("Prospecting").getByRole("article", { name });
      await card.waitFor();
      await expect.poll(() => card.getAttribute("draggable")).toBe("true");
      await card.getByText("$12,345.00").waitFor();

      await card.dragTo(column("Proposal sent").getByRole("heading", { name: /Proposal sent/ }));
      await column("Proposal sent").getByRole("article", { name }).waitFor();
      await expect
        .poll(async () => (await api.crm.opportunities.get.query({ opportunityId: created.id })).stage)
        .toBe("proposal_sent");

      await page.reload();
      await column("Proposal sent").getByRole("article", { name }).waitFor();
      expect(await column("Prospecting").getByRole("article", { name }).count()).toBe(0);

      const audit = await api.provider.audit.list.query({
        entityType: "crm_opportunity",
        action: "crm_opportunity.stage_changed",
      });
      const entry = audit.entries.find((e) => e.entityId === created.id);
      expect(entry).toMatchObject({ actorEmail: ACCOUNT_MANAGER, actorType: "provider" });
      expect(entry?.changes.stage).toEqual({ before: "prospecting", after: "proposal_sent" });

      // Without a mouse: the card's stage select.
      await column("Proposal sent")
        .getByRole("article", { name })
        .getByLabel(`Stage of ${name}`)
        .selectOption("negotiation");
      await column("Negotiation").getByRole("article", { name }).waitFor();
      await expect
        .poll(async () => (await api.crm.opportunities.get.query({ opportunityId: created.id })).stage)
        .toBe("negotiation");
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("leads, forecast, contracts and a tenant's success page work for an admin", async () => {
    const { cookie } = await httpLogin(suite.server.url, ADMIN);
    const api = trpcClient(suite.server.url, cookie);
    const [lonestar] = await api.provider.tenants.list.query({ search: "Lone Star" });
    if (!lonestar) throw new Error("the demo tenant Lone Star Transit is missing");
    const tag = Math.random().toString(36).slice(2, 7);
    const company = `Pecos Haulers ${tag}`;

    const context = await suite.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${suite.server.url}/admin/crm/leads`);
      await page.waitForURL(/\/login\?next=/);
      await submitSignIn(page, ADMIN);
      await page.waitForURL(`${suite.server.url}/admin/crm/leads`);

      // A lead through the form, then converted into an opportunity.
      await page.getByRole("button", { name: "New lead" }).click();
      const leadForm = page.getByRole("form", { name: "New lead" });
      await leadForm.getByLabel("Company").fill(company);
      await leadForm.getByLabel("Contact name").fill("Rosa Diaz");
      await leadForm.getByLabel("Contact email").fill("rosa@pecos.example");
      await leadForm.getByRole("button", { name: "Create lead" }).click();
      const leads = page.getByRole("table", { name: "Leads" });
      await leads.getByRole("row", { name: new RegExp(company) }).waitFor();
      await page.getByRole("button", { name: `Convert ${company}` }).click();
      const convertForm = page.getByRole("form", { name: `Convert ${company}` });
      await convertForm.getByLabel("Estimated annual value").fill("48,000.50");
      await convertForm.getByRole("button", { name: "Convert lead" }).click();
      await page.getByRole("status").filter({ hasText: "Converted." }).waitFor();
      const opportunity = (await api.crm.opportunities.list.query({ search: company }))[0];
      expect(opportunity).toMatchObject({ stage: "qualified", estimatedValueMinor: 4_800_050n, currency: "USD" });

      // The forecast: a chart per currency, the table and (admin) the stage probability editor.
      await page.getByRole("navigation", { name: "Provider admin" }).getByRole("link", { name: "Forecast" }).click();
      await page.getByRole("table", { name: "Forecast" }).waitFor();
      await page.getByRole("figure", { name: "Forecast chart, USD" }).locator("svg").first().waitFor();
      const probabilities = page.getByRole("form", { name: "Stage probabilities" });
      expect(await probabilities.getByLabel("Negotiation probability (%)").inputValue()).toBe("75");

      // Renewals due: the demo's Lone Star contract expires in about 45 days.
      await page.getByRole("navigation", { name: "Provider admin" }).getByRole("link", { name: "Contracts" }).click();
      await page.getByRole("table", { name: "Contracts" }).waitFor();
      await page.getByRole("button", { name: "Renewals due" }).click();
      await page.getByRole("button", { name: "90 days" }).click();
      await page
        .getByRole("table", { name: "Renewals due in 90 days" })
        .getByRole("row", { name: /Lone Star Transit/ })
        .first()
        .waitFor();

      // The tenant's success page: log an engagement in place; it is listed and on the timeline.
      await page.goto(`${suite.server.url}/admin/tenants/${lonestar.id}/success`);
      const log = page.getByRole("form", { name: "Log engagement" });
      await log.getByLabel("Title").fill(`Renewal call ${tag}`);
      await log.getByLabel("Outcome").selectOption("positive");
      await log.getByRole("button", { name: "Add attendee" }).click();
      await log.getByLabel("Attendee 1 name").fill("Ana Ruiz");
      await log.getByLabel("Attendee 1 role").fill("Fleet manager");
      await log.getByRole("button", { name: "Log engagement" }).click();
      await page
        .getByRole("table", { name: "Engagements" })
        .getByRole("row", { name: new RegExp(`Renewal call ${tag}`) })
        .waitFor();
      await page.getByRole("table", { name: "Timeline" }).getByText(`Call: Renewal call ${tag}`).waitFor();
      await page.getByRole("table", { name: "Goals" }).getByRole("progressbar").first().waitFor();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
