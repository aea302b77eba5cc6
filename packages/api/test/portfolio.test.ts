/**
 * The account manager screens' API (`portfolio.*`) against the real database: an account manager's
 * own tenants by default and all on request (admins and analysts: all), sorting with nulls last,
 * the 7/30-day trend arithmetic (nearest earlier day when a day is missing), ARR = MRR × 12 of the
 * live subscriptions, the renewal date (nearest live, not yet renewed contract), the distribution,
 * at-risk list and renewal bubbles, the tenant detail (components, drivers, history, activity),
 * alerts and tasks (completing one is audited), the CRM timeline's tasks and invoices — and access:
 * tenant users FORBIDDEN, analysts read but do not complete tasks. Score rows are inserted as the
 * database owner (what the daily scoring writes).
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditRows,
  createUser,
  createWorld,
  DAY_MS,
  signIn,
  type TestClient,
  trpcCode,
  uniqueEmail,
  type World,
} from "./fixtures";

afterAll(() => disconnectAll());

/** UTC midnight `days` from today (negative: ago). */
const dayIn = (days: number) => {
  const d = new Date(Date.now() + days * DAY_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
};
const tag = () => Math.random().toString(36).slice(2, 8);

async function newTenant(name: string, segment: string | null = null) {
  return testOwnerPrisma().tenant.create({
    data: {
      name: `${name} ${tag()}`,
      slug: `pf-${tag()}-${tag()}`,
      countryCode: "US",
      defaultCurrency: "USD",
      status: "active",
      segment,
    },
  });
}

async function assign(tenantId: string, employeeId: string, opts: { ended?: boolean } = {}) {
  await testOwnerPrisma().tenantAccountManager.create({
    data: {
      tenantId,
      employeeId,
      role: "owner",
      startDate: dayIn(-400),
      endDate: opts.ended ? dayIn(-10) : null,
    },
  });
}

interface ScoreDay {
  daysAgo: number;
  score: number;
  churnRisk?: number;
  drivers?: { driver: string; contribution: number; reason: string }[];
  components?: { key: string; score: number | null; weight: number; reason: string }[];
  /** Store the engagement component without data (score null; its column keeps a placeholder). */
  engagementNull?: boolean;
}

const bandOf = (score: number) => (score < 50 ? "red" : score <= 75 ? "yellow" : "green");

async function insertScores(tenantId: string, days: ScoreDay[]) {
  await testOwnerPrisma().tenantHealthScore.createMany({
    data: days.map((d) => ({
      tenantId,
      day: dayIn(-d.daysAgo),
      score: d.score,
      band: bandOf(d.score),
      profile: "default",
      productUsageScore: d.score,
      supportScore: Math.min(100, d.score + 5),
      engagementScore: d.engagementNull ? null : Math.max(0, d.score - 5),
      businessScore: 60,
      // As the scoring stores them (ZHealthComponent); by default the four columns' values.
      components: (
        d.components ?? [
          { key: "productUsage", score: d.score, weight: 40, reason: "usage" },
          { key: "support", score: Math.min(100, d.score + 5), weight: 25, reason: "support" },
          { key: "engagement", score: d.engagementNull ? null : Math.max(0, d.score - 5), weight: 20, reason: "—" },
          { key: "business", score: 60, weight: 15, reason: "business" },
        ]
      ).map((c) => ({
        ...c,
        label: c.key,
        effectiveWeight: c.score === null ? 0 : c.weight,
        inputs: {},
        reference: "previous 30 days",
        signals: [],
      })),
      churnRisk: d.churnRisk ?? 20,
      churnHorizonDays: 90,
      churnDrivers: d.drivers ?? [],
    })),
  });
}

async function subscription(tenantId: string, status: "active" | "trialing" | "canceled", mrrMinor: number) {
  await testOwnerPrisma().bilTenantSubscription.create({
    data: {
      tenantId,
      status,
      mrrMinor,
      currency: "USD",
      stripeCustomerId: `cus_${tag()}`,
      stripeSubscriptionId: `sub_${tag()}${tag()}`,
    },
  });
}

async function contract(
  tenantId: string,
  expiresInDays: number,
  status: "active" | "pending_renewal" | "expired" | "terminated",
  renewsContractId?: string,
) {
  return testOwnerPrisma().crmContract.create({
    data: {
      tenantId,
      planName: `Plan ${expiresInDays}`,
      effectiveDate: dayIn(expiresInDays - 365),
      expiryDate: dayIn(expiresInDays),
      status,
      renewsContractId: renewsContractId ?? null,
    },
  });
}

let world: World;
let admin: TestClient;
let analyst: TestClient;
let am: TestClient;
let amEmployeeId: string;
let owner: TestClient;
/** Assigned to the account manager: rising, gappy, unscored. */
let rising: { id: string; name: string };
let gappy: { id: string; name: string };
let unscored: { id: string; name: string };
/** Not theirs (another account manager / an ended assignment). */
let other: { id: string; name: string };
let formerly: { id: string; name: string };

beforeAll(async () => {
  world = await createWorld();
  admin = await signIn(world.users.providerAdmin.email);
  analyst = await signIn(world.users.providerAnalyst.email);
  owner = await signIn(world.users.ownerA.email);
  const amUser = await createUser(uniqueEmail("staff.am"), undefined, "account_manager");
  am = await signIn(amUser.email);
  amEmployeeId = (await testOwnerPrisma().providerEmployee.findUniqueOrThrow({ where: { userId: amUser.id } })).id;
  const otherAm = await createUser(uniqueEmail("staff.am2"), undefined, "account_manager");
  const otherEmployeeId = (
    await testOwnerPrisma().providerEmployee.findUniqueOrThrow({ where: { userId: otherAm.id } })
  ).id;

  rising = await newTenant("Rising Freight", "enterprise");
  gappy = await newTenant("Gappy Logistics");
  unscored = await newTenant("Unscored Movers");
  other = await newTenant("Other Haulage");
  formerly = await newTenant("Former Transit");
  for (const t of [rising, gappy, unscored]) await assign(t.id, amEmployeeId);
  await assign(other.id, otherEmployeeId);
  await assign(formerly.id, amEmployeeId, { ended: true });

  // Rising: 41 daily scores, 40 days ago = 40 … today = 80 (score = 80 − daysAgo).
  await insertScores(
    rising.id,
    Array.from({ length: 41 }, (_, daysAgo) => ({
      daysAgo,
      score: 80 - daysAgo,
      churnRisk: 10,
      drivers: [{ driver: "nps", contribution: 10, reason: "NPS of 10" }],
      engagementNull: daysAgo === 8,
      components:
        daysAgo === 0
          ? [
              { key: "productUsage", score: 90, weight: 40, reason: "logins up 12% vs the previous 30 days" },
              { key: "support", score: 70, weight: 25, reason: "2 tickets, none urgent" },
              { key: "engagement", score: null, weight: 20, reason: "no engagement data" },
            ]
          : undefined,
    })),
  );
  // Gappy: today 42 (red, churn 75), 9 days ago 45, 45 days ago 60: no score exactly 7 or 30 days
  // before the latest, so no trend (the scoring's definition: model.ts healthTrend).
  await insertScores(gappy.id, [
    {
      daysAgo: 0,
      score: 42,
      churnRisk: 75,
      drivers: [
        { driver: "usage_decline", contribution: 30, reason: "logins down 48% vs the previous 30 days" },
        { driver: "low_nps", contribution: 45, reason: "NPS −40 in the last 90 days" },
      ],
    },
    { daysAgo: 9, score: 45 },
    { daysAgo: 45, score: 60 },
  ]);
  await insertScores(other.id, [{ daysAgo: 1, score: 90 }]);
  await insertScores(formerly.id, [{ daysAgo: 0, score: 30 }]);

  // ARR: rising 13,345.00 a month (active); its earlier, canceled subscription does not count.
  await subscription(rising.id, "canceled", 9_999_900);
  await subscription(rising.id, "active", 1_334_500);
  await subscription(gappy.id, "active", 50_000);

  // Renewal: the nearest live contract that is not yet renewed.
  const renewed = await contract(rising.id, 20, "active");
  await contract(rising.id, 385, "active", renewed.id);
  await contract(rising.id, 60, "pending_renewal");
  await contract(rising.id, 10, "terminated");
  await contract(rising.id, -5, "expired");
  await contract(gappy.id, 30, "active");
});

const names = (rows: { name: string }[]) => rows.map((r) => r.name);

describe("portfolio.list", () => {
  it("shows an account manager their current tenants by default, and all on request", async () => {
    const mine = await am.api.portfolio.list({});
    expect(mine.scope).toBe("mine");
    expect(new Set(names(mine.rows))).toEqual(new Set([rising.name, gappy.name, unscored.name]));
    const all = await am.api.portfolio.list({ scope: "all" });
    expect(all.scope).toBe("all");
    expect(names(all.rows)).toEqual(expect.arrayContaining([rising.name, gappy.name, other.name, formerly.name]));

    const adminView = await admin.api.portfolio.list({ search: "Other Haulage" });
    expect(adminView.scope).toBe("all");
    expect(names(adminView.rows)).toContain(other.name);
    // An admin without assignments has no tenants of their own.
    expect((await admin.api.portfolio.list({ scope: "mine" })).rows).toEqual([]);
    expect((await analyst.api.portfolio.list({})).scope).toBe("all");
  });

  it("computes the trends, churn risk, ARR, renewal date and account managers", async () => {
    const { rows } = await am.api.portfolio.list({});
    const r = rows.find((x) => x.tenantId === rising.id);
    expect(r).toMatchObject({
      score: 80,
      band: "green",
      trend7: 7,
      trend30: 30,
      churnRisk: 10,
      churnHorizonDays: 90,
      segment: "enterprise",
      arrMinor: 1_334_500n * 12n,
      currency: "USD",
      renewalDate: dayIn(60),
      churnRiskThreshold: 70,
    });
    expect(r?.day).toEqual(dayIn(0));
    expect(r?.accountManagers.map((m) => m.employeeId)).toEqual([amEmployeeId]);

    const g = rows.find((x) => x.tenantId === gappy.id);
    expect(g).toMatchObject({ score: 42, band: "red", trend7: null, trend30: null, arrMinor: 600_000n });
    expect(g?.renewalDate).toEqual(dayIn(30));
    expect(g?.topDriver).toEqual({ driver: "low_nps", contribution: 45, reason: "NPS −40 in the last 90 days" });

    const u = rows.find((x) => x.tenantId === unscored.id);
    expect(u).toMatchObject({ score: null, band: null, trend7: null, arrMinor: null, renewalDate: null });
  });

  it("sorts by score, churn risk, ARR, renewal and trend with unscored rows last", async () => {
    const list = async (sort: "score" | "churnRisk" | "arr" | "renewal" | "trend", dir: "asc" | "desc") =>
      names((await am.api.portfolio.list({ sort, dir })).rows);
    expect(await list("score", "asc")).toEqual([gappy.name, rising.name, unscored.name]);
    expect(await list("score", "desc")).toEqual([rising.name, gappy.name, unscored.name]);
    expect(await list("churnRisk", "desc")).toEqual([gappy.name, rising.name, unscored.name]);
    expect(await list("arr", "desc")).toEqual([rising.name, gappy.name, unscored.name]);
    expect(await list("renewal", "asc")).toEqual([gappy.name, rising.name, unscored.name]);
    // Gappy has no score exactly 7 days before its latest: no trend, so last with the unscored (by name).
    expect(await list("trend", "asc")).toEqual([rising.name, gappy.name, unscored.name]);
    expect(names((await am.api.portfolio.list({ band: "red" })).rows)).toEqual([gappy.name]);
  });
});

describe("portfolio charts", () => {
  it("bins scores by ten points and counts bands", async () => {
    const d = await am.api.portfolio.distribution({});
    expect(d.bands).toEqual({ red: 1, yellow: 0, green: 1 });
    expect(d.unscored).toBe(1);
    expect(d.bins).toHaveLength(10);
    expect(d.bins[4]).toMatchObject({ from: 40, to: 49, count: 1, red: 1 });
    expect(d.bins[8]).toMatchObject({ from: 80, to: 89, count: 1, green: 1 });
  });

  it("lists red or high-churn tenants with their top driver, and renewal bubbles", async () => {
    const risk = await am.api.portfolio.atRisk({});
    expect(names(risk.rows)).toEqual([gappy.name]);
    expect(risk.rows[0]?.topDriver?.driver).toBe("low_nps");
    expect(names((await am.api.portfolio.atRisk({ threshold: 5 })).rows)).toEqual([gappy.name, rising.name]);

    const renewals = await am.api.portfolio.renewals({});
    expect(renewals.points.map((p) => [p.name, p.renewalDate, p.score, p.arrMinor])).toEqual([
      [gappy.name, dayIn(30), 42, 600_000n],
      [rising.name, dayIn(60), 80, 1_334_500n * 12n],
    ]);
  });
});

describe("portfolio.overview", () => {
  it("answers what list, distribution, atRisk and renewals answer, from one read", async () => {
    for (const view of [
      { scope: "all" as const, sort: "churnRisk" as const, dir: "desc" as const },
      { sort: "trend" as const, band: "red" as const },
      { search: "rising" },
    ]) {
      const overview = await am.api.portfolio.overview(view);
      const list = await am.api.portfolio.list(view);
      const { scope, ...distribution } = await am.api.portfolio.distribution({ scope: view.scope });
      expect(overview.scope).toBe(list.scope);
      expect(overview.scope).toBe(scope);
      expect(overview.rows).toEqual(list.rows);
      expect(overview.distribution).toEqual(distribution);
      expect(overview.atRisk).toEqual((await am.api.portfolio.atRisk({ scope: view.scope })).rows);
      expect(overview.renewals).toEqual((await am.api.portfolio.renewals({ scope: view.scope })).points);
    }
  });
});

describe("one tenant", () => {
  it("returns the latest components with reasons, drivers by contribution, history and activity", async () => {
    const t = await am.api.portfolio.tenant({ tenantId: rising.id });
    expect(t.row.score).toBe(80);
    // A component without data stays null ("no data"), not 0.
    expect(t.components.map((c) => [c.key, c.score, c.weight, c.effectiveWeight, c.reason])).toEqual([
      ["productUsage", 90, 40, 40, "logins up 12% vs the previous 30 days"],
      ["support", 70, 25, 25, "2 tickets, none urgent"],
      ["engagement", null, 20, 0, "no engagement data"],
    ]);
    const g = await am.api.portfolio.tenant({ tenantId: gappy.id });
    expect(g.churnDrivers.map((d) => d.driver)).toEqual(["low_nps", "usage_decline"]);
    expect(await trpcCode(am.api.portfolio.tenant({ tenantId: "00000000-0000-4000-8000-000000000000" }))).toBe(
      "NOT_FOUND",
    );

    const history = await am.api.portfolio.scoreHistory({ tenantId: rising.id, from: dayIn(-9), to: dayIn(0) });
    expect(history).toHaveLength(10);
    expect(history[0]).toMatchObject({ score: 71, productUsage: 71, support: 76, engagement: 66, business: 60 });
    // 8 days ago engagement had no data: a gap (null), not a value.
    expect(history[1]).toMatchObject({ score: 72, productUsage: 72, engagement: null, business: 60 });
    expect(history.at(-1)?.day).toEqual(dayIn(0));
    expect(await trpcCode(am.api.portfolio.scoreHistory({ tenantId: rising.id, from: dayIn(0), to: dayIn(-1) }))).toBe(
      "BAD_REQUEST",
    );

    await testOwnerPrisma().tenantActivityMetric.createMany({
      data: [2, 1].map((daysAgo) => ({
        tenantId: rising.id,
        periodStart: dayIn(-daysAgo),
        periodEnd: dayIn(-daysAgo + 1),
        logins: 10 * daysAgo,
        activeVehicles: 3,
        positions: 5000n,
        messagesSent: 4,
      })),
    });
    const activity = await am.api.portfolio.activity({ tenantId: rising.id, from: dayIn(-30), to: dayIn(0) });
    expect(activity.map((a) => [a.day, a.logins, a.positions])).toEqual([
      [dayIn(-2), 20, 5000],
      [dayIn(-1), 10, 5000],
    ]);
  });

  it("lists alerts and tasks; completing a task is audited and shows on the timeline", async () => {
    const db = testOwnerPrisma();
    const task = await db.crmTask.create({
      data: {
        tenantId: gappy.id,
        title: "Call Gappy about the usage drop",
        source: "health_alert",
        assigneeEmployeeId: amEmployeeId,
        dueDate: dayIn(3),
      },
    });
    await db.healthAlert.create({
      data: { tenantId: gappy.id, day: dayIn(0), kind: "red", message: "Score 42 is red", taskId: task.id },
    });
    await db.healthAlert.create({
      data: { tenantId: gappy.id, day: dayIn(-60), kind: "score_drop", message: "Score dropped 12 points" },
    });
    expect((await am.api.portfolio.list({})).rows.find((r) => r.tenantId === gappy.id)?.openAlerts).toBe(1);
    const alerts = await am.api.portfolio.alerts({ tenantId: gappy.id });
    expect(alerts.map((a) => [a.kind, a.open])).toEqual([
      ["red", true],
      ["score_drop", false],
    ]);
    const tasks = await am.api.portfolio.tasks.list({ tenantId: gappy.id });
    expect(tasks[0]).toMatchObject({ id: task.id, status: "open", assigneeEmployeeId: amEmployeeId });
    expect(tasks[0]?.assigneeName).toBeTruthy();

    expect(await trpcCode(analyst.api.portfolio.tasks.complete({ taskId: task.id }))).toBe("FORBIDDEN");
    const done = await am.api.portfolio.tasks.complete({ taskId: task.id });
    expect(done.status).toBe("done");
    expect(done.completedAt).toBeInstanceOf(Date);
    const audit = await auditRows({ action: "crm_task.completed", entityId: task.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.tenantId).toBe(gappy.id);
    // Again: nothing changes, nothing more is audited.
    await am.api.portfolio.tasks.complete({ taskId: task.id });
    expect(await auditRows({ action: "crm_task.completed", entityId: task.id })).toHaveLength(1);
    expect((await am.api.portfolio.list({})).rows.find((r) => r.tenantId === gappy.id)?.openAlerts).toBe(0);

    await db.bilTenantInvoice.create({
      data: {
        tenantId: gappy.id,
        stripeInvoiceId: `in_${tag()}${tag()}`,
        number: "GAP-0001",
        status: "paid",
        currency: "USD",
        subtotalMinor: 50_000,
        totalMinor: 50_000,
        amountDueMinor: 50_000,
        amountPaidMinor: 50_000,
        issuedAt: new Date(Date.now() - 3 * DAY_MS),
        paidAt: new Date(Date.now() - 2 * DAY_MS),
      },
    });
    const timeline = await am.api.crm.timeline({ tenantId: gappy.id });
    const kinds = timeline.items.map((i) => [i.kind, i.title]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ["task_created", "Task: Call Gappy about the usage drop"],
        ["task_done", "Task done: Call Gappy about the usage drop"],
        ["invoice_issued", "Invoice GAP-0001 issued: $500.00"],
        ["invoice_paid", "Invoice GAP-0001 paid: $500.00"],
      ]),
    );
    expect(timeline.items.map((i) => i.kind).slice(0, 2)).toEqual(["task_done", "task_created"]);
  });
});

describe("access", () => {
  it("is for provider staff only", async () => {
    expect(await trpcCode(owner.api.portfolio.list({}))).toBe("FORBIDDEN");
    expect(await trpcCode(owner.api.portfolio.tenant({ tenantId: world.a.tenant.id }))).toBe("FORBIDDEN");
    expect(await trpcCode(owner.api.portfolio.distribution({}))).toBe("FORBIDDEN");
    const viewer = await signIn(world.users.viewerA.email);
    expect(
      await trpcCode(viewer.api.portfolio.scoreHistory({ tenantId: world.a.tenant.id, from: dayIn(-1), to: dayIn(0) })),
    ).toBe("FORBIDDEN");
  });
});
