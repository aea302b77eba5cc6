/**
 * The feed's procedures through the real API and database: tenant isolation with crafted ids
 * (another tenant's events, drivers, conversations and integrations are NOT_FOUND or invisible, in
 * the API and under RLS), role rules (a viewer reads but cannot reply or acknowledge; a dispatcher
 * cannot change integrations or rules), integration secrets never returned nor audited, rule and
 * settings validation, and replies recorded with their audit rows.
 */
import { insertVehicleEvents } from "@fleetcore/core";
import { disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, signIn, type TestClient, trpcCode, type World } from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
let ownerA: TestClient;
let dispatcherA: TestClient;
let viewerA: TestClient;
let ownerB: TestClient;
let eventB: string;
let driverA: string;
let driverB: string;
const SECRET = "0123456789abcdef0123456789abcdef";

beforeAll(async () => {
  world = await createWorld();
  ownerA = await signIn(world.users.ownerA.email);
  dispatcherA = await signIn(world.users.dispatcherA.email);
  viewerA = await signIn(world.users.viewerA.email);
  ownerB = await signIn(world.users.ownerB.email);
  const owner = testOwnerPrisma();
  driverA = (
    await owner.driver.create({
      data: { tenantId: world.a.tenant.id, firstName: "Ines", lastName: "Alvarez", phone: "+15125550190" },
    })
  ).id;
  driverB = (
    await owner.driver.create({
      data: { tenantId: world.b.tenant.id, firstName: "Bo", lastName: "Berg", phone: "+15125550191" },
    })
  ).id;
  const [stored] = await withScope(testPrisma(), { kind: "system" }, (db) =>
    insertVehicleEvents(db, [
      {
        tenantId: world.b.tenant.id,
        time: new Date(),
        source: "fleetcore",
        type: "overspeed",
        severity: "warning",
        title: "Overspeed: 90 km/h, limit 80 km/h",
        vehicleId: world.b.vehicle.id,
      },
      {
        tenantId: world.a.tenant.id,
        time: new Date(),
        source: "samsara",
        type: "AlertIncident",
        severity: "critical",
        title: "Harsh braking",
        vehicleId: world.a.vehicle.id,
      },
    ]),
  );
  eventB = stored?.id ?? "";
});

describe("tenant isolation with crafted ids", () => {
  it("never shows or touches another tenant's events", async () => {
    const listed = await ownerA.api.event.list({});
    expect(listed.map((e) => e.title)).toEqual(["Harsh braking"]);
    expect(await ownerA.api.event.list({ vehicleId: world.b.vehicle.id })).toEqual([]);
    expect(await trpcCode(ownerA.api.event.acknowledge({ eventId: eventB }))).toBe("NOT_FOUND");
    const row = await testOwnerPrisma().vehicleEvent.findFirstOrThrow({ where: { id: eventB } });
    expect(row.acknowledgedAt).toBeNull();
    // Under A's RLS settings the row does not exist, whatever the query says.
    const seen = await withScope(
      testPrisma(),
      { kind: "tenant", tenantId: world.a.tenant.id },
      (db) => db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM tel_events WHERE id = ${eventB}::uuid`,
    );
    expect(seen[0]?.n).toBe(0);
  });

  it("never sends to, reads or marks another tenant's driver", async () => {
    expect(await trpcCode(ownerA.api.conversation.send({ driverId: driverB, body: "hello" }))).toBe("NOT_FOUND");
    expect(await trpcCode(ownerA.api.conversation.messages({ driverId: driverB }))).toBe("NOT_FOUND");
    await ownerB.api.conversation.send({ driverId: driverB, body: "B's own message" });
    // B's conversation has unread messages; A marking it read changes nothing.
    await testOwnerPrisma().conversation.updateMany({ where: { driverId: driverB }, data: { unreadCount: 2 } });
    expect((await ownerA.api.conversation.markRead({ driverId: driverB })).wasUnread).toBe(0);
    const stillUnread = await testOwnerPrisma().conversation.findFirstOrThrow({ where: { driverId: driverB } });
    expect(stillUnread.unreadCount).toBe(2);
    expect((await ownerB.api.conversation.markRead({ driverId: driverB })).wasUnread).toBe(2);
    expect((await ownerA.api.conversation.list({})).map((c) => c.driverId)).not.toContain(driverB);
    expect((await ownerA.api.conversation.recent({})).map((m) => m.driverId)).not.toContain(driverB);
    expect((await ownerA.api.conversation.outbox({})).map((o) => o.to)).not.toContain("+15125550191");
  });

  it("never shows, changes or deletes another tenant's integration", async () => {
    const b = await ownerB.api.integration.create({
      provider: "samsara",
      externalId: `org-${world.tag}`,
      secret: Buffer.from(SECRET).toString("base64"),
    });
    expect((await ownerA.api.integration.list()).map((i) => i.id)).not.toContain(b.id);
    expect(await trpcCode(ownerA.api.integration.update({ integrationId: b.id, enabled: false }))).toBe("NOT_FOUND");
    expect(await trpcCode(ownerA.api.integration.delete({ integrationId: b.id }))).toBe("NOT_FOUND");
    // The same org id cannot be connected twice, by anyone.
    expect(
      await trpcCode(
        ownerA.api.integration.create({
          provider: "samsara",
          externalId: `org-${world.tag}`,
          secret: Buffer.from(SECRET).toString("base64"),
        }),
      ),
    ).toBe("CONFLICT");
  });
});

describe("roles", () => {
  it("lets a viewer read the feed but not reply, acknowledge or configure", async () => {
    expect(await trpcCode(viewerA.api.event.list({}))).toBe("OK");
    expect(await trpcCode(viewerA.api.conversation.list({}))).toBe("OK");
    const [event] = await viewerA.api.event.list({});
    expect(await trpcCode(viewerA.api.event.acknowledge({ eventId: event?.id ?? "" }))).toBe("FORBIDDEN");
    expect(await trpcCode(viewerA.api.conversation.send({ driverId: driverA, body: "hi" }))).toBe("FORBIDDEN");
    expect(await trpcCode(viewerA.api.event.updateRules({ overspeedKph: 90 }))).toBe("FORBIDDEN");
    expect(await trpcCode(viewerA.api.integration.list())).toBe("FORBIDDEN");
  });

  it("lets a dispatcher reply and acknowledge, not change rules or integrations", async () => {
    const [event] = await dispatcherA.api.event.list({ unacknowledgedOnly: true });
    const acked = await dispatcherA.api.event.acknowledge({ eventId: event?.id ?? "" });
    expect(acked.acknowledgedBy).toBe(world.users.dispatcherA.id);
    // A second acknowledgement keeps the first person and time.
    const again = await ownerA.api.event.acknowledge({ eventId: acked.id });
    expect(again).toMatchObject({ acknowledgedBy: acked.acknowledgedBy, acknowledgedAt: acked.acknowledgedAt });
    const sent = await dispatcherA.api.conversation.send({ driverId: driverA, body: "Route 7 detour at 5th St" });
    expect(sent.status).toBe("queued");
    expect(await trpcCode(dispatcherA.api.event.updateRules({ overspeedKph: 90 }))).toBe("FORBIDDEN");
    expect(await trpcCode(dispatcherA.api.conversation.updateSettings({ quietStart: null }))).toBe("FORBIDDEN");
    expect(await trpcCode(dispatcherA.api.integration.list())).toBe("FORBIDDEN");
    const audit = await testOwnerPrisma().auditLog.findFirst({
      where: { tenantId: world.a.tenant.id, action: "message.sent", entityId: sent.id },
    });
    expect(audit?.changes).toMatchObject({ driverId: { after: driverA }, status: { after: "queued" } });
    expect(JSON.stringify(audit)).not.toContain("Route 7");
  });
});

describe("integrations and settings", () => {
  it("keeps secrets write-only: never answered, never audited", async () => {
    const created = await ownerA.api.integration.create({
      provider: "whatsapp",
      externalId: `7${Date.now()}`,
      displayName: "+1 512 555 0100",
      secret: SECRET,
      verifyToken: "verify-token-123",
      accessToken: "EAAG-secret-access-token",
    });
    expect(created).toMatchObject({
      hasSecret: true,
      hasVerifyToken: true,
      hasAccessToken: true,
      webhookPath: "/webhooks/whatsapp",
    });
    const updated = await ownerA.api.integration.update({ integrationId: created.id, accessToken: null });
    expect(updated.hasAccessToken).toBe(false);
    const text = JSON.stringify([created, updated, await ownerA.api.integration.list()]);
    for (const s of [SECRET, "verify-token-123", "EAAG-secret-access-token"]) expect(text).not.toContain(s);
    const audit = await testOwnerPrisma().auditLog.findMany({ where: { entityId: created.id } });
    expect(audit.map((a) => a.action).sort()).toEqual(["integration.created", "integration.updated"]);
    for (const s of [SECRET, "verify-token-123", "EAAG-secret-access-token"])
      expect(JSON.stringify(audit)).not.toContain(s);
    // Malformed: a phone number instead of the phone number id; a Samsara secret that is not base64.
    expect(
      await trpcCode(
        ownerA.api.integration.create({
          provider: "whatsapp",
          externalId: "+15125550100",
          secret: SECRET,
          verifyToken: "verify-token-123",
        }),
      ),
    ).toBe("BAD_REQUEST");
    expect(
      await trpcCode(
        ownerA.api.integration.create({ provider: "samsara", externalId: "org-x", secret: "not base64!" }),
      ),
    ).toBe("BAD_REQUEST");
    // WhatsApp as the transport needs an access token: refused while none is set.
    expect(await trpcCode(ownerA.api.conversation.updateSettings({ transport: "whatsapp" }))).toBe("BAD_REQUEST");
    await ownerA.api.integration.delete({ integrationId: created.id });
    expect(await ownerA.api.integration.list()).toEqual([]);
  });

  it("validates rule settings and messaging settings with reasons", async () => {
    expect(await ownerA.api.event.rules()).toEqual({
      overspeedKph: null,
      overspeedMinDurationS: 15,
      idleMaxS: 600,
      deviceOfflineEvents: true,
    });
    expect(await trpcCode(ownerA.api.event.updateRules({ idleMaxS: 5 }))).toBe("BAD_REQUEST");
    expect(await ownerA.api.event.updateRules({ overspeedKph: 88, idleMaxS: null })).toMatchObject({
      overspeedKph: 88,
      idleMaxS: null,
    });
    expect(await trpcCode(ownerA.api.conversation.updateSettings({ quietStart: "22:00" }))).toBe("BAD_REQUEST");
    expect(await ownerA.api.conversation.updateSettings({ quietStart: "22:00", quietEnd: "06:00" })).toEqual({
      quietStart: "22:00",
      quietEnd: "06:00",
      transport: "local",
    });
    // B's settings are untouched by A's.
    expect(await ownerB.api.event.rules()).toMatchObject({ overspeedKph: null });
    expect(await ownerB.api.conversation.settings()).toMatchObject({ quietStart: null });
  });
});
