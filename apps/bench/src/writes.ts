/**
 * The ways of writing a batch of positions the ingest benchmark compares:
 * - raw `COPY … FROM STDIN (FORMAT binary)` (pg-copy-streams) into a table of tel_positions' shape
 *   (same columns, indexes and 1-day hypertable chunks, no RLS): the ceiling, no conflict handling;
 * - the writer's previous statement, a multi-row
 *   `INSERT … SELECT * FROM unnest($1::timestamptz[], …) ON CONFLICT DO NOTHING RETURNING …`;
 * - the writer's current one, {@link insertPositions} (binary COPY into a temporary staging
 *   table, then INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING).
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { encodePositionsCopy, type ResolvedFix } from "@fleetcore/core";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

const COLUMNS =
  "time, tenant_id, device_id, vehicle_id, latitude, longitude, speed_kph, heading_deg, altitude_m, accuracy_m, distance_m, attributes";

/** Creates `table` with tel_positions' columns, defaults and indexes, as a 1-day-chunk hypertable. */
export async function createPositionsTableLike(client: pg.Pool | pg.Client, table: string): Promise<void> {
  await client.query(`CREATE TABLE ${table} (LIKE tel_positions INCLUDING DEFAULTS INCLUDING INDEXES)`);
  await client.query(
    `SELECT create_hypertable('${table}', by_range('time', INTERVAL '1 day'), create_default_indexes => FALSE)`,
  );
}

/** Raw `COPY <table> (…) FROM STDIN (FORMAT binary)` of `fixes` (no distances). */
export async function rawCopy(client: pg.PoolClient, table: string, fixes: ResolvedFix[]): Promise<void> {
  await pipeline(
    Readable.from([encodePositionsCopy(fixes, new Array(fixes.length).fill(null))]),
    client.query(copyFrom(`COPY ${table} (${COLUMNS}) FROM STDIN (FORMAT binary)`)),
  );
}

/** The writer's previous statement (store.ts before the switch to COPY). @returns rows inserted */
export async function unnestInsert(client: pg.PoolClient, fixes: ResolvedFix[]): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO tel_positions (${COLUMNS})
     SELECT * FROM unnest($1::timestamptz[], $2::uuid[], $3::uuid[], $4::uuid[], $5::float8[], $6::float8[],
                          $7::real[], $8::real[], $9::real[], $10::real[], $11::real[], $12::jsonb[])
     ON CONFLICT (device_id, time) DO NOTHING
     RETURNING device_id, time, received_at`,
    [
      fixes.map((f) => f.time),
      fixes.map((f) => f.tenantId),
      fixes.map((f) => f.deviceId),
      fixes.map((f) => f.vehicleId),
      fixes.map((f) => f.latitude),
      fixes.map((f) => f.longitude),
      fixes.map((f) => f.speedKph),
      fixes.map((f) => f.headingDeg),
      fixes.map((f) => f.altitudeM),
      fixes.map((f) => f.accuracyM),
      fixes.map(() => null),
      fixes.map((f) => JSON.stringify(f.attributes)),
    ],
  );
  return rowCount ?? 0;
}
