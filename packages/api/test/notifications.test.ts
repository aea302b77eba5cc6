/**
 * In-app notifications (adm_notifications) through the real API and under RLS: each person lists and
 * marks only their own; a tenant scope may notify people about its own tenant only; the support
 * metrics are staff-only.
 */
import { notify } from "@fleetcore/core";
import { disconnectAll, withScope } from "@fleetcore/db";
import { testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, signIn, trpcCode, type World } from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

describe("notifications", () => {
  it("lists the caller's own, newest first with the unread count, and marks them read", async () => {
    const { users, a } = world;
    const created = await withScope(testPrisma(), { kind: "tenant", tenantId: a.tenant.id }, (db) =>
      notify(db, {
        userIds: [users.ownerA.id, users.ownerA.id, users.adminA.id],
        tenantId: a.tenant.id,
        kind: "ticket.reply",
        title: "New reply on #1",
        body: "Hello",
        link: "/support/tickets/x",
      }),
    );
    expect(created.map((c) => c.userId).sort()).toEqual([users.adminA.id, users.ownerA.id].sort());
    expect(created[0]?.event).toMatchObject({
      kind: "ticket.reply",
      title: "New reply on #1",
      link: "/support/tickets/x",
    });

    const owner = await signIn(users.ownerA.email);
    const list = await owner.api.notification.list({});
    expect(list.unread).toBe(1);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ title: "New reply on #1", readAt: null });

    // Someone else's notification id is NOT_FOUND, and changes nothing.
    const admin = await signIn(users.adminA.email);
    const adminItem = (await admin.api.notification.list({})).items[0];
    expect(await trpcCode(owner.api.notification.markRead({ ids: [adminItem?.id ?? ""] }))).toBe("NOT_FOUND");
    expect((await admin.api.notification.list({})).unread).toBe(1);

    expect(await owner.api.notification.markRead({ ids: [list.items[0]?.id ?? ""] })).toEqual({ updated: 1 });
    expect((await owner.api.notification.list({})).unread).toBe(0);
    expect(await admin.api.notification.markRead({})).toEqual({ updated: 1 });
  });

  it("row-level security: nobody reads another person's rows, and a tenant cannot notify about another tenant", async () => {
    const { users, a, b } = world;
    const seen = await withScope(testPrisma(), { kind: "user", userId: users.ownerB.id }, (db) =>
      db.notification.count({ where: { userId: users.ownerA.id } }),
    );
    expect(seen).toBe(0);
    const crossTenant = withScope(testPrisma(), { kind: "tenant", tenantId: a.tenant.id }, (db) =>
      notify(db, { userIds: [users.ownerB.id], tenantId: b.tenant.id, kind: "x", title: "spoof" }),
    );
    await expect(crossTenant).rejects.toThrow(/row-level security/);
  });

  it("support metrics are for provider staff only", async () => {
    const { users } = world;
    const owner = await signIn(users.ownerA.email);
    const range = { from: new Date(Date.now() - 86_400_000), to: new Date() };
    expect(await trpcCode(owner.api.supportMetrics.summary(range))).toBe("FORBIDDEN");
    const analyst = await signIn(users.providerAnalyst.email);
    const m = await analyst.api.supportMetrics.summary(range);
    expect(m.buckets.length).toBeGreaterThan(0);
  });
});
