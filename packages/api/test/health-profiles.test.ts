/**
 * `healthProfiles` through the real API: staff read the profiles and which one applies to a tenant;
 * provider admins create, change and delete profiles (validated, audited); the catch-all "default"
 * cannot be deleted or narrowed; other staff and tenant users are refused. The test edits its own
 * profiles (one at priority −1, so it never wins over the seeded ones), never the seeded ones except
 * through refused calls; no other file of this project scores tenants, so its smb profile moves no
 * one else's figures.
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import type { CreateHealthProfileRequest, UpdateHealthProfileRequest } from "@fleetcore/validators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError, z } from "zod";
import { auditRows, createWorld, signIn, type TestClient, trpcCode, trpcError, type World } from "./fixtures";

let world: World;
let admin: TestClient;
let analyst: TestClient;
let tenantOwner: TestClient;
let profileId = "";
let defaultId = "";
/** An established smb tenant (created 400 days ago). */
let smbTenantId = "";

/** The field errors a form receives for a refused call (the API's errorFormatter does the same). */
async function fieldErrorsOf(p: Promise<unknown>): Promise<Record<string, string[] | undefined>> {
  const e = await trpcError(p);
  expect(e.code).toBe("BAD_REQUEST");
  return e.cause instanceof ZodError ? z.flattenError(e.cause).fieldErrors : {};
}

/** An input the types would refuse, to see what the server says about it. */
const unchecked = <T = CreateHealthProfileRequest>(input: Record<string, unknown>) => input as T;

const SMB_SETTINGS = {
  segment: "smb" as const,
  lifecycle: null,
  priority: 5,
  weights: { productUsage: 30, support: 30, engagement: 25, business: 15 },
  thresholds: { red: 45, green: 70 },
  alertRules: { scoreDrop: 12, churnRisk: 75, renewalNoEngagementDays: 45 },
};

beforeAll(async () => {
  world = await createWorld();
  admin = await signIn(world.users.providerAdmin.email);
  analyst = await signIn(world.users.providerAnalyst.email);
  tenantOwner = await signIn(world.users.ownerA.email);
  const p = await testOwnerPrisma().healthProfile.create({
    data: {
      name: `test-${world.tag}`,
      segment: "mid_market",
      lifecycle: "established",
      priority: -1,
      weights: { productUsage: 40, support: 25, engagement: 20, business: 15 },
      thresholds: { red: 50, green: 75 },
      alertRules: { scoreDrop: 10, churnRisk: 70, renewalNoEngagementDays: 30 },
    },
  });
  profileId = p.id;
  defaultId = (await testOwnerPrisma().healthProfile.findUniqueOrThrow({ where: { name: "default" } })).id;
  const smb = await testOwnerPrisma().tenant.create({
    data: {
      name: `Smb Haulage ${world.tag}`,
      slug: `smb-haulage-${world.tag}`,
      countryCode: "US",
      defaultCurrency: "USD",
      status: "active",
      segment: "smb",
      createdAt: new Date(Date.now() - 400 * 86_400_000),
    },
  });
  smbTenantId = smb.id;
});

afterAll(async () => {
  await testOwnerPrisma().healthProfile.deleteMany({
    where: { OR: [{ id: profileId }, { name: { startsWith: `smb-${world.tag}` } }] },
  });
  await disconnectAll();
});

describe("healthProfiles", () => {
  it("lists the seeded profiles for any staff role, highest priority first", async () => {
    const list = await analyst.api.healthProfiles.list();
    const names = list.map((p) => p.name);
    expect(names.slice(0, 3)).toEqual(["onboarding", "enterprise", "default"]);
    expect(list.find((p) => p.name === "default")).toMatchObject({
      weights: { productUsage: 40, support: 25, engagement: 20, business: 15 },
      thresholds: { red: 50, green: 75 },
      alertRules: { scoreDrop: 10, churnRisk: 70, renewalNoEngagementDays: 30 },
    });
  });

  it("lets a provider admin change weights, thresholds and alert rules (audited)", async () => {
    const updated = await admin.api.healthProfiles.update({
      id: profileId,
      weights: { productUsage: 30, support: 30, engagement: 30, business: 10 },
      thresholds: { red: 45, green: 80 },
      alertRules: { scoreDrop: 12, churnRisk: 65, renewalNoEngagementDays: 45 },
    });
    expect(updated).toMatchObject({
      weights: { productUsage: 30, support: 30, engagement: 30, business: 10 },
      thresholds: { red: 45, green: 80 },
      alertRules: { scoreDrop: 12, churnRisk: 65, renewalNoEngagementDays: 45 },
      priority: -1,
    });
    const audit = await auditRows({ action: "health_profile.updated", entityId: profileId });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actorUserId).toBe(world.users.providerAdmin.id);
    expect(Object.keys(audit[0]?.changes as object).sort()).toEqual(["alertRules", "thresholds", "weights"]);
  });

  it("refuses weights that do not add up to 100 and thresholds with red ≥ green", async () => {
    expect(
      await trpcCode(
        admin.api.healthProfiles.update({
          id: profileId,
          weights: { productUsage: 40, support: 25, engagement: 20, business: 20 },
        }),
      ),
    ).toBe("BAD_REQUEST");
    expect(await trpcCode(admin.api.healthProfiles.update({ id: profileId, thresholds: { red: 70, green: 70 } }))).toBe(
      "BAD_REQUEST",
    );
  });

  it("refuses other staff roles and tenant users", async () => {
    const input = { id: profileId, thresholds: { red: 40, green: 70 } };
    expect(await trpcCode(analyst.api.healthProfiles.update(input))).toBe("FORBIDDEN");
    expect(await trpcCode(tenantOwner.api.healthProfiles.list())).toBe("FORBIDDEN");
  });

  it("NOT_FOUND for an unknown profile", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect(await trpcCode(admin.api.healthProfiles.update({ id: unknown, thresholds: { red: 40, green: 70 } }))).toBe(
      "NOT_FOUND",
    );
    expect(await trpcCode(admin.api.healthProfiles.delete({ id: unknown }))).toBe("NOT_FOUND");
    expect(await trpcCode(analyst.api.healthProfiles.forTenant({ tenantId: unknown }))).toBe("NOT_FOUND");
  });

  it("lets a provider admin rename a profile and change its segment and lifecycle (audited)", async () => {
    const updated = await admin.api.healthProfiles.update({
      id: profileId,
      name: `test-${world.tag}-renamed`,
      segment: "enterprise",
      lifecycle: "onboarding",
    });
    // Priority −1: the seeded "onboarding" profile (20) still wins for onboarding enterprise tenants.
    expect(updated).toMatchObject({
      name: `test-${world.tag}-renamed`,
      segment: "enterprise",
      lifecycle: "onboarding",
    });
    const audit = await auditRows({ action: "health_profile.updated", entityId: profileId });
    expect(audit).toHaveLength(2);
    expect(audit[1]?.changes).toEqual({
      name: { before: `test-${world.tag}`, after: `test-${world.tag}-renamed` },
      segment: { before: "mid_market", after: "enterprise" },
      lifecycle: { before: "established", after: "onboarding" },
    });
    expect(audit[1]?.metadata).toEqual({ name: `test-${world.tag}-renamed` });
  });

  it("lets a provider admin create a profile for a segment (audited) that then applies to its tenants", async () => {
    expect((await analyst.api.healthProfiles.forTenant({ tenantId: smbTenantId })).profile.name).toBe("default");
    const created = await admin.api.healthProfiles.create({ name: `smb-${world.tag}`, ...SMB_SETTINGS });
    expect(created).toMatchObject({ name: `smb-${world.tag}`, ...SMB_SETTINGS });
    expect((await analyst.api.healthProfiles.list()).map((p) => p.name)).toContain(`smb-${world.tag}`);

    const audit = await auditRows({ action: "health_profile.created", entityId: created.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actorUserId).toBe(world.users.providerAdmin.id);
    expect(audit[0]?.changes).toEqual({
      name: { before: null, after: `smb-${world.tag}` },
      segment: { before: null, after: "smb" },
      priority: { before: null, after: 5 },
      weights: { before: null, after: SMB_SETTINGS.weights },
      thresholds: { before: null, after: SMB_SETTINGS.thresholds },
      alertRules: { before: null, after: SMB_SETTINGS.alertRules },
    });

    // The scoring's own resolution: the smb profile for the established smb tenant…
    const applies = await analyst.api.healthProfiles.forTenant({ tenantId: smbTenantId });
    expect(applies).toMatchObject({ segment: "smb", lifecycle: "established", profile: { name: `smb-${world.tag}` } });
    // …onboarding (priority 20 > 5) on a day in its first 30 days…
    const early = await analyst.api.healthProfiles.forTenant({
      tenantId: smbTenantId,
      day: new Date(Date.now() - 390 * 86_400_000),
    });
    expect(early).toMatchObject({ lifecycle: "onboarding", profile: { name: "onboarding" } });
    // …and the default for a tenant without a segment.
    const other = await analyst.api.healthProfiles.forTenant({
      tenantId: world.a.tenant.id,
      day: new Date(Date.now() + 60 * 86_400_000),
    });
    expect(other).toMatchObject({ segment: null, lifecycle: "established", profile: { name: "default" } });
  });

  it("refuses invalid profiles with field errors", async () => {
    const base = { name: `smb-${world.tag}-x`, ...SMB_SETTINGS, segment: "mid_market" as const };
    expect(
      await fieldErrorsOf(
        admin.api.healthProfiles.create({
          ...base,
          weights: { productUsage: 40, support: 25, engagement: 20, business: 20 },
        }),
      ),
    ).toEqual({ weights: ["weights must add up to 100"] });
    expect(
      await fieldErrorsOf(admin.api.healthProfiles.create({ ...base, thresholds: { red: 75, green: 70 } })),
    ).toEqual({ thresholds: ["the red threshold must be below the green threshold"] });
    expect(
      await fieldErrorsOf(admin.api.healthProfiles.create({ ...base, thresholds: { red: 70, green: 70 } })),
    ).toEqual({ thresholds: ["the red threshold must be below the green threshold"] });
    // Not a segment tenants can have (adm_tenants.segment's CHECK), not a stage the scoring knows.
    const retail = await fieldErrorsOf(admin.api.healthProfiles.create(unchecked({ ...base, segment: "retail" })));
    expect(retail).toEqual({ segment: ["one of smb, mid_market, enterprise"] });
    const churned = await fieldErrorsOf(admin.api.healthProfiles.create(unchecked({ ...base, lifecycle: "churned" })));
    expect(churned).toEqual({ lifecycle: ["one of onboarding, established"] });
    expect(Object.keys(await fieldErrorsOf(admin.api.healthProfiles.create({ ...base, name: "  " })))).toEqual([
      "name",
    ]);
    const update = unchecked<UpdateHealthProfileRequest>({ id: profileId, segment: "retail", lifecycle: "churned" });
    expect(Object.keys(await fieldErrorsOf(admin.api.healthProfiles.update(update))).sort()).toEqual([
      "lifecycle",
      "segment",
    ]);
    expect(
      await auditRows({ action: "health_profile.created", actorUserId: world.users.providerAdmin.id }),
    ).toHaveLength(1);
  });

  it("refuses a taken name or segment × lifecycle combination, and a second catch-all (CONFLICT)", async () => {
    const taken = await trpcError(
      admin.api.healthProfiles.create({ ...SMB_SETTINGS, name: `SMB-${world.tag}`, segment: "mid_market" }),
    );
    expect(taken.code).toBe("CONFLICT");
    expect(taken.message).toBe(`A health profile named "smb-${world.tag}" already exists`);
    const sameFilters = await trpcError(
      admin.api.healthProfiles.create({ ...SMB_SETTINGS, name: `smb-${world.tag}-2` }),
    );
    expect(sameFilters.code).toBe("CONFLICT");
    expect(sameFilters.message).toBe(
      `Health profile "smb-${world.tag}" already applies to segment smb, any lifecycle stage: change that one instead`,
    );
    const catchAll = await trpcError(
      admin.api.healthProfiles.create({ ...SMB_SETTINGS, name: `smb-${world.tag}-3`, segment: null }),
    );
    expect(catchAll.code).toBe("CONFLICT");
    expect(catchAll.message).toContain('Health profile "default" already applies to any segment, any lifecycle stage');
    expect(await trpcCode(admin.api.healthProfiles.update({ id: profileId, segment: null, lifecycle: null }))).toBe(
      "CONFLICT",
    );
  });

  it("refuses deleting or narrowing the catch-all default profile", async () => {
    const deleted = await trpcError(admin.api.healthProfiles.delete({ id: defaultId }));
    expect(deleted.code).toBe("BAD_REQUEST");
    expect(deleted.message).toBe(
      '"default" is the catch-all profile and cannot be deleted: it scores every tenant no other profile matches. Change its weights and thresholds instead',
    );
    const narrowed = await trpcError(admin.api.healthProfiles.update({ id: defaultId, segment: "smb" }));
    expect(narrowed.code).toBe("BAD_REQUEST");
    expect(narrowed.message).toContain('"default" is the catch-all profile');
    expect(await testOwnerPrisma().healthProfile.findUnique({ where: { id: defaultId } })).toMatchObject({
      name: "default",
      segment: null,
      lifecycle: null,
    });
    expect(await auditRows({ action: "health_profile.deleted", entityId: defaultId })).toHaveLength(0);
  });

  it("refuses create, update and delete to other staff roles, and everything to tenant users", async () => {
    const created = (await analyst.api.healthProfiles.list()).find((p) => p.name === `smb-${world.tag}`);
    if (!created) throw new Error("the smb profile is missing");
    const id = created.id;
    expect(
      await trpcCode(
        analyst.api.healthProfiles.create({ ...SMB_SETTINGS, name: `smb-${world.tag}-a`, segment: "mid_market" }),
      ),
    ).toBe("FORBIDDEN");
    expect(await trpcCode(analyst.api.healthProfiles.update({ id, priority: 6 }))).toBe("FORBIDDEN");
    expect(await trpcCode(analyst.api.healthProfiles.delete({ id }))).toBe("FORBIDDEN");
    expect(
      await trpcCode(
        tenantOwner.api.healthProfiles.create({ ...SMB_SETTINGS, name: `smb-${world.tag}-t`, segment: "mid_market" }),
      ),
    ).toBe("FORBIDDEN");
    expect(await trpcCode(tenantOwner.api.healthProfiles.delete({ id }))).toBe("FORBIDDEN");
    expect(await trpcCode(tenantOwner.api.healthProfiles.forTenant({ tenantId: world.a.tenant.id }))).toBe("FORBIDDEN");
    expect(await testOwnerPrisma().healthProfile.findUnique({ where: { id } })).toMatchObject({ priority: 5 });
  });

  it("lets a provider admin delete a profile (audited); its tenants fall back to the next match", async () => {
    const created = (await admin.api.healthProfiles.list()).find((p) => p.name === `smb-${world.tag}`);
    if (!created) throw new Error("the smb profile is gone");
    expect(await admin.api.healthProfiles.delete({ id: created.id })).toEqual({ id: created.id, name: created.name });
    expect((await admin.api.healthProfiles.list()).some((p) => p.id === created.id)).toBe(false);
    const audit = await auditRows({ action: "health_profile.deleted", entityId: created.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actorUserId).toBe(world.users.providerAdmin.id);
    expect(audit[0]?.changes).toMatchObject({
      name: { before: `smb-${world.tag}`, after: null },
      segment: { before: "smb", after: null },
      weights: { before: SMB_SETTINGS.weights, after: null },
    });
    expect((await analyst.api.healthProfiles.forTenant({ tenantId: smbTenantId })).profile.name).toBe("default");
    expect(await trpcCode(admin.api.healthProfiles.delete({ id: created.id }))).toBe("NOT_FOUND");
  });
});
