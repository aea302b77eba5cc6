/**
 * Product usage recording: the UsageRecorder's batching, bounded buffer and shutdown flush (with a
 * fake writer), then the real path — procedure calls of a member through tenantProcedure and the
 * `usage.page` beacon — written to adm_product_usage_events in the real database.
 */
import { randomUUID } from "node:crypto";
import {
  insertUsageEvents,
  LoginThrottle,
  login,
  pageFeature,
  type UsageEvent,
  UsageRecorder,
  validateSessionToken,
} from "@fleetcore/core";
import { disconnectAll, withScope } from "@fleetcore/db";
import { testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller, createContextInner } from "../src/index";
import { PAGE_VIEWS_PER_WINDOW, PageViewLimiter } from "../src/usage";
import { createWorld, PASSWORD, trpcCode, type World } from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

const event = (feature: string): UsageEvent => ({
  time: new Date(),
  tenantId: "00000000-0000-4000-8000-000000000000",
  userId: null,
  feature,
  kind: "procedure",
});

/** A writer that records batches and can be held (a slow database). */
function fakeWriter() {
  const batches: string[][] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  return {
    batches,
    hold() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
    write: async (events: readonly UsageEvent[]) => {
      await gate;
      batches.push(events.map((e) => e.feature));
    },
  };
}

describe("UsageRecorder", () => {
  it("writes in batches of batchSize, starting a flush as soon as a batch is full", async () => {
    const w = fakeWriter();
    const recorder = new UsageRecorder(w.write, { batchSize: 3, flushIntervalMs: 60_000 });
    for (const f of ["a", "b", "c", "d"]) expect(recorder.record(event(f))).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    await recorder.flush();
    expect(w.batches).toEqual([["a", "b", "c"], ["d"]]);
    expect(recorder.stats).toEqual({ recorded: 4, dropped: 0, written: 4, failed: 0, buffered: 0 });
  });

  it("flushes on its timer", async () => {
    const w = fakeWriter();
    const recorder = new UsageRecorder(w.write, { batchSize: 100, flushIntervalMs: 20 }).start();
    recorder.record(event("a"));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(w.batches).toEqual([["a"]]);
    await recorder.stop();
  });

  it("drops and counts events beyond its bound while the database is slow, and recovers", async () => {
    const w = fakeWriter();
    w.hold();
    const recorder = new UsageRecorder(w.write, { batchSize: 2, maxBuffered: 4, flushIntervalMs: 60_000 });
    const flushing = recorder.flush(); // nothing buffered yet: returns at once
    await flushing;
    recorder.record(event("a"));
    recorder.record(event("b")); // a full batch: a flush starts and waits on the writer
    await new Promise((resolve) => setImmediate(resolve));
    const kept = ["c", "d", "e", "f", "g"].map((f) => recorder.record(event(f)));
    expect(kept).toEqual([true, true, true, true, false]); // a, b in flight; 4 buffered; g dropped
    expect(recorder.stats).toMatchObject({ recorded: 6, dropped: 1, buffered: 4 });
    w.release();
    await recorder.flush();
    expect(w.batches).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
    ]);
    expect(recorder.stats).toMatchObject({ written: 6, dropped: 1, buffered: 0 });
  });

  it("counts a failed write, reports it and carries on; stop() flushes and refuses more", async () => {
    const errors: number[] = [];
    let fail = true;
    const written: string[] = [];
    const recorder = new UsageRecorder(
      async (events) => {
        if (fail) throw new Error("database down");
        written.push(...events.map((e) => e.feature));
      },
      { onError: (_err, lost) => errors.push(lost) },
    );
    recorder.record(event("a"));
    await recorder.flush();
    fail = false;
    recorder.record(event("b"));
    await recorder.stop();
    expect(recorder.record(event("c"))).toBe(false);
    expect(errors).toEqual([1]);
    expect(written).toEqual(["b"]);
    expect(recorder.stats).toMatchObject({ recorded: 2, written: 1, failed: 1, dropped: 1 });
  });
});

describe("pageFeature and PageViewLimiter", () => {
  it("names a page without ids, query or fragment", () => {
    expect(pageFeature("/vehicles/3f0c8a1e-2b4d-4c6e-8f00-123456789abc/history?from=2026-01-01#map")).toBe(
      "page:/vehicles/:id/history",
    );
    expect(pageFeature("/support/tickets/1042/")).toBe("page:/support/tickets/:id");
    expect(pageFeature("/invite/abcdefghijklmnopqrstuvwxyz012345")).toBe("page:/invite/:id");
    expect(pageFeature("/")).toBe("page:/");
    expect(pageFeature("javascript:alert(1)")).toBe("page:/");
  });

  it("allows `limit` views per window per key", () => {
    let now = 0;
    const limiter = new PageViewLimiter(2, 1000, 10_000, () => now);
    expect([limiter.allow("s"), limiter.allow("s"), limiter.allow("s"), limiter.allow("t")]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    now = 1000;
    expect(limiter.allow("s")).toBe(true);
  });
});

describe("recording from the API (real database)", () => {
  async function callerFor(email: string, recorder: UsageRecorder) {
    const prisma = testPrisma();
    const signed = await login(
      prisma,
      { email, password: PASSWORD },
      { ipAddress: "203.0.113.9" },
      new LoginThrottle(),
    );
    const validated = await validateSessionToken(prisma, signed.token);
    return createCaller(
      createContextInner({ prisma, session: validated?.session ?? null, services: { usage: recorder } }),
    );
  }

  const stored = (userId: string) =>
    withScope(testPrisma(), { kind: "system" }, (db) =>
      db.productUsageEvent.findMany({ where: { userId }, orderBy: { time: "asc" } }),
    );

  it("records a member's successful mutations and page views, in one batch after flush", async () => {
    const recorder = UsageRecorder.forPrisma(testPrisma(), { flushIntervalMs: 60_000 });
    const api = await callerFor(world.users.dispatcherA.email, recorder);
    await api.conversation.markRead({ driverId: randomUUID() });
    await api.conversation.markRead({ driverId: randomUUID() });
    // A refused call (a dispatcher may not manage members) records nothing.
    expect(await trpcCode(api.member.invite({ email: "x@example.com", roleIds: [] } as never))).not.toBe("OK");
    expect(await api.usage.page({ path: `/vehicles/${world.a.vehicle.id}?tab=history` })).toEqual({ recorded: true });
    expect(recorder.stats).toMatchObject({ recorded: 3, buffered: 3, written: 0 });
    expect(await stored(world.users.dispatcherA.id)).toEqual([]); // nothing on the request path

    await recorder.flush();
    const rows = await stored(world.users.dispatcherA.id);
    expect(rows.map((r) => [r.feature, r.kind, r.tenantId])).toEqual([
      ["conversation.markRead", "procedure", world.a.tenant.id],
      ["conversation.markRead", "procedure", world.a.tenant.id],
      ["page:/vehicles/:id", "page", world.a.tenant.id],
    ]);
  });

  it("records no queries: polling (refetchInterval) is not use", async () => {
    const recorder = new UsageRecorder(async () => {}, { flushIntervalMs: 60_000 });
    const api = await callerFor(world.users.dispatcherA.email, recorder);
    for (let i = 0; i < 5; i++) {
      await api.vehicle.list({});
      await api.conversation.outbox({});
    }
    expect(recorder.stats).toMatchObject({ recorded: 0, buffered: 0 });
  });

  it("does not record visiting staff, and rate-limits the page beacon per session", async () => {
    const recorder = new UsageRecorder(async () => {}, { flushIntervalMs: 60_000 });
    const api = await callerFor(world.users.viewerA.email, recorder);
    const results: boolean[] = [];
    for (let i = 0; i <= PAGE_VIEWS_PER_WINDOW; i++) results.push((await api.usage.page({ path: "/feed" })).recorded);
    expect(results.filter(Boolean)).toHaveLength(PAGE_VIEWS_PER_WINDOW);
    expect(results.at(-1)).toBe(false);

    const anonymous = createCaller(createContextInner({ prisma: testPrisma(), services: { usage: recorder } }));
    expect(await trpcCode(anonymous.usage.page({ path: "/feed" }))).toBe("UNAUTHORIZED");

    // Staff visiting the tenant: neither their calls nor their page views are the customer's usage.
    const staff = await callerFor(world.users.providerAdmin.email, recorder);
    expect(await staff.usage.page({ path: "/admin" })).toEqual({ recorded: false }); // no tenant yet
    await staff.auth.switchTenant({ tenantId: world.a.tenant.id });
    const before = recorder.stats.recorded;
    await staff.vehicle.list({});
    expect(await staff.usage.page({ path: "/feed" })).toEqual({ recorded: false });
    expect(recorder.stats.recorded).toBe(before);
  });

  it("insertUsageEvents writes many rows in one statement", async () => {
    const userId = world.users.ownerB.id;
    const events = Array.from({ length: 250 }, (_, i) => ({
      time: new Date(Date.UTC(2026, 0, 1, 0, i)),
      tenantId: world.b.tenant.id,
      userId,
      feature: `f${i % 5}`,
      kind: "procedure" as const,
    }));
    expect(await insertUsageEvents(testPrisma(), events)).toBe(250);
    expect(await stored(userId)).toHaveLength(250);
  });
});
