/**
 * Geofences of a tenant (flt_geofences): listing, creation, editing and soft deletion, plus what
 * the rules engine needs — {@link loadGeofenceDefs} and an in-process change notification.
 *
 * Storage: `kind` is its own column and `shape` holds the rest of the {@link GeofenceShape} (circle
 * `{latitude, longitude, radiusM}`, polygon `{coordinates}`), as the schema documents. Shapes are
 * checked by {@link validateGeofenceShape} before they are stored, and new polygons must not cross
 * themselves.
 */
import type { Db, Prisma } from "@fleetcore/db";
import type { CreateGeofenceRequest, Geofence, UpdateGeofenceRequest } from "@fleetcore/validators";
import { ZCreateGeofenceRequest, ZUpdateGeofenceRequest } from "@fleetcore/validators";
import { polygon } from "@turf/helpers";
import { kinks } from "@turf/kinks";
import type { Tx } from "../audit/audit";
import { DomainError, describeIssues } from "../errors";
import { type GeofenceDef, type GeofenceShape, validateGeofenceShape } from "../telemetry/geofences";
import { pick, recordUpdate } from "./shared";

type GeofenceRow = Prisma.GeofenceModel;

/** The row's shape with its kind, as {@link GeofenceShape}; never throws on a malformed stored value. */
function shapeOf(row: Pick<GeofenceRow, "kind" | "shape">): GeofenceShape {
  const stored = typeof row.shape === "object" && row.shape !== null ? row.shape : {};
  return { ...stored, kind: row.kind } as GeofenceShape;
}

/** The shape without its kind (the `kind` column holds it), as stored in `shape`. */
function storedShape(shape: GeofenceShape): Prisma.InputJsonValue {
  if (shape.kind === "circle") return { latitude: shape.latitude, longitude: shape.longitude, radiusM: shape.radiusM };
  return { coordinates: shape.coordinates };
}

function toGeofence(row: GeofenceRow): Geofence {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    shape: shapeOf(row),
    speedLimitKph: row.speedLimitKph,
    color: row.color,
    active: row.active,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The audited fields of a geofence. */
const AUDITED = ["name", "shape", "speedLimitKph", "color", "active"] as const;
const snapshot = (g: Pick<Geofence, (typeof AUDITED)[number]>) => pick(g, AUDITED);

/**
 * A shape's problem as a DomainError("invalid"), e.g. "shape: outer ring has 3 positions; …".
 * New and edited polygons must also be simple: no ring may cross itself or another (found with
 * Turf's `kinks`, O(n²) in positions, ≤ 10,000 of them). A crossing ring would still be evaluated
 * (even-odd rule), but its "inside" is rarely what the person drawing it meant.
 */
function assertValidShape(shape: GeofenceShape): void {
  const problem = validateGeofenceShape(shape);
  if (problem) throw new DomainError("invalid", `shape: ${problem}`);
  if (shape.kind !== "polygon") return;
  const crossing = kinks(polygon(shape.coordinates)).features[0];
  if (crossing) {
    const [lng, lat] = crossing.geometry.coordinates as [number, number];
    throw new DomainError(
      "invalid",
      `shape: the polygon's edges cross each other near ${lat.toFixed(5)}, ${lng.toFixed(5)}; draw it without crossings`,
    );
  }
}

/**
 * Refuses a name another of the tenant's live geofences has (compared case-insensitively). A
 * transaction-scoped advisory lock on (tenant, name) makes two concurrent claims of one name wait
 * for each other, since no unique index can cover live rows only. @throws DomainError("conflict")
 */
async function assertNameFree(db: Db, tenantId: string, name: string, exceptId?: string): Promise<void> {
  await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`flt_geofences.name:${tenantId}:${name.toLowerCase()}`}, 0))`;
  const taken = await db.geofence.findFirst({
    where: {
      tenantId,
      deletedAt: null,
      name: { equals: name, mode: "insensitive" },
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
    select: { name: true },
  });
  if (taken) throw new DomainError("conflict", `a geofence named ${taken.name} already exists`);
}

/** The tenant's live geofences by name; inactive ones only with `includeInactive`. */
export async function listGeofences(
  db: Db,
  tenantId: string,
  filter: { includeInactive?: boolean } = {},
): Promise<Geofence[]> {
  const rows = await db.geofence.findMany({
    where: { tenantId, deletedAt: null, ...(filter.includeInactive ? {} : { active: true }) },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  return rows.map(toGeofence);
}

/** One live geofence of the tenant (active or not). @throws DomainError("not_found") (also another tenant's id) */
export async function getGeofence(db: Db, tenantId: string, geofenceId: string): Promise<Geofence> {
  const row = await db.geofence.findFirst({ where: { id: geofenceId, tenantId, deletedAt: null } });
  if (!row) throw new DomainError("not_found", "geofence not found");
  return toGeofence(row);
}

/**
 * Creates a geofence (audited `geofence.created`), recording the acting user as its creator.
 * @throws DomainError("invalid") bad input or shape (the message gives the reason), ("conflict") name taken
 */
export async function createGeofence(tx: Tx, tenantId: string, input: CreateGeofenceRequest): Promise<Geofence> {
  const parsed = ZCreateGeofenceRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const { name, shape, speedLimitKph, color, active } = parsed.data;
  assertValidShape(shape);
  await assertNameFree(tx.db, tenantId, name);
  const row = await tx.db.geofence.create({
    data: {
      tenantId,
      name,
      kind: shape.kind,
      shape: storedShape(shape),
      speedLimitKph: speedLimitKph ?? null,
      ...(color ? { color } : {}),
      ...(active === undefined ? {} : { active }),
      createdByUserId: tx.audit.actor.userId,
    },
  });
  const geofence = toGeofence(row);
  await tx.audit.record({
    tenantId,
    entityType: "geofence",
    entityId: row.id,
    action: "geofence.created",
    after: snapshot(geofence),
  });
  return geofence;
}

/**
 * Changes the given fields of a geofence (`speedLimitKph: null` removes its limit; a new shape may
 * change its kind); audited `geofence.updated` with the field-level difference (nothing written when
 * nothing changed).
 * @throws DomainError("not_found") (also another tenant's id), ("invalid") bad input or shape, ("conflict") name taken
 */
export async function updateGeofence(tx: Tx, tenantId: string, input: UpdateGeofenceRequest): Promise<Geofence> {
  const parsed = ZUpdateGeofenceRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const { geofenceId, name, shape, speedLimitKph, color, active } = parsed.data;
  const before = await tx.db.geofence.findFirst({ where: { id: geofenceId, tenantId, deletedAt: null } });
  if (!before) throw new DomainError("not_found", "geofence not found");
  if (shape) assertValidShape(shape);
  if (name !== undefined) await assertNameFree(tx.db, tenantId, name, geofenceId);
  const row = await tx.db.geofence.update({
    where: { id: geofenceId },
    data: {
      ...(name === undefined ? {} : { name }),
      ...(shape ? { kind: shape.kind, shape: storedShape(shape) } : {}),
      ...(speedLimitKph === undefined ? {} : { speedLimitKph }),
      ...(color === undefined ? {} : { color }),
      ...(active === undefined ? {} : { active }),
    },
  });
  const geofence = toGeofence(row);
  await recordUpdate(
    tx,
    { tenantId, entityType: "geofence", entityId: geofenceId },
    snapshot(toGeofence(before)),
    snapshot(geofence),
  );
  return geofence;
}

/**
 * Soft-deletes a geofence (audited `geofence.deleted`): it leaves lists and the rules engine, its
 * name becomes free, and events that name it keep their reference.
 * @throws DomainError("not_found") (also another tenant's id, or already deleted)
 */
export async function deleteGeofence(tx: Tx, tenantId: string, geofenceId: string): Promise<void> {
  const before = await tx.db.geofence.findFirst({ where: { id: geofenceId, tenantId, deletedAt: null } });
  if (!before) throw new DomainError("not_found", "geofence not found");
  await tx.db.geofence.update({ where: { id: geofenceId }, data: { deletedAt: new Date() } });
  await tx.audit.record({
    tenantId,
    entityType: "geofence",
    entityId: geofenceId,
    action: "geofence.deleted",
    before: snapshot(toGeofence(before)),
    after: null,
  });
}

/**
 * The active, live geofences as the rules engine's {@link GeofenceDef}s: of `tenantId`, or of every
 * tenant when it is omitted (call that in a platform scope: row-level security hides other tenants'
 * rows otherwise). Shapes are returned as stored; `GeofenceIndex.replace` leaves out any that fail
 * validation rather than this throwing.
 */
export async function loadGeofenceDefs(db: Db, tenantId?: string): Promise<GeofenceDef[]> {
  const rows = await db.geofence.findMany({
    where: { active: true, deletedAt: null, ...(tenantId ? { tenantId } : {}) },
    select: { id: true, tenantId: true, name: true, kind: true, shape: true, speedLimitKph: true },
    orderBy: [{ tenantId: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    shape: shapeOf(r),
    speedLimitKph: r.speedLimitKph,
  }));
}

// Geofence changes reach the rules engine through an in-process notification, called after commit
// (as for devices in ../ingest/service.ts); other server processes reload on their own schedule.
const geofenceListeners = new Set<(tenantId: string) => void>();

/** Calls `listener` with the tenant after its geofences change in this process; returns the unsubscribe. */
export function onGeofencesChanged(listener: (tenantId: string) => void): () => void {
  geofenceListeners.add(listener);
  return () => geofenceListeners.delete(listener);
}

/** Announces that a tenant's geofences changed (call after the change committed). Listener errors are ignored. */
export function notifyGeofencesChanged(tenantId: string): void {
  for (const listener of geofenceListeners) {
    try {
      listener(tenantId);
    } catch {
      // A listener's failure must not fail the mutation that already committed.
    }
  }
}
