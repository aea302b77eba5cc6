import { disconnectAll, getPgPool } from "@fleetcore/db";
import { testDatabaseUrl, testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import { applyPositionRetention } from "../src/index";

afterAll(() => disconnectAll());

const DAY = 24 * 60 * 60 * 1000;
const tag = Math.random().toString(36).slice(2, 8);

async function tenantWithPositions(name: string, retentionDays: number, daysAgo: number[], now: Date) {
  const db = testOwnerPrisma();
  const tenant = await db.tenant.create({
    data: {
      name: `${name} ${tag}`,
      slug: `${name.toLowerCase()}-${tag}`,
      countryCode: "US",
      defaultCurrency: "USD",
      positionRetentionDays: retentionDays,
    },
  });
  const device = await db.device.create({
    data: { tenantId: tenant.id, uniqueId: `${name}-${tag}`, name: "tracker" },
  });
  await db.position.createMany({
    data: daysAgo.map((d) => ({
      time: new Date(now.getTime() - d * DAY),
      tenantId: tenant.id,
      deviceId: device.id,
      latitude: 30.27,
      longitude: -97.74,
    })),
  });
  return tenant.id;
}

const countFor = (tenantId: string) => testOwnerPrisma().position.count({ where: { tenantId } });

describe("position retention", () => {
  it("drops whole chunks past the longest period and deletes rows past each shorter tenant period", async () => {
    const now = new Date();
    const keepsWeek = await tenantWithPositions("Week", 7, [1, 3, 10, 20], now);
    const keepsMonth = await tenantWithPositions("Month", 30, [1, 10, 20, 40], now);
    // Default 365 days: a row 2 years old lives in a chunk every tenant is done with.
    const keepsYear = await tenantWithPositions("Year", 365, [1, 100, 800], now);

    const result = await applyPositionRetention(getPgPool(testDatabaseUrl()), now);
    expect(result.ran).toBe(true);
    expect(result.chunksDropped).toBeGreaterThanOrEqual(1);
    expect(result.rowsDeletedByTenant[keepsWeek]).toBe(2);
    expect(result.rowsDeletedByTenant[keepsMonth]).toBe(1);
    expect(await countFor(keepsWeek)).toBe(2);
    expect(await countFor(keepsMonth)).toBe(3);
    expect(await countFor(keepsYear)).toBe(2);

    // Idempotent: a second run finds nothing more to do.
    const again = await applyPositionRetention(getPgPool(testDatabaseUrl()), now);
    expect(again.chunksDropped).toBe(0);
    expect(again.rowsDeletedByTenant).toEqual({});
  });

  it("refuses to drop chunks younger than the shortest allowed period", async () => {
    await expect(
      testOwnerPrisma().$queryRaw`SELECT app_drop_position_chunks(now() - interval '1 day')`,
    ).rejects.toThrow(/newer than 7 days/);
  });
});
