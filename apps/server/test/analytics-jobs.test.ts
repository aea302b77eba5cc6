/**
 * The analytics timer's pass (apps/server/src/analyticsJobs.ts) against the real database: the
 * rollup runs up to the given clock (a tenant's day row appears, the watermark moves) and the
 * `afterRollup` hook (where the daily health scoring goes) is called with that clock, and the
 * `beforeRollup` hook (the demo portfolio's modelled days) before it; while another
 * process holds the rollup's lock, the pass does nothing and the hook is not called.
 */
import { readRollupWatermark } from "@fleetcore/core";
import { disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import { runAnalyticsPass } from "../src/analyticsJobs";

afterAll(() => disconnectAll());

describe("analytics pass", () => {
  it("rolls up, moves the watermark and calls the scoring hook; skips both while locked", async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const tenant = await testOwnerPrisma().tenant.create({
      data: { name: `Pass ${tag}`, slug: `pass-${tag}`, countryCode: "US", defaultCurrency: "USD", timezone: "UTC" },
    });
    const now = new Date();
    const calls: Date[] = [];
    const afterRollup = async (at: Date) => {
      calls.push(at);
    };

    const before: Date[] = [];
    const beforeRollup = async (at: Date) => {
      before.push(at);
    };
    const { rollup, afterRollupCalled } = await runAnalyticsPass(testPrisma(), now, { afterRollup, beforeRollup });
    expect(rollup).toMatchObject({ ran: true, watermark: now });
    expect(afterRollupCalled).toBe(true);
    expect(calls).toEqual([now]);
    expect(before).toEqual([now]);
    const row = await withScope(testPrisma(), { kind: "system" }, async (db) => ({
      watermark: await readRollupWatermark(db),
      today: await db.tenantActivityMetric.findFirst({
        where: { tenantId: tenant.id, periodStart: new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`) },
      }),
    }));
    expect(row.watermark).toEqual(now);
    expect(row.today).toMatchObject({ positions: 0n, logins: 0 });

    // Another process holds the job's lock: nothing runs, the hook is not called.
    let release: () => void = () => {};
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = testPrisma().$transaction(async (tx) => {
      await tx.$queryRawUnsafe(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text",
        "adm_rollup_watermarks:tenant_activity",
      );
      locked();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await isLocked;
    const skipped = await runAnalyticsPass(testPrisma(), new Date(now.getTime() + 60_000), { afterRollup });
    release();
    await holder;
    expect(skipped).toEqual({ rollup: expect.objectContaining({ ran: false }), afterRollupCalled: false });
    expect(calls).toHaveLength(1);
  });
});
