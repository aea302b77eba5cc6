/**
 * A segment's own health profile in the daily scoring, against the real database: a provider admin's
 * profile for "smb" (created through `createHealthProfile`) scores an smb tenant with its weights,
 * thresholds and alert rules, while a tenant without a segment, with the very same figures, stays on
 * the seeded "default". The scored day lies in 2032 (no other test writes there), every call names
 * its tenants, and no other file of this project scores an smb tenant, so files running in parallel
 * neither move these figures nor are moved by the profile.
 */
import { disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { ZHealthComponent } from "@fleetcore/validators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuditTrail,
  createHealthProfile,
  deleteHealthProfile,
  healthProfileForTenant,
  scoreTenants,
  systemActor,
  type Tx,
} from "../src/index";

const DAY = "2032-03-31";
const DAY_MS = 86_400_000;
const dayMs = Date.parse(`${DAY}T00:00:00Z`);
const unique = () => Math.random().toString(36).slice(2, 8);
const tag = unique();

const inTx = <T>(fn: (tx: Tx) => Promise<T>) =>
  withScope(testPrisma(), { kind: "system" }, (db) => fn({ db, audit: new AuditTrail(db, systemActor()) }));

let smb = "";
let plain = "";
let profileId = "";

/**
 * A tenant created in 2030 (established on DAY) whose usage stopped 30 days before DAY, with one
 * engagement 100 days before and a contract expiring 20 days after — health-scoring.test.ts's
 * "Red River Freight". Components: product usage 0 (logins 3000 → 0, no features, no positions;
 * no plan: left out), support 100 (no tickets), engagement 0 (none in 90 days), business 22
 * (renewal 100 × 20/90; no billing). Churn risk 60 (logins −100% 25, renewal ≤ 30 days 15, no
 * engagement for 100 days 10, disengaged 10), whatever the profile.
 */
async function stalledTenant(name: string, segment: "smb" | null): Promise<string> {
  const owner = testOwnerPrisma();
  const t = await owner.tenant.create({
    data: {
      name,
      slug: `${name.toLowerCase().replace(/[^a-z]+/g, "-")}-${unique()}`,
      countryCode: "US",
      defaultCurrency: "USD",
      status: "active",
      segment,
      createdAt: new Date("2030-01-01T00:00:00Z"),
    },
  });
  for (const [from, to, logins] of [
    [59, 30, 100],
    [29, 0, 0],
  ] as const) {
    await owner.$executeRawUnsafe(
      `INSERT INTO adm_tenant_activity_metrics (tenant_id, period_start, period_end, logins, positions)
       SELECT $1::uuid, d::date, d::date + 1, $4, 0
         FROM generate_series($2::date, $3::date, interval '1 day') d`,
      t.id,
      new Date(dayMs - from * DAY_MS).toISOString().slice(0, 10),
      new Date(dayMs - to * DAY_MS).toISOString().slice(0, 10),
      logins,
    );
  }
  await owner.crmEngagement.create({
    data: {
      tenantId: t.id,
      type: "call",
      title: "Kick-off",
      outcome: "positive",
      completedAt: new Date(dayMs - 100 * DAY_MS + 10 * 3_600_000),
    },
  });
  await owner.crmContract.create({
    data: {
      tenantId: t.id,
      planName: "Fleet Basic",
      effectiveDate: new Date(dayMs - 345 * DAY_MS),
      expiryDate: new Date(dayMs + 20 * DAY_MS),
      status: "active",
    },
  });
  return t.id;
}

beforeAll(async () => {
  smb = await stalledTenant("Small Parcel Co", "smb");
  plain = await stalledTenant("Unsegmented Haulage", null);
  // Support-heavy weights, a lower green line and a lower churn alert; renewals alert later.
  const profile = await inTx((tx) =>
    createHealthProfile(tx, {
      name: `smb-${tag}`,
      segment: "smb",
      lifecycle: null,
      priority: 5,
      weights: { productUsage: 10, support: 70, engagement: 10, business: 10 },
      thresholds: { red: 40, green: 70 },
      alertRules: { scoreDrop: 10, churnRisk: 50, renewalNoEngagementDays: 10 },
    }),
  );
  profileId = profile.id;
});

afterAll(async () => {
  await testOwnerPrisma().healthProfile.deleteMany({ where: { id: profileId } });
  await disconnectAll();
});

describe("a segment's own health profile", () => {
  it("is the one the scoring resolves for the segment's tenants only", async () => {
    const day = new Date(dayMs);
    expect((await inTx((tx) => healthProfileForTenant(tx.db, { tenantId: smb, day }))).profile.name).toBe(`smb-${tag}`);
    expect((await inTx((tx) => healthProfileForTenant(tx.db, { tenantId: plain, day }))).profile.name).toBe("default");
  });

  it("scores an smb tenant with its weights and thresholds; the same figures without a segment use the default", async () => {
    const result = await scoreTenants(testPrisma(), { day: DAY, tenantIds: [smb, plain] });
    expect(result.scored).toBe(2);
    const rows = await testOwnerPrisma().tenantHealthScore.findMany({
      where: { tenantId: { in: [smb, plain] }, day: new Date(dayMs) },
    });
    const smbRow = rows.find((r) => r.tenantId === smb);
    const plainRow = rows.find((r) => r.tenantId === plain);
    const components = { productUsageScore: 0, supportScore: 100, engagementScore: 0, businessScore: 22 };
    // (10·0 + 70·100 + 10·0 + 10·22) / 100 = 72.2 → 72: green above its green line of 70 (yellow by the default's 75).
    expect(smbRow).toMatchObject({ score: 72, band: "green", profile: `smb-${tag}`, churnRisk: 60, ...components });
    // (40·0 + 25·100 + 20·0 + 15·22) / 100 = 28.3 → 28: red below 50.
    expect(plainRow).toMatchObject({ score: 28, band: "red", profile: "default", churnRisk: 60, ...components });
    const weights = ZHealthComponent.array()
      .parse(smbRow?.components)
      .map((c) => [c.key, c.weight, c.effectiveWeight]);
    expect(weights).toEqual([
      ["productUsage", 10, 10],
      ["support", 70, 70],
      ["engagement", 10, 10],
      ["business", 10, 10],
    ]);
  });

  it("raises the alerts of the tenant's profile", async () => {
    const alerts = await testOwnerPrisma().healthAlert.findMany({ where: { tenantId: { in: [smb, plain] } } });
    const kinds = (id: string) =>
      alerts
        .filter((a) => a.tenantId === id)
        .map((a) => a.kind)
        .sort();
    // smb: churn 60 ≥ 50; green, and the renewal in 20 days is beyond its 10-day rule.
    expect(kinds(smb)).toEqual(["churn_risk"]);
    // default: churn 60 < 70; red, and the renewal in 20 days is within its 30-day rule.
    expect(kinds(plain)).toEqual(["red", "renewal_no_engagement"]);
    expect(alerts.find((a) => a.tenantId === smb)?.details).toMatchObject({ profile: `smb-${tag}` });
  });

  it("after its deletion, the next run scores the segment's tenants with the default again", async () => {
    await inTx((tx) => deleteHealthProfile(tx, { id: profileId }));
    await scoreTenants(testPrisma(), { day: DAY, tenantIds: [smb], notify: false });
    const row = await testOwnerPrisma().tenantHealthScore.findUnique({
      where: { tenantId_day: { tenantId: smb, day: new Date(dayMs) } },
    });
    expect(row).toMatchObject({ score: 28, band: "red", profile: "default" });
  });
});
