/**
 * The position write path: a bounded in-memory queue drained by one writer that stores batches in
 * single transactions — positions into the tel_positions hypertable, the newest fix per device into
 * tel_latest_positions (only if newer), the distance from the previous fix and the device's and
 * vehicle's odometers, and the devices' last-seen time. `submit` resolves only after COMMIT: an HTTP
 * 200 built on it means the positions are durable. A full queue refuses at once
 * ({@link BackpressureError}: answer 503 + Retry-After), so memory stays bounded.
 *
 * Positions go by binary COPY into a temporary staging table (COPY cannot write a table under
 * row-level security), then INSERT … SELECT into the hypertable, split in two:
 * - **fresh** fixes — newer than the device's newest stored fix (known from the writer's cache,
 *   seeded from tel_latest_positions in the same transaction) — by a plain INSERT: they cannot be
 *   stored yet, so the speculative insertion of ON CONFLICT (measured ~40 % of the statement's
 *   cost) and RETURNING are skipped;
 * - the rest (late, re-sent or repeated fixes) by INSERT … ON CONFLICT (device_id, time) DO NOTHING
 *   RETURNING, so a re-sent fix is a no-op and the writer learns which ones were new.
 * If another server process stored one of the "fresh" fixes first, the primary key refuses the
 * plain INSERT (23505): the transaction is rolled back and the batch is written again with every
 * fix through ON CONFLICT. The primary key, not the cache, is what guarantees idempotence.
 *
 * COPY rather than a multi-row `INSERT … SELECT * FROM unnest($1::timestamptz[], …)`: measured by
 * `pnpm bench:ingest` (README "Performance"), the staged binary COPY stores a batch about 1.3× as
 * fast and spends far less of the server's CPU encoding parameters and parsing returned rows.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type PgPool, withPgScope } from "@fleetcore/db";
import { from as copyFrom } from "pg-copy-streams";
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
  /** Most fixes per transaction. Default 20,000: per-device work (latest position, odometers) is per batch, so larger batches amortise it. */
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
    this.batchSize = opts.batchSize ?? 20_000;
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
          const { stored, isNew } = await this.writeRetryingConflict(
            batch.length === 1 ? (batch[0] as Entry).fixes : batch.flatMap((e) => e.fixes),
          );
          this.queued -= size;
          let at = 0;
          for (const entry of batch) {
            let inserted = 0;
            for (let i = 0; i < entry.fixes.length; i++) if (isNew[at + i]) inserted += 1;
            at += entry.fixes.length;
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

  /**
   * Writes a batch; if another process stored one of the fixes this one took for fresh (primary
   * key violation, 23505), writes it again with every fix through ON CONFLICT DO NOTHING.
   */
  private async writeRetryingConflict(fixes: ResolvedFix[]): Promise<{ stored: StoredFix[]; isNew: boolean[] }> {
    try {
      return await this.write(fixes, false);
    } catch (err) {
      if ((err as { code?: string }).code !== "23505") throw err;
      return await this.write(fixes, true);
    }
  }

  /**
   * One transaction: positions, latest positions, odometers, last-seen.
   * @param conflictSafe true: treat no fix as fresh (every one through ON CONFLICT DO NOTHING)
   * @returns the fixes newly stored (with distance and receivedAt), and per fix of `fixes` whether
   * it was new (a fix repeated within the batch counts once)
   */
  private async write(fixes: ResolvedFix[], conflictSafe: boolean): Promise<{ stored: StoredFix[]; isNew: boolean[] }> {
    const timeMs = fixes.map((f) => f.time.getTime());
    // Indexes of each device's fixes in fix-time order (usually already in order: no sort then).
    const byDevice = new Map<string, number[]>();
    for (let i = 0; i < fixes.length; i++) {
      const id = (fixes[i] as ResolvedFix).deviceId;
      const list = byDevice.get(id);
      if (list) list.push(i);
      else byDevice.set(id, [i]);
    }
    for (const list of byDevice.values()) {
      if (list.some((ix, n) => n > 0 && (timeMs[ix] as number) < (timeMs[list[n - 1] as number] as number))) {
        list.sort((a, b) => (timeMs[a] as number) - (timeMs[b] as number) || a - b);
      }
    }
    const committed = await withPgScope(this.pool, { kind: "system" }, async (client) => {
      const unknown = [...byDevice.keys()].filter((id) => !this.last.has(id));
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
      const distances: (number | null)[] = new Array(fixes.length).fill(null);
      // Fresh: newer than the device's newest stored fix (and not a repeat within the batch).
      const fresh: boolean[] = new Array(fixes.length).fill(false);
      const vehicleDelta = new Map<string, number>();
      for (const [deviceId, list] of byDevice) {
        let prev = this.last.get(deviceId) ?? seeded.get(deviceId);
        for (const i of list) {
          const f = fixes[i] as ResolvedFix;
          const t = timeMs[i] as number;
          if (prev && t <= prev.time) continue; // late or repeated fix: no distance
          const d = prev ? haversineM(prev.latitude, prev.longitude, f.latitude, f.longitude) : null;
          distances[i] = d;
          fresh[i] = !conflictSafe;
          prev = {
            time: t,
            latitude: f.latitude,
            longitude: f.longitude,
            odometerM: (prev?.odometerM ?? 0) + (d ?? 0),
          };
          if (d && f.vehicleId) vehicleDelta.set(f.vehicleId, (vehicleDelta.get(f.vehicleId) ?? 0) + d);
        }
        if (prev && prev !== (this.last.get(deviceId) ?? seeded.get(deviceId))) staged.set(deviceId, prev);
      }

      const { isNew, receivedAt } = await insertPositions(client, fixes, distances, fresh);

      // Newest fix per device → tel_latest_positions (only replacing an older one).
      const latest = [...byDevice.values()].map((list) => {
        let k = list.length - 1; // the first of equal newest times: the one stored
        while (k > 0 && timeMs[list[k - 1] as number] === timeMs[list[k] as number]) k -= 1;
        return fixes[list[k] as number] as ResolvedFix;
      });
      // One statement, one round trip: latest positions, devices' last-seen, vehicles' odometers.
      // A plain UPDATE for devices that have a latest position (every fix after a device's first)
      // is much cheaper than INSERT … ON CONFLICT DO UPDATE, which first tries an index insertion;
      // the upsert remains for the rest. `= ANY($n)` lets the planner probe the primary keys
      // instead of scanning tables that churn every second.
      await client.query(
        `WITH x AS (
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::float8[], $6::float8[],
                                $7::real[], $8::real[], $9::real[], $10::real[], $11::float8[], $12::jsonb[])
             AS x(device_id, tenant_id, vehicle_id, time, latitude, longitude, speed_kph, heading_deg, altitude_m,
                  accuracy_m, odometer_m, attributes)
         ), updated AS (
           UPDATE tel_latest_positions l SET
             tenant_id = x.tenant_id, vehicle_id = x.vehicle_id, time = x.time, latitude = x.latitude,
             longitude = x.longitude, speed_kph = x.speed_kph, heading_deg = x.heading_deg, altitude_m = x.altitude_m,
             accuracy_m = x.accuracy_m, odometer_m = x.odometer_m, attributes = x.attributes, received_at = now()
           FROM x WHERE l.device_id = x.device_id AND l.device_id = ANY($1::uuid[]) AND l.time < x.time
         ), seen AS (
           UPDATE tel_devices SET last_seen_at = now() WHERE id = ANY($1::uuid[])
         ), odometers AS (
           UPDATE flt_vehicles v SET odometer_m = v.odometer_m + d.delta
             FROM unnest($13::uuid[], $14::float8[]) AS d(id, delta) WHERE v.id = d.id AND v.id = ANY($13::uuid[])
         )
         INSERT INTO tel_latest_positions AS l (device_id, tenant_id, vehicle_id, time, latitude, longitude, speed_kph,
                                               heading_deg, altitude_m, accuracy_m, odometer_m, attributes, received_at)
         SELECT x.*, now() FROM x
          WHERE NOT EXISTS (SELECT 1 FROM tel_latest_positions p WHERE p.device_id = x.device_id)
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
          latest.map(
            (f) => (staged.get(f.deviceId) ?? this.last.get(f.deviceId) ?? seeded.get(f.deviceId))?.odometerM ?? 0,
          ),
          latest.map((f) => JSON.stringify(f.attributes)),
          [...vehicleDelta.keys()],
          [...vehicleDelta.values()],
        ],
      );
      return { staged, distances, isNew, receivedAt };
    });
    // Committed: only now does the in-memory last-fix cache move on.
    const { staged, distances, isNew, receivedAt } = committed;
    for (const [id, v] of staged) this.last.set(id, v);
    const stored: StoredFix[] = [];
    if (this.opts.onCommitted) {
      for (let i = 0; i < fixes.length; i++) {
        if (!isNew[i]) continue;
        const f = fixes[i] as ResolvedFix;
        // A literal of fixed shape: ~10× cheaper than `{ ...f, distanceM, receivedAt }` (a spread
        // builds the object key by key), which showed as 2 µs per fix in the ingest benchmark.
        stored.push({
          deviceId: f.deviceId,
          tenantId: f.tenantId,
          vehicleId: f.vehicleId,
          time: f.time,
          latitude: f.latitude,
          longitude: f.longitude,
          speedKph: f.speedKph,
          headingDeg: f.headingDeg,
          altitudeM: f.altitudeM,
          accuracyM: f.accuracyM,
          attributes: f.attributes,
          distanceM: distances[i] ?? null,
          receivedAt,
        });
      }
    }
    return { stored, isNew };
  }
}

/** tel_positions columns the writer fills, in the staging table's and the COPY stream's order. */
const POSITION_COLUMNS =
  "time, tenant_id, device_id, vehicle_id, latitude, longitude, speed_kph, heading_deg, altitude_m, accuracy_m, distance_m, attributes";

/**
 * The staging table: one per database session, emptied at every COMMIT. IF NOT EXISTS each time
 * (one short round trip) instead of remembering it per connection: a rolled-back transaction
 * takes its CREATE with it. `fresh`: the writer knows the fix is not stored yet.
 */
const STAGING_DDL = `CREATE TEMP TABLE IF NOT EXISTS tel_positions_staging (
  time timestamptz NOT NULL, tenant_id uuid NOT NULL, device_id uuid NOT NULL, vehicle_id uuid,
  latitude float8 NOT NULL, longitude float8 NOT NULL, speed_kph real, heading_deg real, altitude_m real,
  accuracy_m real, distance_m real, attributes jsonb NOT NULL, fresh boolean NOT NULL) ON COMMIT DELETE ROWS`;

/** A connection inside a transaction (withPgScope's client). */
type PgClient = Parameters<Parameters<typeof withPgScope>[2]>[0];

/**
 * Inserts positions into tel_positions: binary COPY into the session's staging table, then one
 * round trip of up to two statements — the fresh fixes by a plain INSERT … SELECT, the others by
 * INSERT … SELECT … ON CONFLICT (device_id, time) DO NOTHING RETURNING (so those already stored are
 * skipped and reported). Call inside a transaction (the staging rows go at COMMIT); row-level
 * security applies to the inserts.
 * @param distances metres from each fix's previous fix, aligned with `fixes` (null: none)
 * @param fresh per fix, whether it is certainly not stored yet (newer than its device's newest
 * stored fix, not repeated in the batch); omitted: none is. A "fresh" fix that is in fact stored
 * makes the plain INSERT fail with a primary-key violation (SQLSTATE 23505) and aborts the transaction.
 * @returns per fix whether it was newly stored (of repeats within `fixes`, the first), and their
 * received_at (the transaction's start)
 */
export async function insertPositions(
  client: PgClient,
  fixes: ResolvedFix[],
  distances: (number | null)[],
  fresh?: boolean[],
): Promise<{ isNew: boolean[]; receivedAt: Date }> {
  // One round trip (simple query protocol, two statements, two results): the staging table, and
  // received_at's default, now() — the transaction's start time.
  const results = (await client.query(`${STAGING_DDL}; SELECT now() AS now`)) as unknown as { rows: { now: Date }[] }[];
  const receivedAt = results[1]?.rows[0]?.now ?? new Date();
  await pipeline(
    Readable.from([encodePositionsCopy(fixes, distances, fresh ?? false)]),
    client.query(copyFrom(`COPY tel_positions_staging (${POSITION_COLUMNS}, fresh) FROM STDIN (FORMAT binary)`)),
  );
  const freshCount = fresh ? fresh.reduce((n, f) => (f ? n + 1 : n), 0) : 0;
  const statements: string[] = [];
  if (freshCount > 0) {
    statements.push(
      `INSERT INTO tel_positions (${POSITION_COLUMNS}) SELECT ${POSITION_COLUMNS} FROM tel_positions_staging WHERE fresh`,
    );
  }
  if (freshCount < fixes.length) {
    // time_ms: an int8 (a string to node-postgres) is much cheaper to read back than a timestamptz.
    statements.push(
      `INSERT INTO tel_positions (${POSITION_COLUMNS}) SELECT ${POSITION_COLUMNS} FROM tel_positions_staging
       WHERE NOT fresh ON CONFLICT (device_id, time) DO NOTHING
       RETURNING device_id, (extract(epoch FROM time) * 1000)::int8 AS time_ms`,
    );
  }
  const result = (await client.query(statements.join(";\n"))) as unknown;
  const isNew: boolean[] = fresh ? fresh.slice() : new Array(fixes.length).fill(false);
  if (freshCount < fixes.length) {
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    const rows = (last as { rows: { device_id: string; time_ms: string }[] }).rows;
    const newTimes = new Map<string, Set<number>>();
    for (const r of rows) {
      const set = newTimes.get(r.device_id);
      if (set) set.add(Number(r.time_ms));
      else newTimes.set(r.device_id, new Set([Number(r.time_ms)]));
    }
    for (let i = 0; i < fixes.length; i++) {
      if (isNew[i]) continue;
      const f = fixes[i] as ResolvedFix;
      // delete: of repeats within the batch, only the first counts as new.
      isNew[i] = newTimes.get(f.deviceId)?.delete(f.time.getTime()) ?? false;
    }
  }
  return { isNew, receivedAt };
}

/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix ms. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
/** COPY binary header: signature, flags (none), header extension length (0). */
const COPY_HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);
const EMPTY_JSON = Buffer.from("{}");

/** Binary UUIDs by text: tenant, device and vehicle ids repeat across batches. Bounded by clearing. */
const uuidBytes = new Map<string, Buffer>();

function uuidToBytes(id: string): Buffer {
  let bytes = uuidBytes.get(id);
  if (!bytes) {
    bytes = Buffer.from(id.replace(/-/g, ""), "hex");
    if (bytes.length !== 16) throw new Error(`not a UUID: ${id}`);
    if (uuidBytes.size >= 200_000) uuidBytes.clear();
    uuidBytes.set(id, bytes);
  }
  return bytes;
}

/**
 * Encodes positions as PostgreSQL's COPY binary format (PostgreSQL docs, "COPY" → "Binary Format"),
 * columns in {@link POSITION_COLUMNS} order: timestamptz as int64 µs since 2000-01-01 UTC, uuid as
 * 16 bytes, float8/real as IEEE 754 big-endian (real rounds like PostgreSQL's own float4 input),
 * jsonb as version byte 1 + UTF-8 JSON text, bool as one byte; a null is length -1.
 * @param distances metres from the device's previous fix, aligned with `fixes` (null: none)
 * @param fresh given: a 13th column, the staging table's `fresh` (per fix; `false`: all false)
 * @throws Error for an id that is not a UUID
 */
export function encodePositionsCopy(
  fixes: ResolvedFix[],
  distances: (number | null)[],
  fresh?: boolean[] | false,
): Buffer {
  const withFresh = fresh !== undefined;
  const freshFlags = fresh || null;
  const fields = withFresh ? 13 : 12;
  const attributes = fixes.map((f) => {
    for (const _ in f.attributes) return Buffer.from(JSON.stringify(f.attributes), "utf8");
    return EMPTY_JSON;
  });
  // Per row: field count, lengths, time, 3 uuids (vehicle optional), 2 float8, 5 real, jsonb version, bool.
  let size = COPY_HEADER.length + 2;
  for (let i = 0; i < fixes.length; i++) {
    size += 2 + fields * 4 + 8 + 16 * 2 + (fixes[i]?.vehicleId ? 16 : 0) + 2 * 8 + 5 * 4 + 1 + (withFresh ? 1 : 0);
    size += (attributes[i] as Buffer).length;
  }
  const buf = Buffer.allocUnsafe(size);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = COPY_HEADER.copy(buf, 0);
  const uuid = (v: string | null) => {
    if (v === null) {
      view.setInt32(o, -1);
      o += 4;
      return;
    }
    view.setInt32(o, 16);
    buf.set(uuidToBytes(v), o + 4);
    o += 20;
  };
  const float8 = (v: number) => {
    view.setInt32(o, 8);
    view.setFloat64(o + 4, v);
    o += 12;
  };
  const real = (v: number | null) => {
    if (v === null) {
      view.setInt32(o, -1);
      o += 4;
      return;
    }
    view.setInt32(o, 4);
    view.setFloat32(o + 4, v);
    o += 8;
  };
  for (let i = 0; i < fixes.length; i++) {
    const f = fixes[i] as ResolvedFix;
    view.setInt16(o, fields);
    const us = (f.time.getTime() - PG_EPOCH_MS) * 1000; // exact: |µs| < 2^53 for years 1715..2285
    const high = Math.floor(us / 2 ** 32);
    view.setInt32(o + 2, 8);
    view.setInt32(o + 6, high);
    view.setUint32(o + 10, us - high * 2 ** 32);
    o += 14;
    uuid(f.tenantId);
    uuid(f.deviceId);
    uuid(f.vehicleId);
    float8(f.latitude);
    float8(f.longitude);
    real(f.speedKph);
    real(f.headingDeg);
    real(f.altitudeM);
    real(f.accuracyM);
    real(distances[i] ?? null);
    const json = attributes[i] as Buffer;
    view.setInt32(o, json.length + 1);
    view.setUint8(o + 4, 1);
    buf.set(json, o + 5);
    o += 5 + json.length;
    if (withFresh) {
      view.setInt32(o, 1);
      view.setUint8(o + 4, freshFlags?.[i] ? 1 : 0);
      o += 5;
    }
  }
  view.setInt16(o, -1);
  return buf.subarray(0, o + 2);
}
