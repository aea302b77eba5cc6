/**
 * TimescaleDB facts the platform reports and branches on. Features under the Timescale License
 * (continuous aggregates, compression, retention policies, jobs, gap filling) exist only when
 * `timescaledb.license` is `timescale`; the Apache-2 edition built here has hypertables,
 * `time_bucket`, `first`/`last`, `histogram` and `drop_chunks`. Source: TimescaleDB docs, "Editions".
 */
import type { PrismaClient } from "./client";

/** Extension status as `/healthz` shows it. */
export interface TimescaleStatus {
  /** Installed extension version, e.g. "2.19.3"; null when the extension is not installed. */
  version: string | null;
  /** `apache` (Apache-2 edition) or `timescale` (Timescale License: TSL features available). */
  license: string | null;
  /** True when Timescale-License features may be used. */
  tslFeatures: boolean;
}

/** Reads the TimescaleDB version and license of the connected database. */
export async function getTimescaleStatus(db: PrismaClient): Promise<TimescaleStatus> {
  const rows = await db.$queryRaw<{ version: string | null; license: string | null }[]>`
    SELECT (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS version,
           current_setting('timescaledb.license', true) AS license`;
  const row = rows[0] ?? { version: null, license: null };
  return { version: row.version, license: row.license, tslFeatures: row.license === "timescale" };
}

/** One hypertable and its time partitioning, from `timescaledb_information`. */
export interface HypertableInfo {
  name: string;
  timeColumn: string;
  /** Chunk interval in seconds. */
  chunkIntervalS: number;
  numChunks: number;
}

/** Lists the hypertables in the `public` schema with their chunk interval. */
export async function listHypertables(db: PrismaClient): Promise<HypertableInfo[]> {
  const rows = await db.$queryRaw<
    { name: string; time_column: string; chunk_interval_s: number; num_chunks: number }[]
  >`
    SELECT h.hypertable_name AS name, d.column_name AS time_column,
           extract(epoch FROM d.time_interval)::float8 AS chunk_interval_s, h.num_chunks::int AS num_chunks
      FROM timescaledb_information.hypertables h
      JOIN timescaledb_information.dimensions d
        ON d.hypertable_schema = h.hypertable_schema AND d.hypertable_name = h.hypertable_name
     WHERE h.hypertable_schema = 'public' AND d.dimension_type = 'Time'
     ORDER BY h.hypertable_name`;
  return rows.map((r) => ({
    name: r.name,
    timeColumn: r.time_column,
    chunkIntervalS: r.chunk_interval_s,
    numChunks: r.num_chunks,
  }));
}
