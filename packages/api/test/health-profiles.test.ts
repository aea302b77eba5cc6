/**
 * `healthProfiles` through the real API: staff read the profiles, provider admins change weights,
 * thresholds and alert rules (validated, audited), other staff and tenant users are refused. The
 * test edits its own profile (priority −1, so it never wins over the seeded ones for files running
 * in parallel), never the seeded ones.
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRows, createWorld, signIn, type TestClient, trpcCode, type World } from "./fixtures";

let world: World;
let admin: TestClient;
let analyst: TestClient;
let tenantOwner: TestClient;
let profileId = "";

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
});

afterAll(async () => {
  await testOwnerPrisma().healthProfile.deleteMany({ where: { id: profileId } });
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
    expect(
      await trpcCode(
        admin.api.healthProfiles.update({
          id: "00000000-0000-4000-8000-000000000000",
          thresholds: { red: 40, green: 70 },
        }),
      ),
    ).toBe("NOT_FOUND");
  });
});
