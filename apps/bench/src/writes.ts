/**
 * The ways of writing a batch of positions the ingest benchmark compares:
 * - raw `COPY … FROM STDIN (FORMAT binary)` (pg-copy-streams) into a table of tel_positions' shape
 *   (same columns, indexes and 1-day hypertable chunks, no RLS): the ceiling, no conflict handling;
 * - the writer's own, {@link insertPositions} (binary COPY into a temporary staging table, then
 *   INSERT … SELECT, plain for fresh fixes or ON CONFLICT DO NOTHING RETURNING for the others),
 *   called directly by the benchmark.
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
