/**
 * The position write path: a bounded in-memory queue drained by one writer that stores batches in
 * single transactions — positions into the tel_positions hypertable (multi-row `unnest` insert,
 * ON CONFLICT DO NOTHING so a re-sent fix is a no-op), the newest fix per device into
 * tel_latest_positions (only if newer), the distance from the previous fix and the device's and
 * vehicle's odometers, and the devices' last-seen time. `submit` resolves only after COMMIT: an
 * HTTP 200 built on it means the positions are durable. A full queue refuses at once
 * ({@link BackpressureError}: answer 503 + Retry-After), so memory stays bounded.
 */
import { type PgPool, withPgScope } from "@fleetcore/db";
import { haversineM } from "./geo";

/** A validated fix bound to its device, tenant and vehicle. */
export interface ResolvedFix {
  deviceId: string;
  tenantId: string;
  vehicleId: string | null;
  time: Date;
  latitude: number;
  longitude: number;
  speedKph: number | null;
  headingDeg: number | null;
  altitudeM: number | null;
  accuracyM: number | null;
  attributes: Record<string, unknown>;
}

/** A fix as stored, with its derived distance (what live fan-out publishes). */
export interface StoredFix extends ResolvedFix {
  distanceM: number | null;
  receivedAt: Date;
}

export interface SubmitResult {
  /** Fixes newly stored. */
  inserted: number;
  /** Fixes already stored before (same device and fix time). */
  duplicates: number;
}

/** The queue is full: retry after `retryAfterS` seconds. */
export class BackpressureError extends Error {
  constructor(readonly retryAfterS: number) {
    super(`ingest queue full: retry in ${retryAfterS} s`);
    this.name = "BackpressureError";
  }
}

export interface PositionWriterOptions {
  /** Most fixes waiting in memory; beyond it `submit` throws BackpressureError. Default 100,000. */
  maxQueued?: number;
  /** Most fixes per transaction. Default 5,000. */
  batchSize?: number;
  /** Called after each committed batch with the fixes that were new (live fan-out, event rules). */
  onCommitted?: (fixes: StoredFix[]) => void;
}

interface Entry {
  fixes: ResolvedFix[];
  resolve: (r: SubmitResult) => void;
  reject: (err: unknown) => void;
}

interface LastFix {
  time: number;
  latitude: number;
  longitude: number;
  odometerM: number;
}

export class PositionWriter {
  private readonly queue: Entry[] = [];
  private queued = 0;
  private draining = false;
  private readonly last = new Map<string, LastFix>();
  private readonly maxQueued: number;
  private readonly batchSize: number;

  constructor(
    private readonly pool: PgPool,
    private readonly opts: PositionWriterOptions = {},
  ) {
    this.maxQueued = opts.maxQueued ?? 100_000;
    this.batchSize = opts.batchSize ?? 5_000;
  }

  /** Fixes waiting to be written. */
  get depth(): number {
    return this.queued;
  }

  /**
   * Queues fixes and resolves once they are committed.
   * @throws BackpressureError immediately when they do not fit in the queue
   */
  submit(fixes: ResolvedFix[]): Promise<SubmitResult> {
    if (fixes.length === 0) return Promise.resolve({ inserted: 0, duplicates: 0 });
    if (this.queued + fixes.length > this.maxQueued) {
      throw new BackpressureError(Math.max(1, Math.ceil(this.queued / 50_000)));
    }
    return new Promise<SubmitResult>((resolve, reject) => {
      this.queue.push({ fixes, resolve, reject });
      this.queued += fixes.length;
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch: Entry[] = [];
        let size = 0;
        while (
          this.queue.length > 0 &&
          (batch.length === 0 || size + (this.queue[0]?.fixes.length ?? 0) <= this.batchSize)
        ) {
          const entry = this.queue.shift() as Entry;
          batch.push(entry);
          size += entry.fixes.length;
        }
        try {
          const { stored, newKeys } = await this.write(batch.flatMap((e) => e.fixes));
          this.queued -= size;
          for (const entry of batch) {
            let inserted = 0;
            for (const f of entry.fixes) if (newKeys.delete(key(f.deviceId, f.time))) inserted += 1;
            entry.resolve({ inserted, duplicates: entry.fixes.length - inserted });
          }
          if (stored.length > 0) this.opts.onCommitted?.(stored);
        } catch (err) {
          this.queued -= size;
          for (const entry of batch) entry.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** One transaction: positions, latest positions, odometers, last-seen. */
  private async write(fixes: ResolvedFix[]): Promise<{ stored: StoredFix[]; newKeys: Set<string> }> {
    const committed = await withPgScope(this.pool, { kind: "system" }, async (client) => {
      const unknown = [...new Set(fixes.map((f) => f.deviceId))].filter((id) => !this.last.has(id));
      const seeded = new Map<string, LastFix>();
      if (unknown.length > 0) {
        const { rows } = await client.query<{
          device_id: string;
          time: Date;
          latitude: number;
          longitude: number;
          odometer_m: number;
        }>(
          "SELECT device_id, time, latitude, longitude, odometer_m FROM tel_latest_positions WHERE device_id = ANY($1::uuid[])",
          [unknown],
        );
        for (const r of rows) {
          seeded.set(r.device_id, {
            time: r.time.getTime(),
            latitude: r.latitude,
            longitude: r.longitude,
            odometerM: r.odometer_m,
          });
        }
      }
      // Derive distances in fix-time order per device, on a staged copy of the cache (kept only on COMMIT).
      const staged = new Map<string, LastFix>();
      const lastOf = (id: string) => staged.get(id) ?? this.last.get(id) ?? seeded.get(id);
      const ordered = [...fixes].sort((a, b) =>
        a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.time.getTime() - b.time.getTime(),
      );
      const distances = new Map<string, number | null>();
      const vehicleDelta = new Map<string, number>();
      for (const f of ordered) {
        const prev = lastOf(f.deviceId);
        const t = f.time.getTime();
        if (prev && t <= prev.time) {
          distances.set(key(f.deviceId, f.time), null); // late or repeated fix: no distance
          continue;
        }
        const d = prev ? haversineM(prev.latitude, prev.longitude, f.latitude, f.longitude) : null;
        distances.set(key(f.deviceId, f.time), d);
        staged.set(f.deviceId, {
          time: t,
          latitude: f.latitude,
          longitude: f.longitude,
          odometerM: (prev?.odometerM ?? 0) + (d ?? 0),
        });
        if (d && f.vehicleId) vehicleDelta.set(f.vehicleId, (vehicleDelta.get(f.vehicleId) ?? 0) + d);
      }

      const cols = {
        time: [] as Date[],
        tenant: [] as string[],
        device: [] as string[],
        vehicle: [] as (string | null)[],
        lat: [] as number[],
        lon: [] as number[],
        speed: [] as (number | null)[],
        heading: [] as (number | null)[],
        altitude: [] as (number | null)[],
        accuracy: [] as (number | null)[],
        distance: [] as (number | null)[],
        attributes: [] as string[],
      };
      for (const f of fixes) {
        cols.time.push(f.time);
        cols.tenant.push(f.tenantId);
        cols.device.push(f.deviceId);
        cols.vehicle.push(f.vehicleId);
        cols.lat.push(f.latitude);
        cols.lon.push(f.longitude);
        cols.speed.push(f.speedKph);
        cols.heading.push(f.headingDeg);
        cols.altitude.push(f.altitudeM);
        cols.accuracy.push(f.accuracyM);
        cols.distance.push(distances.get(key(f.deviceId, f.time)) ?? null);
        cols.attributes.push(JSON.stringify(f.attributes));
      }
      const { rows: insertedRows } = await client.query<{ device_id: string; time: Date; received_at: Date }>(
        `INSERT INTO tel_positions (time, tenant_id, device_id, vehicle_id, latitude, longitude, speed_kph, heading_deg,
                                    altitude_m, accuracy_m, distance_m, attributes)
         SELECT * FROM unnest($1::timestamptz[], $2::uuid[], $3::uuid[], $4::uuid[], $5::float8[], $6::float8[],
                              $7::real[], $8::real[], $9::real[], $10::real[], $11::real[], $12::jsonb[])
         ON CONFLICT (device_id, time) DO NOTHING
         RETURNING device_id, time, received_at`,
        [
          cols.time,
          cols.tenant,
          cols.device,
          cols.vehicle,
          cols.lat,
          cols.lon,
          cols.speed,
          cols.heading,
          cols.altitude,
          cols.accuracy,
          cols.distance,
          cols.attributes,
        ],
      );
      const newKeys = new Set(insertedRows.map((r) => key(r.device_id, r.time)));
      const receivedAt = insertedRows[0]?.received_at ?? new Date();

      // Newest fix per device → tel_latest_positions (only replacing an older one).
      const newest = new Map<string, ResolvedFix>();
      for (const f of fixes) {
        const cur = newest.get(f.deviceId);
        if (!cur || f.time > cur.time) newest.set(f.deviceId, f);
      }
      const latest = [...newest.values()];
      await client.query(
        `INSERT INTO tel_latest_positions AS l (device_id, tenant_id, vehicle_id, time, latitude, longitude, speed_kph,
                                               heading_deg, altitude_m, accuracy_m, odometer_m, attributes, received_at)
         SELECT *, now() FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::float8[], $6::float8[],
                                     $7::real[], $8::real[], $9::real[], $10::real[], $11::float8[], $12::jsonb[])
         ON CONFLICT (device_id) DO UPDATE SET
           tenant_id = EXCLUDED.tenant_id, vehicle_id = EXCLUDED.vehicle_id, time = EXCLUDED.time,
           latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, speed_kph = EXCLUDED.speed_kph,
           heading_deg = EXCLUDED.heading_deg, altitude_m = EXCLUDED.altitude_m, accuracy_m = EXCLUDED.accuracy_m,
           odometer_m = EXCLUDED.odometer_m, attributes = EXCLUDED.attributes, received_at = EXCLUDED.received_at
         WHERE l.time < EXCLUDED.time`,
        [
          latest.map((f) => f.deviceId),
          latest.map((f) => f.tenantId),
          latest.map((f) => f.vehicleId),
          latest.map((f) => f.time),
          latest.map((f) => f.latitude),
          latest.map((f) => f.longitude),
          latest.map((f) => f.speedKph),
          latest.map((f) => f.headingDeg),
          latest.map((f) => f.altitudeM),
          latest.map((f) => f.accuracyM),
          latest.map((f) => staged.get(f.deviceId)?.odometerM ?? lastOf(f.deviceId)?.odometerM ?? 0),
          latest.map((f) => JSON.stringify(f.attributes)),
        ],
      );
      await client.query("UPDATE tel_devices SET last_seen_at = now() WHERE id = ANY($1::uuid[])", [
        [...newest.keys()],
      ]);
      if (vehicleDelta.size > 0) {
        await client.query(
          `UPDATE flt_vehicles v SET odometer_m = v.odometer_m + d.delta
             FROM unnest($1::uuid[], $2::float8[]) AS d(id, delta) WHERE v.id = d.id`,
          [[...vehicleDelta.keys()], [...vehicleDelta.values()]],
        );
      }
      return { staged, distances, newKeys, receivedAt };
    });
    // Committed: only now does the in-memory last-fix cache move on.
    const { staged, distances, newKeys, receivedAt } = committed;
    for (const [id, v] of staged) this.last.set(id, v);
    const stored = fixes
      .filter((f) => newKeys.has(key(f.deviceId, f.time)))
      .map((f) => ({ ...f, distanceM: distances.get(key(f.deviceId, f.time)) ?? null, receivedAt }));
    return { stored, newKeys };
  }
}

function key(deviceId: string, time: Date): string {
  return `${deviceId}@${time.getTime()}`;
}
