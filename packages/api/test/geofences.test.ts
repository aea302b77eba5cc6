/**
 * Geofences through the API against the real database: circles and polygons created, edited and
 * soft-deleted, shapes refused with validateGeofenceShape's reason, names unique among a tenant's
 * live geofences, audit rows, read-only roles refused, tenant isolation with crafted ids of another
 * tenant's geofence, the after-commit change notification, and `loadGeofenceDefs` for the rules engine.
 */
import { loadGeofenceDefs, onGeofencesChanged } from "@fleetcore/core";
import { disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import type { CreateGeofenceRequest } from "@fleetcore/validators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRows, createWorld, signIn, type TestClient, trpcCode, trpcError, type World } from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
let adminA: TestClient;
let ownerB: TestClient;

beforeAll(async () => {
  world = await createWorld();
  adminA = await signIn(world.users.adminA.email);
  ownerB = await signIn(world.users.ownerB.email);
});

/** Downtown Austin: a 250 m circle around the Capitol. */
const CAPITOL = { kind: "circle", latitude: 30.2747, longitude: -97.7404, radiusM: 250 } as const;
/** A depot yard as a closed GeoJSON ring, [lng, lat]. */
const YARD: [number, number][] = [
  [-97.75, 30.26],
  [-97.74, 30.26],
  [-97.74, 30.27],
  [-97.75, 30.27],
  [-97.75, 30.26],
];

let seq = 0;
/** A geofence name no other test of this file uses. */
const fresh = (label: string) => `${label} ${world.tag}-${seq++}`;

const circle = (name: string, extra: Partial<CreateGeofenceRequest> = {}): CreateGeofenceRequest => ({
  name,
  shape: CAPITOL,
  ...extra,
});

describe("geofence CRUD", () => {
  it("creates a circle and a polygon, stores kind and shape apart, records the creator and audits", async () => {
    const c = await adminA.api.geofence.create(circle(fresh("Capitol"), { speedLimitKph: 40, color: "#DC2626" }));
    expect(c).toMatchObject({ kind: "circle", shape: CAPITOL, speedLimitKph: 40, color: "#dc2626", active: true });
    const p = await adminA.api.geofence.create({
      name: fresh("Yard"),
      shape: { kind: "polygon", coordinates: [YARD] },
    });
    expect(p).toMatchObject({ kind: "polygon", shape: { kind: "polygon", coordinates: [YARD] }, speedLimitKph: null });
    expect(p.color).toBe("#2563eb");

    const row = await testOwnerPrisma().geofence.findUniqueOrThrow({ where: { id: c.id } });
    expect(row).toMatchObject({
      tenantId: world.a.tenant.id,
      kind: "circle",
      shape: { latitude: 30.2747, longitude: -97.7404, radiusM: 250 },
      createdByUserId: world.users.adminA.id,
      deletedAt: null,
    });
    const [created] = await auditRows({ action: "geofence.created", entityId: p.id });
    expect(created).toMatchObject({ tenantId: world.a.tenant.id, actorUserId: world.users.adminA.id });
    expect(created?.changes).toMatchObject({ name: { before: null, after: p.name }, shape: { after: p.shape } });

    expect(await adminA.api.geofence.get({ geofenceId: p.id })).toEqual(p);
    const listed = (await adminA.api.geofence.list({})).map((g) => g.id);
    expect(listed).toEqual(expect.arrayContaining([c.id, p.id]));
  });

  it("refuses invalid shapes with the reason", async () => {
    const refused = async (shape: CreateGeofenceRequest["shape"]) => {
      const err = await trpcError(adminA.api.geofence.create({ name: fresh("Bad"), shape }));
      expect(err.code).toBe("BAD_REQUEST");
      return err.message;
    };
    const ring = (coordinates: [number, number][]) => ({ kind: "polygon" as const, coordinates: [coordinates] });
    expect(await refused(ring([YARD[0], YARD[1], YARD[0]] as [number, number][]))).toBe(
      "shape: outer ring has 3 positions; a closed ring needs at least 4",
    );
    expect(await refused(ring(YARD.slice(0, 4)))).toBe("shape: outer ring is not closed (first position ≠ last)");
    expect(
      await refused(
        ring([
          [-97, 30],
          [-96, 31],
          [-95, 32],
          [-97, 30],
        ]),
      ),
    ).toBe("shape: outer ring has no area (all positions on one line)");
    const outOfRange = YARD.map(([lng, lat], k) => [lng, k === 2 ? 95 : lat] as [number, number]);
    expect(await refused(ring(outOfRange))).toBe("shape: outer ring, position 2: latitude 95 outside -90…90");
    // A lopsided bow tie (a symmetric one has no net area): (-98, 30)→(-96, 31) crosses
    // (-96, 30.5)→(-98, 31) where 30 + (x + 98) / 2 = 30.5 − (x + 96) / 4, i.e. at (-96.66667, 30.66667).
    const bowTie = ring([
      [-98, 30],
      [-96, 31],
      [-96, 30.5],
      [-98, 31],
      [-98, 30],
    ]);
    expect(await refused(bowTie)).toBe(
      "shape: the polygon's edges cross each other near 30.66667, -96.66667; draw it without crossings",
    );
    expect(await refused({ ...CAPITOL, radiusM: 0 })).toBe("shape: circle radius must be a positive number of metres");
    expect(await refused({ ...CAPITOL, radiusM: -5 })).toBe("shape: circle radius must be a positive number of metres");
    expect(await refused({ ...CAPITOL, latitude: 91 })).toBe("shape: circle latitude outside -90…90");
    expect(await refused({ ...CAPITOL, longitude: -181 })).toBe("shape: circle longitude outside -180…180");
    // Structure (zod): a polygon position that is not [lng, lat], an unknown kind.
    expect(await trpcCode(adminA.api.geofence.create({ name: "x", shape: ring([[1, 2, 3]] as never) }))).toBe(
      "BAD_REQUEST",
    );
    expect(await trpcCode(adminA.api.geofence.create({ name: "x", shape: { kind: "square" } as never }))).toBe(
      "BAD_REQUEST",
    );
    // The other fields.
    for (const bad of [{ color: "red" }, { speedLimitKph: 0 }, { speedLimitKph: 301 }, { speedLimitKph: 50.5 }]) {
      expect(await trpcCode(adminA.api.geofence.create(circle(fresh("Bad"), bad)))).toBe("BAD_REQUEST");
    }
    expect(await trpcCode(adminA.api.geofence.create(circle("   ")))).toBe("BAD_REQUEST");
    expect(await testOwnerPrisma().geofence.count({ where: { name: { startsWith: "Bad " } } })).toBe(0);
  });

  it("keeps names unique among the tenant's live geofences, case-insensitively; other tenants may reuse them", async () => {
    const name = fresh("Depot");
    const first = await adminA.api.geofence.create(circle(name));
    const dup = await trpcError(adminA.api.geofence.create(circle(name.toUpperCase())));
    expect(dup.code).toBe("CONFLICT");
    expect(dup.message).toBe(`a geofence named ${name} already exists`);
    const other = await adminA.api.geofence.create(circle(fresh("Other")));
    expect(await trpcCode(adminA.api.geofence.update({ geofenceId: other.id, name: ` ${name} ` }))).toBe("CONFLICT");
    // Renaming to its own name (another case) is not a conflict.
    expect((await adminA.api.geofence.update({ geofenceId: first.id, name: name.toLowerCase() })).name).toBe(
      name.toLowerCase(),
    );
    expect(await trpcCode(ownerB.api.geofence.create(circle(name)))).toBe("OK");
    // Deleting frees the name.
    await adminA.api.geofence.delete({ geofenceId: first.id });
    expect(await trpcCode(adminA.api.geofence.create(circle(name)))).toBe("OK");
  });

  it("updates the given fields, shape and kind included, audits what changed, hides inactive ones unless asked", async () => {
    const g = await adminA.api.geofence.create(circle(fresh("School"), { speedLimitKph: 30 }));
    const polygon = { kind: "polygon" as const, coordinates: [YARD] };
    const updated = await adminA.api.geofence.update({
      geofenceId: g.id,
      shape: polygon,
      speedLimitKph: null,
      color: "#16a34a",
      active: false,
    });
    expect(updated).toMatchObject({
      id: g.id,
      name: g.name,
      kind: "polygon",
      shape: polygon,
      speedLimitKph: null,
      color: "#16a34a",
      active: false,
    });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(g.updatedAt.getTime());
    const [row] = await auditRows({ action: "geofence.updated", entityId: g.id });
    expect(row?.changes).toEqual({
      shape: { before: CAPITOL, after: polygon },
      speedLimitKph: { before: 30, after: null },
      color: { before: "#2563eb", after: "#16a34a" },
      active: { before: true, after: false },
    });
    // An edit that changes nothing writes no audit row of its own.
    await adminA.api.geofence.update({ geofenceId: g.id, name: g.name });
    expect(await auditRows({ action: "geofence.updated", entityId: g.id })).toHaveLength(1);
    // An invalid new shape leaves it as it was.
    const bad = await trpcError(adminA.api.geofence.update({ geofenceId: g.id, shape: { ...CAPITOL, radiusM: 0 } }));
    expect(bad.message).toBe("shape: circle radius must be a positive number of metres");
    expect((await adminA.api.geofence.get({ geofenceId: g.id })).shape).toEqual(polygon);

    expect((await adminA.api.geofence.list({})).map((x) => x.id)).not.toContain(g.id);
    expect((await adminA.api.geofence.list({ includeInactive: true })).map((x) => x.id)).toContain(g.id);
  });

  it("soft-deletes: gone from get and lists, row kept with deleted_at, audited; deleting again is NOT_FOUND", async () => {
    const g = await adminA.api.geofence.create(circle(fresh("Gone")));
    expect(await adminA.api.geofence.delete({ geofenceId: g.id })).toEqual({ ok: true });
    expect(await trpcCode(adminA.api.geofence.get({ geofenceId: g.id }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.geofence.update({ geofenceId: g.id, name: "Back" }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.geofence.delete({ geofenceId: g.id }))).toBe("NOT_FOUND");
    expect((await adminA.api.geofence.list({ includeInactive: true })).map((x) => x.id)).not.toContain(g.id);
    const row = await testOwnerPrisma().geofence.findUniqueOrThrow({ where: { id: g.id } });
    expect(row.deletedAt).toBeInstanceOf(Date);
    const [deleted] = await auditRows({ action: "geofence.deleted", entityId: g.id });
    expect(deleted?.changes).toMatchObject({ name: { before: g.name, after: null } });
  });
});

describe("permissions and tenant isolation", () => {
  it("a viewer or dispatcher (fleet:read) lists and reads but cannot create, edit or delete", async () => {
    const g = await adminA.api.geofence.create(circle(fresh("Readable")));
    for (const user of [world.users.viewerA, world.users.dispatcherA]) {
      const c = await signIn(user.email);
      expect((await c.api.geofence.list({})).map((x) => x.id)).toContain(g.id);
      expect(await trpcCode(c.api.geofence.get({ geofenceId: g.id }))).toBe("OK");
      expect(await trpcCode(c.api.geofence.create(circle(fresh("Nope"))))).toBe("FORBIDDEN");
      expect(await trpcCode(c.api.geofence.update({ geofenceId: g.id, name: "Nope" }))).toBe("FORBIDDEN");
      expect(await trpcCode(c.api.geofence.delete({ geofenceId: g.id }))).toBe("FORBIDDEN");
    }
    expect(await adminA.api.geofence.get({ geofenceId: g.id })).toMatchObject({ name: g.name });
  });

  it("another tenant's geofence id is NOT_FOUND on get, update and delete, and never listed", async () => {
    const theirs = await ownerB.api.geofence.create(circle(fresh("Bravo yard"), { speedLimitKph: 20 }));
    expect(await trpcCode(adminA.api.geofence.get({ geofenceId: theirs.id }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.geofence.update({ geofenceId: theirs.id, name: "Mine now" }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.geofence.update({ geofenceId: theirs.id, active: false }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.geofence.delete({ geofenceId: theirs.id }))).toBe("NOT_FOUND");
    expect((await adminA.api.geofence.list({ includeInactive: true })).map((g) => g.id)).not.toContain(theirs.id);
    expect(await trpcCode(adminA.api.geofence.get({ geofenceId: crypto.randomUUID() }))).toBe("NOT_FOUND");

    const row = await testOwnerPrisma().geofence.findUniqueOrThrow({ where: { id: theirs.id } });
    expect(row).toMatchObject({ name: theirs.name, active: true, deletedAt: null, tenantId: world.b.tenant.id });
    expect(await auditRows({ entityId: theirs.id, tenantId: world.a.tenant.id })).toEqual([]);
  });

  it("row-level security hides B's geofences from A's scope even without the tenant filter", async () => {
    const theirs = await ownerB.api.geofence.create(circle(fresh("Hidden")));
    const seen = await withScope(testPrisma(), { kind: "tenant", tenantId: world.a.tenant.id }, (db) =>
      db.geofence.findMany({ where: { id: theirs.id } }),
    );
    expect(seen).toEqual([]);
  });
});

describe("for the rules engine", () => {
  it("notifies the tenant's change after commit, and nothing for a refused change", async () => {
    const seen: string[] = [];
    const off = onGeofencesChanged((tenantId) => seen.push(tenantId));
    try {
      const g = await adminA.api.geofence.create(circle(fresh("Notify")));
      expect(seen).toEqual([world.a.tenant.id]);
      await adminA.api.geofence.update({ geofenceId: g.id, speedLimitKph: 25 });
      await ownerB.api.geofence.create(circle(fresh("Notify B")));
      await adminA.api.geofence.delete({ geofenceId: g.id });
      expect(seen).toEqual([world.a.tenant.id, world.a.tenant.id, world.b.tenant.id, world.a.tenant.id]);

      // Refused (rolled back) changes announce nothing.
      await trpcError(adminA.api.geofence.create(circle(fresh("Bad"), { shape: { ...CAPITOL, radiusM: 0 } })));
      await trpcError(adminA.api.geofence.delete({ geofenceId: g.id }));
      expect(seen).toHaveLength(4);
    } finally {
      off();
    }
    await adminA.api.geofence.create(circle(fresh("After off")));
    expect(seen).toHaveLength(4);
  });

  it("loadGeofenceDefs returns active, live geofences: one tenant's, or every tenant's in the system scope", async () => {
    const live = await adminA.api.geofence.create(circle(fresh("Live"), { speedLimitKph: 35 }));
    const inactive = await adminA.api.geofence.create(circle(fresh("Inactive"), { active: false }));
    const deleted = await adminA.api.geofence.create(circle(fresh("Deleted")));
    await adminA.api.geofence.delete({ geofenceId: deleted.id });
    const polygon = await adminA.api.geofence.create({
      name: fresh("Poly"),
      shape: { kind: "polygon", coordinates: [YARD] },
    });
    const theirs = await ownerB.api.geofence.create(circle(fresh("Theirs")));

    const system = <T>(fn: Parameters<typeof withScope<T>>[2]) => withScope(testPrisma(), { kind: "system" }, fn);
    const defsA = await system((db) => loadGeofenceDefs(db, world.a.tenant.id));
    const idsA = defsA.map((d) => d.id);
    expect(idsA).toEqual(expect.arrayContaining([live.id, polygon.id]));
    expect(idsA).not.toContain(inactive.id);
    expect(idsA).not.toContain(deleted.id);
    expect(idsA).not.toContain(theirs.id);
    expect(defsA.find((d) => d.id === live.id)).toEqual({
      id: live.id,
      tenantId: world.a.tenant.id,
      name: live.name,
      shape: CAPITOL,
      speedLimitKph: 35,
    });
    expect(defsA.find((d) => d.id === polygon.id)?.shape).toEqual({ kind: "polygon", coordinates: [YARD] });

    const all = (await system((db) => loadGeofenceDefs(db))).map((d) => d.id);
    expect(all).toEqual(expect.arrayContaining([live.id, polygon.id, theirs.id]));
    expect(all).not.toContain(inactive.id);

    // In a tenant scope, row-level security keeps it to that tenant even without the argument.
    const scoped = await withScope(testPrisma(), { kind: "tenant", tenantId: world.b.tenant.id }, (db) =>
      loadGeofenceDefs(db),
    );
    expect(new Set(scoped.map((d) => d.tenantId))).toEqual(new Set([world.b.tenant.id]));
  });
});
