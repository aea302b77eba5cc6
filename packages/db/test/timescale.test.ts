import { afterAll, describe, expect, it } from "vitest";
import { disconnectAll, getTimescaleStatus, listHypertables, withScope } from "../src/index";
import { testPrisma } from "../src/test-context";

afterAll(() => disconnectAll());

describe("TimescaleDB", () => {
  it("is installed, with its license reported", async () => {
    const status = await getTimescaleStatus(testPrisma());
    expect(status.version).toMatch(/^2\.\d+\.\d+/);
    expect(["apache", "timescale"]).toContain(status.license);
    expect(status.tslFeatures).toBe(status.license === "timescale");
  });

  it("stores positions in the tel_positions hypertable, partitioned by time in 1-day chunks", async () => {
    const hypertables = await listHypertables(testPrisma());
    expect(hypertables).toContainEqual(
      expect.objectContaining({ name: "tel_positions", timeColumn: "time", chunkIntervalS: 86_400 }),
    );
  });

  it("keeps one row per device and fix time (duplicates are idempotent) and splits days into chunks", async () => {
    // As the application role in the platform's system scope: new chunks must be creatable without ownership.
    await withScope(testPrisma(), { kind: "system" }, async (db) => {
      const tenant = await db.tenant.create({
        data: { name: "Chunk Test", slug: `chunk-test-${Date.now()}`, countryCode: "US", defaultCurrency: "USD" },
      });
      const device = await db.device.create({
        data: { tenantId: tenant.id, uniqueId: `chunk-${Date.now()}`, name: "t" },
      });
      const fix = (iso: string) => ({
        time: new Date(iso),
        tenantId: tenant.id,
        deviceId: device.id,
        latitude: 30.2672,
        longitude: -97.7431,
        speedKph: 36.5,
      });
      const rows = [fix("2026-01-01T10:00:00Z"), fix("2026-01-02T10:00:00Z"), fix("2026-01-03T10:00:00Z")];
      expect((await db.position.createMany({ data: rows })).count).toBe(3);
      // The same fixes again: nothing new is stored.
      expect((await db.position.createMany({ data: rows, skipDuplicates: true })).count).toBe(0);
      expect(await db.position.count({ where: { deviceId: device.id } })).toBe(3);
      const chunks = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM show_chunks('tel_positions')`;
      expect(chunks[0]?.n).toBeGreaterThanOrEqual(3);
    });
  });
});
