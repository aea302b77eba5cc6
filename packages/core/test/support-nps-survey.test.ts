/**
 * The periodic NPS survey (packages/core/src/support/feedback.ts `requestDueNps`): a tenant older
 * than 30 days with no NPS request in 90 days has its owners and admins asked (not its dispatchers),
 * notified in-app and by email; nobody is asked twice while a request is open; 90 days later it
 * asks again; young tenants and the seed's modelled tenants are left out.
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import { NPS_SURVEY_INTERVAL_DAYS, OutboxEmailTransport, requestDueNps } from "../src/index";

const DAY_MS = 86_400_000;
const unique = () => Math.random().toString(36).slice(2, 10);

afterAll(disconnectAll);

async function tenantWith(roles: string[], opts: { ageDays: number; metadata?: object }) {
  const db = testOwnerPrisma();
  const tag = unique();
  const tenant = await db.tenant.create({
    data: {
      name: `Survey ${tag}`,
      slug: `survey-${tag}`,
      countryCode: "US",
      defaultCurrency: "USD",
      status: "active",
      createdAt: new Date(Date.now() - opts.ageDays * DAY_MS),
      ...(opts.metadata ? { metadata: opts.metadata } : {}),
    },
  });
  const users: Record<string, string> = {};
  for (const name of roles) {
    const user = await db.user.create({ data: { email: `${name}.${tag}@example.com`, fullName: name } });
    const role = await db.role.findFirstOrThrow({ where: { tenantId: null, name } });
    const member = await db.member.create({
      data: { tenantId: tenant.id, userId: user.id, status: "active", joinedAt: new Date() },
    });
    await db.memberRole.create({ data: { memberId: member.id, roleId: role.id, tenantId: tenant.id } });
    users[name] = user.id;
  }
  return { tenantId: tenant.id, users };
}

const requestsOf = (tenantId: string) =>
  testOwnerPrisma().supCustomerFeedback.findMany({ where: { tenantId, kind: "nps" }, orderBy: { requestedAt: "asc" } });

describe("requestDueNps", () => {
  it("asks owners and admins of a tenant due for its survey, once per open request, again after 90 days", async () => {
    const due = await tenantWith(["owner", "admin", "dispatcher"], { ageDays: 120 });
    const young = await tenantWith(["owner"], { ageDays: 5 });
    const modelled = await tenantWith(["owner"], { ageDays: 200, metadata: { demoPortfolio: true } });
    const transport = new OutboxEmailTransport();
    const now = new Date();

    const first = await requestDueNps(testPrisma(), now, { email: { transport, publicUrl: "https://fleet.test" } });
    const asked = await requestsOf(due.tenantId);
    expect(asked.map((r) => r.recipientUserId).sort()).toEqual([due.users.owner, due.users.admin].sort());
    expect(asked.every((r) => r.requestedByUserId === null && r.rating === null)).toBe(true);
    expect(first.notifications.map((n) => n.userId)).toEqual(
      expect.arrayContaining([due.users.owner, due.users.admin]),
    );
    expect(first.notifications.some((n) => n.userId === due.users.dispatcher)).toBe(false);
    expect(await requestsOf(young.tenantId)).toHaveLength(0);
    expect(await requestsOf(modelled.tenantId)).toHaveLength(0);
    const audit = await testOwnerPrisma().auditLog.findMany({
      where: { tenantId: due.tenantId, action: "support_feedback.nps_requested", actorType: "system" },
    });
    expect(audit).toHaveLength(1);

    // Within the interval: nothing more.
    await requestDueNps(testPrisma(), new Date(now.getTime() + 10 * DAY_MS));
    expect(await requestsOf(due.tenantId)).toHaveLength(2);

    // The owner answers; after the interval, the owner is asked again, the admin (still open) is not.
    await testOwnerPrisma().supCustomerFeedback.updateMany({
      where: { tenantId: due.tenantId, recipientUserId: due.users.owner },
      data: { rating: 9, respondedAt: now },
    });
    const later = new Date(now.getTime() + (NPS_SURVEY_INTERVAL_DAYS + 1) * DAY_MS);
    await requestDueNps(testPrisma(), later);
    const after = await requestsOf(due.tenantId);
    expect(after).toHaveLength(3);
    expect(after.at(-1)?.recipientUserId).toBe(due.users.owner);

    // Everyone has an open request: the tenant is skipped, and no empty audit row is written.
    await requestDueNps(testPrisma(), new Date(later.getTime() + (NPS_SURVEY_INTERVAL_DAYS + 1) * DAY_MS));
    expect(await requestsOf(due.tenantId)).toHaveLength(3);
    expect(
      await testOwnerPrisma().auditLog.count({
        where: { tenantId: due.tenantId, action: "support_feedback.nps_requested", actorType: "system" },
      }),
    ).toBe(2);
  });
});
