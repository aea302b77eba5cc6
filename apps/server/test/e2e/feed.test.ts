/**
 * Browser test of the operations feed (`/feed`) and the wall ticker: Debian's Chromium, the built web
 * app served by the real server against the test database (demo tenant "Lone Star Transit", signed
 * in as its dispatcher). A driver's WhatsApp message, POSTed to the real webhook with a correct
 * signature (Meta: `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app secret>`),
 * must show in the open feed within {@link FEED_LATENCY_BUDGET_MS} of the webhook's answer; a reply
 * typed in the conversation goes out through the local transport (msg_outbox) and shows as sent; a
 * Samsara event (signed `v1=<HMAC-SHA256 of "v1:<ts>:<body>" with the base64-decoded secret>`) is
 * acknowledged from the feed.
 */
import { createHmac, randomBytes } from "node:crypto";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { postWhatsApp, whatsAppText } from "../whatsapp";
import { browserSuite, recordAppearance, submitSignIn } from "./browser";

const DISPATCHER = "dispatch@lonestar.demo";
/** How long other live updates may take (generous: CI machines can be busy). */
const LIVE_TIMEOUT_MS = 20_000;
/**
 * An inbound message shows in the open feed within this of the webhook's answer, ms: live delivery
 * (webhook → Socket.IO → render). The issue promises a second; a loaded CI machine gets two.
 */
const FEED_LATENCY_BUDGET_MS = 2000;

const suite = browserSuite();
const tag = randomBytes(3).toString("hex");
const phoneNumberId = `3${Date.now()}`;
const appSecret = randomBytes(16).toString("hex");
const samsaraOrgId = `7${Date.now()}`;
const samsaraSecret = randomBytes(32).toString("base64");
/** A driver of our own (other browser tests share the tenant), with a phone nobody else has. */
const driverPhone = `+1737${String(Date.now()).slice(-7)}`;
const driverName = `Rosa Feed${tag}`;
let tenantId: string;

beforeAll(async () => {
  const db = testOwnerPrisma();
  tenantId = (await db.tenant.findUniqueOrThrow({ where: { slug: "lone-star-transit" } })).id;
  await db.driver.create({ data: { tenantId, firstName: "Rosa", lastName: `Feed${tag}`, phone: driverPhone } });
  await db.integration.createMany({
    data: [
      { tenantId, provider: "whatsapp", externalId: phoneNumberId, secret: appSecret, verifyToken: `verify-${tag}` },
      { tenantId, provider: "samsara", externalId: samsaraOrgId, secret: samsaraSecret },
    ],
  });
  // Replies go through the local outbox, whatever the clock says (no quiet hours).
  await db.messagingSettings.upsert({
    where: { tenantId },
    create: { tenantId, transport: "local" },
    update: { transport: "local", quietStart: null, quietEnd: null },
  });
});

function postWhatsAppText(id: string, text: string): Promise<Response> {
  const body = whatsAppText(phoneNumberId, { id, from: driverPhone.slice(1), text, name: "Rosa" });
  return postWhatsApp(suite.server.url, body, appSecret);
}

function postSamsaraGeofenceEntry(eventId: string, place: string): Promise<Response> {
  const body = JSON.stringify({
    eventId,
    eventTime: new Date().toISOString(),
    eventType: "GeofenceEntry",
    orgId: Number(samsaraOrgId),
    webhookId: "1234567890",
    data: {
      vehicle: { id: "281474977075805", name: "Bus 2201" },
      address: { id: "1", name: place, geofence: { circle: { latitude: 30.4, longitude: -97.7, radiusMeters: 200 } } },
    },
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v1=${createHmac("sha256", Buffer.from(samsaraSecret, "base64")).update(`v1:${timestamp}:${body}`).digest("hex")}`;
  return fetch(`${suite.server.url}/webhooks/samsara`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-samsara-signature": signature,
      "x-samsara-timestamp": String(timestamp),
    },
    body,
  });
}

async function signIn(page: Page, path: string): Promise<void> {
  await page.goto(`${suite.server.url}${path}`);
  await page.waitForURL(/\/login\?next=/);
  await submitSignIn(page, DISPATCHER);
  await page.waitForURL(`${suite.server.url}${path}`);
}

describe("operations feed in Chromium", () => {
  it("shows an inbound WhatsApp message live, sends a reply through the outbox, and acknowledges an event", async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await signIn(page, "/feed");
      await page.getByRole("heading", { name: "Operations feed" }).waitFor();
      const feed = page.getByRole("list", { name: "Feed" });
      // Live: the socket is connected and the history is loaded.
      await page.locator('.feed-head [data-connection="live"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect.poll(() => page.locator(".feed-list").getAttribute("data-count")).not.toBeNull();

      // 1. A driver writes: the message is in the open feed within the budget of the webhook's 200.
      // When it showed is recorded in the page (on the DOM change), both times on this machine's clock.
      const inbound = `Running 10 minutes late ${tag}`;
      const row = feed.locator('li[data-kind="message"]', { hasText: inbound });
      const appearance = await recordAppearance(page, 'ol[aria-label="Feed"] li[data-kind="message"]', inbound);
      const res = await postWhatsAppText(`wamid.feed-${tag}-1`, inbound);
      const answeredAt = Date.now();
      expect(res.status, await res.text()).toBe(200);
      await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
      const latencyMs = (await appearance.shownAt()) - answeredAt;
      console.log(`inbound WhatsApp message shown ${latencyMs} ms after the webhook's answer`);
      expect(latencyMs).toBeLessThan(FEED_LATENCY_BUDGET_MS);
      await expect(row.textContent()).resolves.toContain(driverName);

      // 2. Opening it shows the conversation; a reply typed there (Enter sends) goes out.
      await row.getByRole("button").click();
      const thread = page.getByRole("region", { name: driverName });
      await thread.getByText(inbound).waitFor();
      await expect
        .poll(
          async () =>
            (await testOwnerPrisma().conversation.findFirst({ where: { tenantId, driver: { phone: driverPhone } } }))
              ?.unreadCount,
          { timeout: LIVE_TIMEOUT_MS },
        )
        .toBe(0);
      const reply = `Thanks, noted ${tag}`;
      const box = thread.getByRole("textbox", { name: `Reply to ${driverName}` });
      await box.fill(reply);
      await box.press("Enter");
      await expect.poll(() => box.inputValue()).toBe("");
      const sent = thread.locator("li.thread-msg-outbound", { hasText: reply });
      await sent.waitFor({ timeout: LIVE_TIMEOUT_MS });
      // queued → sent arrives over /live once the local transport recorded it.
      await expect
        .poll(() => sent.getAttribute("data-status"), { timeout: LIVE_TIMEOUT_MS })
        .toMatch(/^(sent|delivered|read)$/);
      await sent.getByText("sent").waitFor();
      // The feed shows the reply too, with the same status.
      await expect
        .poll(() => feed.locator('li[data-kind="message"]', { hasText: reply }).getAttribute("data-status"), {
          timeout: LIVE_TIMEOUT_MS,
        })
        .toBe("sent");

      // 3. The outbox: in the UI and in msg_outbox, addressed to the driver's phone.
      await page.locator("summary", { hasText: "Outbox" }).click();
      await page.getByRole("table", { name: "Outbox" }).getByText(reply).waitFor({ timeout: LIVE_TIMEOUT_MS });
      const outboxRow = await testOwnerPrisma().outboxMessage.findFirst({ where: { tenantId, body: reply } });
      expect(outboxRow?.to).toBe(driverPhone);

      // 4. A Samsara event arrives live and is acknowledged from the feed.
      const eventId = `evt-feed-${tag}`;
      const place = `North Depot ${tag}`;
      const samsara = await postSamsaraGeofenceEntry(eventId, place);
      expect(samsara.status, await samsara.text()).toBe(200);
      const stored = await testOwnerPrisma().vehicleEvent.findFirstOrThrow({
        where: { tenantId, externalId: eventId },
      });
      const eventRow = feed.locator(`li[data-key="event:${stored.id}"]`);
      await eventRow.getByText(place).waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await eventRow.getAttribute("data-acknowledged")).toBe("false");
      await eventRow.getByRole("button", { name: /^Acknowledge/ }).click();
      await expect.poll(() => eventRow.getAttribute("data-acknowledged"), { timeout: LIVE_TIMEOUT_MS }).toBe("true");
      await eventRow.getByText(/Acknowledged by you/).waitFor();
      const acked = await testOwnerPrisma().vehicleEvent.findFirstOrThrow({ where: { tenantId, externalId: eventId } });
      expect(acked.acknowledgedAt).not.toBeNull();

      // 5. "Unacknowledged only" (in the URL) hides it; the filter survives a reload.
      await page.getByLabel("Unacknowledged only").check();
      await page.waitForURL(/unack=1/);
      await expect.poll(() => eventRow.count()).toBe(0);
      await page.reload();
      await page.locator('.feed-head [data-connection="live"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect(page.getByLabel("Unacknowledged only").isChecked()).resolves.toBe(true);
      await expect(feed.locator('li[data-kind="message"]').count()).resolves.toBe(0);

      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("puts the latest events on the wall display's ticker as they arrive", async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1600, height: 900 } });
    try {
      const page = await context.newPage();
      await signIn(page, "/wall");
      const ticker = page.getByRole("region", { name: "Latest events and messages" });
      await ticker.waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect.poll(() => ticker.getAttribute("data-connection"), { timeout: LIVE_TIMEOUT_MS }).toBe("live");
      const place = `South Yard ${tag}`;
      const res = await postSamsaraGeofenceEntry(`evt-wall-${tag}`, place);
      expect(res.status).toBe(200);
      await ticker.locator('li[data-kind="event"]', { hasText: place }).first().waitFor({ timeout: LIVE_TIMEOUT_MS });
    } finally {
      await context.close();
    }
  });
});
