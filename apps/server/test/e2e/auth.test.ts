/**
 * Browser test of accounts and permissions: sign-in, inviting a member and accepting the invitation
 * in another browser, and what a member without the permission sees. Debian's Chromium through
 * playwright-core, the built web app served by the real server against the test database.
 * Uses the demo accounts (startTestServer seeds them): owner@lonestar.demo (owner of "Lone Star
 * Transit"), dispatch@lonestar.demo (dispatcher there).
 */
import { randomBytes } from "node:crypto";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { describe, expect, it } from "vitest";
import { browserSuite, submitSignIn } from "./browser";

const OWNER = "owner@lonestar.demo";
const DISPATCHER = "dispatch@lonestar.demo";

const suite = browserSuite();

/**
 * The invitation link's token from the email the server queued (adm_email_outbox, read as the owner
 * role: the outbox is not visible to the application role).
 */
async function invitationToken(email: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const rows = await testOwnerPrisma().$queryRaw<{ text_body: string }[]>`
      SELECT text_body FROM adm_email_outbox WHERE to_email = ${email} ORDER BY created_at DESC LIMIT 1`;
    const token = rows[0]?.text_body.match(/\/invite\/([A-Za-z0-9_-]+)/)?.[1];
    if (token) return token;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no invitation email to ${email} in adm_email_outbox`);
}

describe("accounts in Chromium", () => {
  it("an owner invites a dispatcher, who accepts in another browser and appears among the members", async () => {
    const ownerContext = await suite.browser.newContext();
    const inviteeContext = await suite.browser.newContext();
    try {
      const owner = await ownerContext.newPage();
      await owner.goto(`${suite.server.url}/login`);
      await submitSignIn(owner, OWNER);
      await owner.getByRole("button", { name: "Sign out" }).waitFor();

      await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" }).click();
      await owner.getByRole("heading", { name: "Members of Lone Star Transit" }).waitFor();

      const email = `new.person+${randomBytes(4).toString("hex")}@example.com`;
      const inviteForm = owner.getByRole("form", { name: "Invite a member" });
      await inviteForm.getByLabel("Email").fill(email);
      await inviteForm.getByLabel("Role").selectOption({ label: "dispatcher" });
      await inviteForm.getByRole("button", { name: "Send invitation" }).click();
      await owner
        .getByRole("status")
        .filter({ hasText: `Invitation sent to ${email}` })
        .waitFor();
      await owner
        .getByRole("table", { name: "Pending invitations" })
        .getByRole("row")
        .filter({ hasText: email })
        .waitFor();

      // The invitee opens the emailed link in their own browser (no session there).
      const token = await invitationToken(email);
      const invitee = await inviteeContext.newPage();
      await invitee.goto(`${suite.server.url}/invite/${token}`);
      await invitee.getByRole("heading", { name: "Join Lone Star Transit" }).waitFor();
      expect(await invitee.getByText(email).count()).toBeGreaterThan(0);
      const acceptForm = invitee.getByRole("form", { name: "Accept invitation" });
      await acceptForm.getByLabel("Full name").fill("New Person");
      await acceptForm.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
      await acceptForm.getByLabel("Confirm password").fill("correct horse battery staple");
      await acceptForm.getByRole("button", { name: "Accept invitation" }).click();

      // Signed in as the new member, in the tenant, on its live map (dispatchers may read the fleet).
      await invitee.getByRole("heading", { name: "Live map" }).waitFor();
      expect(new URL(invitee.url()).pathname).toBe("/map");
      await invitee.getByText("New Person").waitFor();
      expect(await invitee.getByRole("link", { name: "Members" }).count()).toBe(0);

      // The owner sees the new member; the invitation is no longer pending.
      await owner.reload();
      const row = owner.getByRole("table", { name: "Members" }).getByRole("row").filter({ hasText: email });
      await row.waitFor();
      expect(await row.textContent()).toContain("New Person");
      await owner.getByText("No pending invitations.").waitFor();
    } finally {
      await ownerContext.close();
      await inviteeContext.close();
    }
  });

  it("sends an anonymous visitor to sign in and back, and denies a dispatcher the members and audit pages", async () => {
    const context = await suite.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${suite.server.url}/members`);
      await page.waitForURL(`${suite.server.url}/login?next=%2Fmembers`);

      // A wrong password is refused with a readable reason.
      await submitSignIn(page, DISPATCHER, "not-the-password");
      await page.getByRole("alert").filter({ hasText: "Invalid email or password" }).waitFor();

      await submitSignIn(page, DISPATCHER);
      await page.waitForURL(`${suite.server.url}/members`);
      const denied = page.getByRole("alert");
      await page.getByRole("heading", { name: "Access denied" }).waitFor();
      expect(await denied.textContent()).toContain("You don't have access to this page");
      expect(await page.getByRole("form", { name: "Invite a member" }).count()).toBe(0);
      expect(await page.getByRole("table", { name: "Members" }).count()).toBe(0);
      expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" }).count()).toBe(
        0,
      );

      await page.goto(`${suite.server.url}/audit`);
      await page.getByRole("heading", { name: "Access denied" }).waitFor();
      expect(await page.getByRole("table", { name: "Audit log" }).count()).toBe(0);

      // Provider pages are for provider staff only.
      await page.goto(`${suite.server.url}/admin/tenants`);
      await page.getByRole("heading", { name: "Access denied" }).waitFor();

      // What the dispatcher may see still works.
      await page.goto(`${suite.server.url}/fleet`);
      await page.getByRole("heading", { name: "Lone Star Transit — vehicles" }).waitFor();
      expect(await page.getByRole("form", { name: "Add a vehicle" }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
