/**
 * The ingest pipeline every source shares: validate → resolve the device (unique id → device,
 * tenant, vehicle; cached briefly) → refuse suspended/closed tenants and record unknown devices →
 * queue for the writer → answer after commit. Bad fixes are reported by index with a reason; the
 * good ones of the same request are stored.
 */
import { type PgPool, withPgScope } from "@fleetcore/db";
import { positionRejectionReason } from "../tenancy/tenants";
import type { PositionWriter, ResolvedFix, SubmitResult } from "./store";
import type { DecodedPosition } from "./types";
import { DEFAULT_LIMITS, normaliseHeading, rejectionReason, type ValidationLimits } from "./validate";

/** Where fixes came from (recorded on unknown devices; `tenantId` when the source is a tenant's own). */
export interface IngestSource {
  protocol: string;
  ip?: string | null;
  /** Set for tenant-owned sources (batch API key, GTFS-rt feed): devices must belong to this tenant. */
  tenantId?: string | null;
}

export interface IngestResult extends SubmitResult {
  /** Fixes refused, by their index in the request, with the reason. */
  rejected: { index: number; reason: string }[];
}

interface DeviceEntry {
  deviceId: string;
  tenantId: string;
  vehicleId: string | null;
  tenantName: string;
  tenantStatus: "trial" | "active" | "suspended" | "closed";
  active: boolean;
  fetchedAt: number;
}

/** How long a unique id → device resolution is trusted (device re-binding, suspension take effect after it). */
const DEVICE_CACHE_MS = 15_000;
/** An unknown device is recorded at most this often. */
const UNKNOWN_RECORD_MS = 10_000;

export class IngestService {
  private readonly devices = new Map<string, DeviceEntry | null>();
  private readonly unknownSeen = new Map<string, number>();

  constructor(
    private readonly pool: PgPool,
    private readonly writer: PositionWriter,
    private readonly limits: ValidationLimits = DEFAULT_LIMITS,
  ) {}

  /** Forgets cached device resolutions (after devices are created, re-bound or tenants change status). */
  invalidateDevices(): void {
    this.devices.clear();
  }

  /**
   * Validates, resolves and stores `fixes`; resolves after the accepted ones are committed.
   * @throws BackpressureError when the write queue is full (nothing of this request was queued)
   */
  async ingest(fixes: DecodedPosition[], source: IngestSource): Promise<IngestResult> {
    const now = new Date();
    const rejected: IngestResult["rejected"] = [];
    const candidates: { index: number; fix: DecodedPosition }[] = [];
    fixes.forEach((fix, index) => {
      const reason = rejectionReason(fix, now, this.limits);
      if (reason) rejected.push({ index, reason });
      else candidates.push({ index, fix });
    });
    const resolved = await this.resolve([...new Set(candidates.map((c) => c.fix.uniqueId))]);
    const accepted: ResolvedFix[] = [];
    const unknown = new Map<string, DecodedPosition>();
    for (const { index, fix } of candidates) {
      const device = resolved.get(fix.uniqueId);
      if (!device || (source.tenantId && device.tenantId !== source.tenantId)) {
        unknown.set(fix.uniqueId, fix);
        rejected.push({ index, reason: `unknown device "${fix.uniqueId}": register it in Fleetcore first` });
        continue;
      }
      if (!device.active) {
        rejected.push({ index, reason: `device "${fix.uniqueId}" is inactive` });
        continue;
      }
      const locked = positionRejectionReason({ name: device.tenantName, status: device.tenantStatus });
      if (locked) {
        rejected.push({ index, reason: locked });
        continue;
      }
      accepted.push({
        deviceId: device.deviceId,
        tenantId: device.tenantId,
        vehicleId: device.vehicleId,
        time: fix.time,
        latitude: fix.latitude,
        longitude: fix.longitude,
        speedKph: fix.speedKph ?? null,
        headingDeg: normaliseHeading(fix.headingDeg),
        altitudeM: fix.altitudeM ?? null,
        accuracyM: fix.accuracyM ?? null,
        attributes: fix.valid === false ? { ...fix.attributes, valid: false } : fix.attributes,
      });
    }
    if (unknown.size > 0) await this.recordUnknown(unknown, source).catch(() => {});
    const written = await this.writer.submit(accepted);
    rejected.sort((a, b) => a.index - b.index);
    return { ...written, rejected };
  }

  /**
   * The registered, active device with this unique id (cached like ingest's own resolution), for
   * non-position messages such as Traccar's forwarded events.
   * @returns its device, tenant and vehicle ids, or null when unknown, inactive or its tenant is locked
   */
  async lookupDevice(
    uniqueId: string,
  ): Promise<{ deviceId: string; tenantId: string; vehicleId: string | null } | null> {
    const device = (await this.resolve([uniqueId])).get(uniqueId);
    if (!device?.active) return null;
    if (positionRejectionReason({ name: device.tenantName, status: device.tenantStatus })) return null;
    return { deviceId: device.deviceId, tenantId: device.tenantId, vehicleId: device.vehicleId };
  }

  private async resolve(uniqueIds: string[]): Promise<Map<string, DeviceEntry | null>> {
    const now = Date.now();
    const out = new Map<string, DeviceEntry | null>();
    const missing: string[] = [];
    for (const id of uniqueIds) {
      const hit = this.devices.get(id);
      if (hit !== undefined && (hit === null || now - hit.fetchedAt < DEVICE_CACHE_MS)) out.set(id, hit);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const rows = await withPgScope(this.pool, { kind: "system" }, async (client) => {
      const result = await client.query<{
        unique_id: string;
        id: string;
        tenant_id: string;
        vehicle_id: string | null;
        status: string;
        tenant_name: string;
        tenant_status: DeviceEntry["tenantStatus"];
      }>(
        `SELECT d.unique_id, d.id, d.tenant_id, d.vehicle_id, d.status, t.name AS tenant_name, t.status AS tenant_status
           FROM tel_devices d JOIN adm_tenants t ON t.id = d.tenant_id
          WHERE d.unique_id = ANY($1::text[]) AND d.deleted_at IS NULL AND t.deleted_at IS NULL`,
        [missing],
      );
      return result.rows;
    });
    for (const id of missing) out.set(id, null);
    for (const r of rows) {
      const entry: DeviceEntry = {
        deviceId: r.id,
        tenantId: r.tenant_id,
        vehicleId: r.vehicle_id,
        tenantName: r.tenant_name,
        tenantStatus: r.tenant_status,
        active: r.status === "active",
        fetchedAt: now,
      };
      out.set(r.unique_id, entry);
      // Unknown ids are not cached: registering a device must work at once.
      this.devices.set(r.unique_id, entry);
    }
    return out;
  }

  private async recordUnknown(unknown: Map<string, DecodedPosition>, source: IngestSource): Promise<void> {
    const now = Date.now();
    const due = [...unknown].filter(
      ([id]) => now - (this.unknownSeen.get(`${source.protocol}:${id}`) ?? 0) > UNKNOWN_RECORD_MS,
    );
    if (due.length === 0) return;
    if (this.unknownSeen.size > 10_000) {
      // Bounded memory under a flood of unknown ids: forget entries past their quiet period.
      for (const [k, at] of this.unknownSeen) if (now - at > UNKNOWN_RECORD_MS) this.unknownSeen.delete(k);
    }
    for (const [id] of due) this.unknownSeen.set(`${source.protocol}:${id}`, now);
    await withPgScope(this.pool, { kind: "system" }, async (client) => {
      await client.query(
        `INSERT INTO tel_unknown_devices AS u (tenant_id, unique_id, protocol, last_ip, last_fix)
       SELECT $1::uuid, x.unique_id, $2, $3, x.fix FROM unnest($4::text[], $5::jsonb[]) AS x(unique_id, fix)
       ON CONFLICT (unique_id, protocol) DO UPDATE SET
         last_seen_at = now(), report_count = u.report_count + 1, last_ip = EXCLUDED.last_ip,
         last_fix = EXCLUDED.last_fix, tenant_id = coalesce(EXCLUDED.tenant_id, u.tenant_id)`,
        [
          source.tenantId ?? null,
          source.protocol,
          source.ip ?? null,
          due.map(([id]) => id),
          due.map(([, f]) =>
            JSON.stringify({ latitude: f.latitude, longitude: f.longitude, time: f.time.toISOString() }),
          ),
        ],
      );
    });
  }
}

// Change notification (in-process): device registrations, bindings and deletions announce themselves
// after commit so the ingest path drops its short-lived device cache at once (other server processes
// catch up within the cache's 15 s).
const deviceListeners = new Set<() => void>();

/** Calls `listener` after devices change in this process (claimed, bound, unbound, deleted); returns the unsubscribe. */
export function onDevicesChanged(listener: () => void): () => void {
  deviceListeners.add(listener);
  return () => deviceListeners.delete(listener);
}

/** Announces that devices changed (call after the change committed). Listener errors are ignored. */
export function notifyDevicesChanged(): void {
  for (const listener of deviceListeners) {
    try {
      listener();
    } catch {
      // A listener's failure must not fail the mutation that already committed.
    }
  }
}
