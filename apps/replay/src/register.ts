/**
 * `--tenant <slug>`: registers the replay's device ids in a tenant before replaying, each in a vehicle
 * of its own, so a newcomer's first replay is not all "unknown device" rejections. A local/demo
 * convenience: it writes through the database directly as the owner role (row-level security does not
 * apply to the owner), as the seed does, without the API's audit trail.
 */
import type { PrismaClient } from "@fleetcore/db";

/** The default `--prefix`: device id = `capmetro-<vehicle_id>`. */
export const DEFAULT_PREFIX = "capmetro-";

/** A device the replay sends as, and the vehicle it is mounted in when it has to be created. */
export interface ReplayDevice {
  /** Device unique id, `<prefix><vehicle_id>` (what the OsmAnd requests carry as `id`). */
  uniqueId: string;
  /** The feed's vehicle id (no prefix). */
  feedVehicleId: string;
  /** Name of the vehicle created for it, or reused when a vehicle of that name exists (e.g. "CapMetro 2619"). */
  vehicleName: string;
}

/**
 * The devices of a replay, one per feed vehicle id, in first-seen order: unique id `<prefix><id>`,
 * vehicle `CapMetro <id>` with the default prefix, else named like the device (`<prefix><id>`).
 */
export function replayDevices(feedVehicleIds: Iterable<string>, prefix: string): ReplayDevice[] {
  return [...new Set(feedVehicleIds)].map((id) => ({
    uniqueId: `${prefix}${id}`,
    feedVehicleId: id,
    vehicleName: prefix === DEFAULT_PREFIX ? `CapMetro ${id}` : `${prefix}${id}`,
  }));
}

/** Thrown when `--tenant` names no tenant (or a deleted one); the message is for the user. */
export class UnknownTenantError extends Error {
  constructor(
    readonly slug: string,
    readonly knownSlugs: string[],
  ) {
    super(
      `no tenant with slug "${slug}"` +
        (knownSlugs.length ? ` (tenants: ${knownSlugs.join(", ")})` : " (the database has no tenants yet)"),
    );
    this.name = "UnknownTenantError";
  }
}

/** A device of the replay that is registered in the tenant and can be sent as. */
export interface UsableDevice {
  uniqueId: string;
  /** tel_devices.id; null for a device that a dry run would create. */
  deviceId: string | null;
  /** flt_vehicles.id of its vehicle; null when unbound, or for a vehicle that a dry run would create. */
  vehicleId: string | null;
}

/** What {@link registerReplayDevices} did (or, in a dry run, would do). */
export interface DeviceRegistration {
  tenant: { id: string; slug: string; name: string; status: "trial" | "active" | "suspended" | "closed" };
  dryRun: boolean;
  /** Devices created now (each bound to its vehicle). */
  created: UsableDevice[];
  /** Devices that were already registered in this tenant, active: left as they are. */
  existing: UsableDevice[];
  /** Vehicles created for the new devices, and existing ones reused by name. */
  vehiclesCreated: number;
  vehiclesReused: number;
  /** Devices registered in another tenant: refused, never moved; their fixes must not be replayed. */
  foreign: { uniqueId: string; tenantSlug: string }[];
  /** Devices of this tenant that the server will refuse (inactive or deleted): left as they are. */
  unusable: { uniqueId: string; reason: "inactive" | "deleted" }[];
}

/**
 * Makes every device of `devices` usable in tenant `tenantSlug`: devices missing from the database are
 * created (protocol `osmand`, named `<vehicle name> tracker`) together with a vehicle of their own,
 * reusing the tenant's oldest non-deleted vehicle of the same name, so a re-run creates nothing
 * (idempotent). Devices already in the tenant are left as they are; devices of another tenant are
 * reported in `foreign` and never moved (unique ids are unique across tenants). One transaction.
 *
 * @param db a client that may read and write every tenant's rows: the owner role (e.g.
 *   `getPrisma(loadEnv().DATABASE_OWNER_URL)`), since row-level security confines the app role
 * @param opts.dryRun compute the report without writing anything
 * @throws UnknownTenantError when no non-deleted tenant has that slug
 */
export async function registerReplayDevices(
  db: PrismaClient,
  tenantSlug: string,
  devices: readonly ReplayDevice[],
  opts: { dryRun?: boolean } = {},
): Promise<DeviceRegistration> {
  const dryRun = opts.dryRun ?? false;
  const tenant = await db.tenant.findFirst({
    where: { slug: tenantSlug, deletedAt: null },
    select: { id: true, slug: true, name: true, status: true },
  });
  if (!tenant) {
    const known = await db.tenant.findMany({
      where: { deletedAt: null },
      select: { slug: true },
      orderBy: { slug: "asc" },
      take: 20,
    });
    throw new UnknownTenantError(
      tenantSlug,
      known.map((t) => t.slug),
    );
  }

  return db.$transaction(async (tx) => {
    const uniqueIds = devices.map((d) => d.uniqueId);
    const found = await tx.device.findMany({
      where: { uniqueId: { in: uniqueIds } },
      select: {
        id: true,
        uniqueId: true,
        tenantId: true,
        vehicleId: true,
        status: true,
        deletedAt: true,
        tenant: { select: { slug: true } },
      },
    });
    const byUniqueId = new Map(found.map((d) => [d.uniqueId, d]));
    const report: DeviceRegistration = {
      tenant,
      dryRun,
      created: [],
      existing: [],
      vehiclesCreated: 0,
      vehiclesReused: 0,
      foreign: [],
      unusable: [],
    };
    const missing: ReplayDevice[] = [];
    for (const d of devices) {
      const row = byUniqueId.get(d.uniqueId);
      if (!row) missing.push(d);
      else if (row.tenantId !== tenant.id) report.foreign.push({ uniqueId: d.uniqueId, tenantSlug: row.tenant.slug });
      else if (row.deletedAt) report.unusable.push({ uniqueId: d.uniqueId, reason: "deleted" });
      else if (row.status !== "active") report.unusable.push({ uniqueId: d.uniqueId, reason: "inactive" });
      else report.existing.push({ uniqueId: d.uniqueId, deviceId: row.id, vehicleId: row.vehicleId });
    }
    if (!missing.length) return report;

    // Oldest first, so that of several same-named vehicles the same one is picked on every run.
    const named = await tx.vehicle.findMany({
      where: { tenantId: tenant.id, deletedAt: null, name: { in: [...new Set(missing.map((d) => d.vehicleName))] } },
      select: { id: true, name: true },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    const vehicleByName = new Map<string, string>();
    for (const v of named) if (!vehicleByName.has(v.name)) vehicleByName.set(v.name, v.id);
    const newNames = [...new Set(missing.map((d) => d.vehicleName).filter((n) => !vehicleByName.has(n)))];
    report.vehiclesReused = new Set(missing.map((d) => d.vehicleName)).size - newNames.length;
    report.vehiclesCreated = newNames.length;

    if (dryRun) {
      report.created = missing.map((d) => ({
        uniqueId: d.uniqueId,
        deviceId: null,
        vehicleId: vehicleByName.get(d.vehicleName) ?? null,
      }));
      return report;
    }
    const vehicles = await tx.vehicle.createManyAndReturn({
      data: newNames.map((name) => ({ tenantId: tenant.id, name, metadata: { source: "replay" } })),
      select: { id: true, name: true },
    });
    for (const v of vehicles) vehicleByName.set(v.name, v.id);
    const created = await tx.device.createManyAndReturn({
      data: missing.map((d) => ({
        tenantId: tenant.id,
        uniqueId: d.uniqueId,
        name: `${d.vehicleName} tracker`,
        protocol: "osmand",
        vehicleId: vehicleByName.get(d.vehicleName) ?? null,
      })),
      select: { id: true, uniqueId: true, vehicleId: true },
    });
    report.created = created.map((d) => ({ uniqueId: d.uniqueId, deviceId: d.id, vehicleId: d.vehicleId }));
    return report;
  });
}

/**
 * One or a few lines for stderr describing a {@link DeviceRegistration}, e.g.
 * `Tenant "lone-star": registered 152 new devices (152 vehicles created, 0 reused), 0 already there.`
 * followed by warnings for foreign, inactive or deleted devices and a suspended or closed tenant.
 */
export function formatRegistration(r: DeviceRegistration): string {
  const sample = (ids: string[]) => `${ids.slice(0, 5).join(", ")}${ids.length > 5 ? `, … (${ids.length})` : ""}`;
  const lines = [
    `Tenant "${r.tenant.slug}" (${r.tenant.name}): ${r.dryRun ? "would register" : "registered"} ` +
      `${r.created.length} new device(s) (${r.vehiclesCreated} vehicle(s) created, ${r.vehiclesReused} reused by name), ` +
      `${r.existing.length} already registered.`,
  ];
  if (r.foreign.length) {
    const bySlug = new Map<string, string[]>();
    for (const f of r.foreign) bySlug.set(f.tenantSlug, [...(bySlug.get(f.tenantSlug) ?? []), f.uniqueId]);
    for (const [slug, ids] of bySlug) {
      lines.push(
        `Refused: ${ids.length} device(s) belong to tenant "${slug}" and are left there: ${sample(ids)}; ` +
          "their fixes are not replayed (use another --prefix to replay them into this tenant).",
      );
    }
  }
  const inactive = r.unusable.filter((u) => u.reason === "inactive").map((u) => u.uniqueId);
  const deleted = r.unusable.filter((u) => u.reason === "deleted").map((u) => u.uniqueId);
  if (inactive.length)
    lines.push(
      `Warning: ${inactive.length} device(s) are inactive (the server rejects their fixes): ${sample(inactive)}`,
    );
  if (deleted.length)
    lines.push(
      `Warning: ${deleted.length} device(s) were deleted in this tenant (the server rejects their fixes): ${sample(deleted)}`,
    );
  if (r.tenant.status === "suspended" || r.tenant.status === "closed") {
    lines.push(`Warning: the tenant is ${r.tenant.status}; the server rejects its devices' positions.`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * {@link registerReplayDevices} against the local database as its owner: `DATABASE_OWNER_URL` from
 * `loadEnv()` (the environment, else `.fleetcore/database.json` written by `npm start`), disconnected
 * afterwards. The database modules are loaded only when this is called, so replays without `--tenant`
 * need no database.
 * @throws UnknownTenantError, or loadEnv's error when no database is configured
 */
export async function registerInLocalDatabase(
  tenantSlug: string,
  devices: readonly ReplayDevice[],
  opts: { dryRun?: boolean } = {},
): Promise<DeviceRegistration> {
  const [{ loadEnv }, { getPrisma, disconnectAll }] = await Promise.all([
    import("@fleetcore/config"),
    import("@fleetcore/db"),
  ]);
  const db = getPrisma(loadEnv().DATABASE_OWNER_URL, { maxConnections: 2 });
  try {
    return await registerReplayDevices(db, tenantSlug, devices, opts);
  } finally {
    await disconnectAll();
  }
}
