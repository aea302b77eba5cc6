/**
 * The chart explorer against the real database. Every row below is inserted here as the database
 * owner, in 2030 and for tenants made here, and every query names its tenants, so other tests' data
 * never moves the figures. Expected values are worked out by hand from the rows listed.
 */
import { randomUUID } from "node:crypto";
import { type Db, disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { EXPLORER_METRICS, type ExploreRequest, type ExploreResult, ZExploreResult } from "@fleetcore/validators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explorerSourceSql } from "../src/analytics/explorerSql";
import { DomainError, explore, explorerBucket, explorerLocalDay, explorerPreviousFrom } from "../src/index";

afterAll(() => disconnectAll());

const tag = Math.random().toString(36).slice(2, 8);
const z = (iso: string) => new Date(iso.endsWith("Z") ? iso : `${iso}Z`);
const asProvider = <T>(fn: (db: Db) => Promise<T>) =>
  withScope(testPrisma(), { kind: "provider", userId: randomUUID() }, fn);
const run = async (input: ExploreRequest): Promise<ExploreResult> => {
  const result = await asProvider((db) => explore(db, input));
  expect(ZExploreResult.safeParse(result).success).toBe(true);
  return result;
};
const values = (r: ExploreResult, metric: string, group = "all") =>
  r.series.find((s) => s.metric === metric && s.group === group)?.points.map((p) => p.value);
const times = (r: ExploreResult) => r.series[0]?.points.map((p) => p.t.toISOString());

const tenant = { a: "", b: "", c: "", d: "", v: "" };
const vehicle = { one: randomUUID(), two: randomUUID() };
const driverId = randomUUID();
let planId = "";

async function activity(tenantId: string, day: string, fields: Record<string, unknown>) {
  const periodStart = z(`${day}T00:00:00`);
  const periodEnd = new Date(periodStart.getTime() + 86_400_000);
  await testOwnerPrisma().tenantActivityMetric.create({ data: { tenantId, periodStart, periodEnd, ...fields } });
}

async function hourly(tenantId: string, hours: string[], fields: Record<string, unknown> = { positions: 1 }) {
  await testOwnerPrisma().tenantFleetHourly.createMany({
    data: hours.map((h) => ({ tenantId, hour: z(h), ...fields })),
  });
}

/** Every hour in [from, to), as ISO strings. */
function hoursBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = z(from).getTime(); t < z(to).getTime(); t += 3_600_000) out.push(new Date(t).toISOString());
  return out;
}

beforeAll(async () => {
  const owner = testOwnerPrisma();
  const newTenant = async (name: string, segment: string | null) =>
    (
      await owner.tenant.create({
        data: {
          name: `${name} ${tag}`,
          slug: `${name.toLowerCase()}-${tag}`,
          countryCode: "FR",
          defaultCurrency: "EUR",
          segment,
        },
      })
    ).id;
  tenant.a = await newTenant("Alpha", "smb");
  tenant.b = await newTenant("Bravo", "enterprise");
  tenant.c = await newTenant("Charlie", "smb");
  tenant.d = await newTenant("Delta", null);
  tenant.v = await newTenant("Victor", "mid_market");

  const plan = await owner.bilBillingPlan.create({
    data: {
      code: `explorer-${tag}`,
      name: `Explorer Pro ${tag}`,
      currency: "EUR",
      monthlyPriceMinor: 10_000,
      includedVehicles: 10,
      includedDrivers: 10,
      overagePerVehicleMinor: 500,
    },
  });
  planId = plan.id;
  for (const [tenantId, status] of [
    [tenant.a, "active"],
    [tenant.b, "past_due"],
  ] as const) {
    await owner.bilTenantSubscription.create({
      data: {
        tenantId,
        planId,
        status,
        currency: "EUR",
        stripeCustomerId: `cus_${tag}`,
        stripeSubscriptionId: `sub_${tag}_${tenantId.slice(0, 8)}`,
      },
    });
  }

  // January 2030 (UTC days). Tenant A: logins 5 / – / 3, CSAT 4.00 from 2 answers on the 1st only,
  // open tickets 3 then 4. B: logins 7, 10 open tickets. C: logins 2, CSAT 2.00 from 1 answer,
  // 1 open ticket. D: logins 1.
  await activity(tenant.a, "2030-01-01", { logins: 5, csatAvg: 4, csatResponses: 2, ticketsOpen: 3 });
  await activity(tenant.a, "2030-01-03", { logins: 3, ticketsOpen: 4 });
  await activity(tenant.b, "2030-01-01", { logins: 7, ticketsOpen: 10 });
  await activity(tenant.c, "2030-01-02", { logins: 2, csatAvg: 2, csatResponses: 1, ticketsOpen: 1 });
  await activity(tenant.d, "2030-01-02", { logins: 1 });

  // Hourly fleet rollup of A: 10, 20 positions in the two days before 3 Feb, 30 on 3 Feb.
  await hourly(tenant.a, ["2030-02-01T05:00:00"], { positions: 10 });
  await hourly(tenant.a, ["2030-02-02T05:00:00"], { positions: 20 });
  await hourly(tenant.a, ["2030-02-03T05:00:00"], { positions: 30 });
  // Tenant B: one position per hour through three Paris days around spring forward (31 March 2030)
  // and through the Paris day clocks go back (27 October 2030).
  await hourly(tenant.b, hoursBetween("2030-03-29T23:00:00", "2030-04-01T22:00:00"));
  await hourly(tenant.b, hoursBetween("2030-10-26T22:00:00", "2030-10-27T23:00:00"));
  // Tenant B's 31 March in the daily table: logged in 9 times.
  await activity(tenant.b, "2030-03-31", { logins: 9 });

  // Telemetry of tenant V on 1 May 2030: vehicle one has 3 fixes, vehicle two 1; the driver takes
  // vehicle one at 10:05.
  await owner.vehicle.create({ data: { id: vehicle.one, tenantId: tenant.v, name: "Van 1", licensePlate: "AB-123" } });
  await owner.vehicle.create({ data: { id: vehicle.two, tenantId: tenant.v, name: "Van 2" } });
  await owner.driver.create({ data: { id: driverId, tenantId: tenant.v, firstName: "Lea", lastName: "Roux" } });
  await owner.vehicleAssignment.create({
    data: { tenantId: tenant.v, vehicleId: vehicle.one, driverId, startAt: z("2030-05-01T10:05:00") },
  });
  const device = randomUUID();
  const fix = (vehicleId: string, time: string, distanceM: number | null, speedKph: number | null) => ({
    tenantId: tenant.v,
    deviceId: vehicleId === vehicle.one ? device : randomUUID(),
    vehicleId,
    time: z(time),
    latitude: 45.76,
    longitude: 4.84,
    distanceM,
    speedKph,
  });
  await owner.position.createMany({
    data: [
      fix(vehicle.one, "2030-05-01T10:00:00", 100, 0),
      fix(vehicle.one, "2030-05-01T10:10:00", 200, 50),
      fix(vehicle.one, "2030-05-01T11:05:00", 50, 30),
      fix(vehicle.two, "2030-05-01T10:30:00", null, 2),
    ],
  });
});

describe("explorer buckets", () => {
  it("picks the finest bucket the data allows within 400 points", () => {
    expect(explorerBucket(z("2030-01-01T00:00:00"), z("2031-01-01T00:00:00"), "auto", "hour")).toBe("day");
    expect(explorerBucket(z("2030-01-01T00:00:00"), z("2030-01-11T00:00:00"), "auto", "hour")).toBe("hour");
    expect(explorerBucket(z("2030-01-01T00:00:00"), z("2030-01-11T00:00:00"), "auto", "day")).toBe("day");
    expect(explorerBucket(z("2030-01-01T00:00:00"), z("2030-01-11T00:00:00"), "hour", "day")).toBe("day");
    expect(explorerBucket(z("2028-01-01T00:00:00"), z("2031-01-01T00:00:00"), "day", "day")).toBe("week");
  });

  it("compares a period holding a DST change with the same number of local days (Europe/Paris, 25 Oct)", () => {
    const at = (iso: string) => new Date(iso);
    // Sun 25 Oct … Sat 31 Oct 2026 in Paris: 7 local days, 169 real hours (clocks go back on the 25th).
    const from = at("2026-10-24T22:00:00Z"); // 25 Oct 00:00 CEST
    const to = at("2026-10-31T23:00:00Z"); // 1 Nov 00:00 CET
    // The previous 7 local days start at 18 Oct 00:00 CEST — not an hour earlier (17 Oct 23:00).
    for (const bucket of ["day", "week", "month"] as const) {
      expect(explorerPreviousFrom(from, to, bucket, "Europe/Paris")).toEqual(at("2026-10-17T22:00:00Z"));
    }
    // The other way: a period after the change compared with one holding it.
    expect(explorerPreviousFrom(at("2026-10-31T23:00:00Z"), at("2026-11-07T23:00:00Z"), "day", "Europe/Paris")).toEqual(
      at("2026-10-24T22:00:00Z"),
    );
    // Hour buckets compare the same number of real hours.
    expect(explorerPreviousFrom(from, to, "hour", "Europe/Paris")).toEqual(at("2026-10-17T21:00:00Z"));
    // UTC: plain subtraction.
    expect(explorerPreviousFrom(at("2026-10-25T00:00:00Z"), at("2026-11-01T00:00:00Z"), "day", "UTC")).toEqual(
      at("2026-10-18T00:00:00Z"),
    );
  });

  it("finds local days (ceil: the first day starting at or after)", () => {
    expect(explorerLocalDay(z("2030-03-30T23:00:00"), "Europe/Paris")).toBe("2030-03-31");
    expect(explorerLocalDay(z("2030-03-30T23:00:00"), "Europe/Paris", true)).toBe("2030-03-31");
    expect(explorerLocalDay(z("2030-03-30T23:30:00"), "Europe/Paris", true)).toBe("2030-04-01");
  });
});

describe("explore", () => {
  it("fills missing buckets of counts with 0 and leaves gauges' as gaps", async () => {
    const r = await run({
      metrics: ["activity.logins", "support.csatAvg"],
      tenantIds: [tenant.a],
      from: z("2030-01-01T00:00:00"),
      to: z("2030-01-04T00:00:00"),
      bucket: "day",
    });
    expect(r.bucket).toBe("day");
    expect(times(r)).toEqual(["2030-01-01T00:00:00.000Z", "2030-01-02T00:00:00.000Z", "2030-01-03T00:00:00.000Z"]);
    expect(values(r, "activity.logins")).toEqual([5, 0, 3]);
    // The 3rd has a row but no CSAT answer: a gap too.
    expect(values(r, "support.csatAvg")).toEqual([4, null, null]);
    expect(r.totals).toEqual([
      { metric: "activity.logins", group: "all", value: 8, previousValue: null },
      { metric: "support.csatAvg", group: "all", value: 4, previousValue: null },
    ]);
    expect(r.series[0]?.groupLabel).toBe("Selected tenants");
  });

  it("groups by segment: counts add up, backlogs are each tenant's last value, CSAT weighted by answers", async () => {
    const r = await run({
      metrics: ["activity.logins", "support.ticketsOpen", "support.csatAvg"],
      groupBy: "segment",
      tenantIds: [tenant.a, tenant.b, tenant.c, tenant.d],
      from: z("2030-01-01T00:00:00"),
      to: z("2030-02-01T00:00:00"),
      bucket: "month",
    });
    expect(times(r)).toEqual(["2030-01-01T00:00:00.000Z"]);
    // smb = A + C, enterprise = B, no segment = D.
    expect(values(r, "activity.logins", "smb")).toEqual([10]);
    expect(values(r, "activity.logins", "enterprise")).toEqual([7]);
    expect(values(r, "activity.logins", "__none__")).toEqual([1]);
    // A's last day says 4 open, C's 1; B 10; D's row has 0.
    expect(values(r, "support.ticketsOpen", "smb")).toEqual([5]);
    expect(values(r, "support.ticketsOpen", "enterprise")).toEqual([10]);
    // (4.00 × 2 + 2.00 × 1) / 3 answers.
    expect(values(r, "support.csatAvg", "smb")?.[0]).toBeCloseTo(10 / 3, 10);
    expect(values(r, "support.csatAvg", "enterprise")).toEqual([null]);
    const labels = r.series.filter((s) => s.metric === "activity.logins").map((s) => s.groupLabel);
    expect(labels).toEqual(["SMB", "Enterprise", "No segment"]);
  });

  it("groups by current plan", async () => {
    const r = await run({
      metrics: ["activity.logins"],
      groupBy: "plan",
      tenantIds: [tenant.a, tenant.b, tenant.c, tenant.d],
      from: z("2030-01-01T00:00:00"),
      to: z("2030-01-04T00:00:00"),
      bucket: "day",
    });
    expect(r.series.map((s) => [s.groupLabel, s.points.map((p) => p.value)])).toEqual([
      [`Explorer Pro ${tag}`, [12, 0, 3]],
      ["No plan", [0, 3, 0]],
    ]);
    expect(r.series[0]?.group).toBe(planId);
  });

  it("keeps the top N groups and sums the rest as Other", async () => {
    const r = await run({
      metrics: ["activity.logins"],
      groupBy: "tenant",
      tenantIds: [tenant.a, tenant.b, tenant.c, tenant.d],
      from: z("2030-01-01T00:00:00"),
      to: z("2030-01-04T00:00:00"),
      bucket: "day",
      topN: 2,
    });
    // Totals: B 7, A 8 → A, B; C 2 + D 1 → Other.
    expect(r.series.map((s) => [s.group, s.groupLabel, s.points.map((p) => p.value)])).toEqual([
      [tenant.a, `Alpha ${tag}`, [5, 0, 3]],
      [tenant.b, `Bravo ${tag}`, [7, 0, 0]],
      ["__other__", "Other (2 tenants)", [0, 3, 0]],
    ]);
    expect(r.totals.map((t) => t.value)).toEqual([8, 7, 3]);
  });

  it("compares with the preceding period, aligned bucket by bucket", async () => {
    const r = await run({
      metrics: ["fleet.positions", "fleet.avgSpeedKph"],
      tenantIds: [tenant.a],
      from: z("2030-02-03T00:00:00"),
      to: z("2030-02-05T00:00:00"),
      bucket: "day",
      compare: true,
    });
    expect(values(r, "fleet.positions")).toEqual([30, 0]);
    expect(r.previous?.from.toISOString()).toBe("2030-02-01T00:00:00.000Z");
    expect(r.previous?.to.toISOString()).toBe("2030-02-03T00:00:00.000Z");
    const prev = r.previous?.series.find((s) => s.metric === "fleet.positions");
    // 1 and 2 February, drawn at 3 and 4 February.
    expect(prev?.points.map((p) => [p.t.toISOString(), p.value])).toEqual([
      ["2030-02-03T00:00:00.000Z", 10],
      ["2030-02-04T00:00:00.000Z", 20],
    ]);
    // No speed anywhere: gaps in both periods.
    expect(r.previous?.series.find((s) => s.metric === "fleet.avgSpeedKph")?.points.map((p) => p.value)).toEqual([
      null,
      null,
    ]);
    expect(r.totals[0]).toEqual({ metric: "fleet.positions", group: "all", value: 30, previousValue: 30 });
  });

  it("buckets local days across spring forward in Europe/Paris (a 23-hour day)", async () => {
    const r = await run({
      metrics: ["fleet.positions"],
      tenantIds: [tenant.b],
      from: z("2030-03-29T23:00:00"),
      to: z("2030-04-01T22:00:00"),
      bucket: "day",
      timezone: "Europe/Paris",
    });
    expect(times(r)).toEqual(["2030-03-29T23:00:00.000Z", "2030-03-30T23:00:00.000Z", "2030-03-31T22:00:00.000Z"]);
    expect(values(r, "fleet.positions")).toEqual([24, 23, 24]);

    // Auto: three days of hourly data fit in hour buckets — 71 real hours.
    const hourly = await run({
      metrics: ["fleet.positions"],
      tenantIds: [tenant.b],
      from: z("2030-03-29T23:00:00"),
      to: z("2030-04-01T22:00:00"),
      timezone: "Europe/Paris",
    });
    expect(hourly.bucket).toBe("hour");
    expect(hourly.series[0]?.points).toHaveLength(71);
    expect(new Set(values(hourly, "fleet.positions"))).toEqual(new Set([1]));

    // A daily row sits at its local midnight in the zone asked for.
    const daily = await run({
      metrics: ["activity.logins"],
      tenantIds: [tenant.b],
      from: z("2030-03-29T23:00:00"),
      to: z("2030-04-01T22:00:00"),
      timezone: "Europe/Paris",
    });
    expect(daily.bucket).toBe("day");
    expect(values(daily, "activity.logins")).toEqual([0, 9, 0]);
  });

  it("has 25 hour buckets on the night clocks go back", async () => {
    const r = await run({
      metrics: ["fleet.positions"],
      tenantIds: [tenant.b],
      from: z("2030-10-26T22:00:00"),
      to: z("2030-10-27T23:00:00"),
      bucket: "hour",
      timezone: "Europe/Paris",
    });
    expect(r.series[0]?.points).toHaveLength(25);
    expect(values(r, "fleet.positions")?.every((v) => v === 1)).toBe(true);
    const byDay = await run({
      metrics: ["fleet.positions"],
      tenantIds: [tenant.b],
      from: z("2030-10-26T22:00:00"),
      to: z("2030-10-27T23:00:00"),
      bucket: "day",
      timezone: "Europe/Paris",
    });
    expect(values(byDay, "fleet.positions")).toEqual([25]);
  });

  it("groups telemetry by vehicle and by driver from positions", async () => {
    const base = {
      metrics: ["fleet.positions", "fleet.distanceM", "fleet.avgSpeedKph"],
      tenantIds: [tenant.v],
      from: z("2030-05-01T10:00:00"),
      to: z("2030-05-01T12:00:00"),
      bucket: "auto" as const,
    };
    const byVehicle = await run({ ...base, groupBy: "vehicle" });
    expect(byVehicle.bucket).toBe("hour");
    expect(values(byVehicle, "fleet.positions", vehicle.one)).toEqual([2, 1]);
    expect(values(byVehicle, "fleet.positions", vehicle.two)).toEqual([1, 0]);
    expect(values(byVehicle, "fleet.distanceM", vehicle.one)).toEqual([300, 50]);
    expect(values(byVehicle, "fleet.distanceM", vehicle.two)).toEqual([0, 0]);
    // Moving fixes only (> 3 km/h): 50 at 10:10, 30 at 11:05; vehicle two never moved.
    expect(values(byVehicle, "fleet.avgSpeedKph", vehicle.one)).toEqual([50, 30]);
    expect(values(byVehicle, "fleet.avgSpeedKph", vehicle.two)).toEqual([null, null]);
    expect(byVehicle.series.find((s) => s.group === vehicle.one)?.groupLabel).toBe("Van 1 (AB-123)");

    const byDriver = await run({ ...base, metrics: ["fleet.positions"], groupBy: "driver" });
    // 10:10 and 11:05 are the driver's; 10:00 (before the assignment) and vehicle two's fix are nobody's.
    expect(values(byDriver, "fleet.positions", driverId)).toEqual([1, 1]);
    expect(values(byDriver, "fleet.positions", "__none__")).toEqual([2, 0]);
    expect(byDriver.series.map((s) => s.groupLabel).sort()).toEqual(["Lea Roux", "No driver"]);
  });

  it("rejects vehicle grouping without exactly one tenant, and metrics without telemetry", async () => {
    const base = { from: z("2030-05-01T10:00:00"), to: z("2030-05-01T12:00:00") };
    await expect(
      asProvider((db) => explore(db, { ...base, metrics: ["fleet.positions"], groupBy: "vehicle" })),
    ).rejects.toBeInstanceOf(DomainError);
    await expect(
      asProvider((db) =>
        explore(db, { ...base, metrics: ["activity.logins"], groupBy: "driver", tenantIds: [tenant.v] }),
      ),
    ).rejects.toThrow(/cannot be grouped/);
  });

  it("reads only the chunks of the period (chunk exclusion on the hourly rollup)", async () => {
    const metrics = EXPLORER_METRICS.filter((m) => m.id === "fleet.positions");
    const { sql, params } = explorerSourceSql("fleet_hourly", metrics, {
      groupBy: "tenant",
      bucket: "day",
      interval: "1 day",
      timezone: "UTC",
      from: z("2030-02-03T00:00:00"),
      to: z("2030-02-05T00:00:00"),
      lo: z("2030-02-03T00:00:00"),
      loDay: "2030-02-03",
      fromDay: "2030-02-03",
      toDay: "2030-02-05",
      tenantIds: undefined,
      topN: 10,
    });
    const chunksIn = (text: string) => new Set(text.match(/_hyper_\d+_\d+_chunk/g) ?? []);
    const plan = await asProvider((db) => db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`, ...params));
    const all = await testOwnerPrisma().$queryRawUnsafe<{ chunk_name: string }[]>(
      "SELECT chunk_name FROM timescaledb_information.chunks WHERE hypertable_name = 'adm_tenant_fleet_hourly'",
    );
    // February, March–April and October 2030 rows above: at least three 30-day chunks; one is read.
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(chunksIn(plan.map((r) => r["QUERY PLAN"]).join("\n")).size).toBe(1);
  });
});
