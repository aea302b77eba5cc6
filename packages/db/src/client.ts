/**
 * Prisma Client over node-postgres (`@prisma/adapter-pg`): one client per process and database URL,
 * cached by URL (documenso's pattern) so hot reloads and tests don't leak connection pools.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { Prisma, PrismaClient } from "./generated/prisma/client";

export type { Pool as PgPool, PoolClient as PgPoolClient } from "pg";
/** Prisma's namespace: types, and `Prisma.sql`/`Prisma.raw`/`Prisma.join` for composed raw queries. */
export { Prisma, PrismaClient };

const clients = new Map<string, PrismaClient>();

/**
 * Returns the process-wide PrismaClient for `databaseUrl`, creating it on first use.
 * @param databaseUrl a postgres:// URL (the application role)
 * @param opts.maxConnections pool size (default 10)
 */
export function getPrisma(databaseUrl: string, opts: { maxConnections?: number } = {}): PrismaClient {
  let client = clients.get(databaseUrl);
  if (!client) {
    const adapter = new PrismaPg({
      connectionString: databaseUrl,
      max: opts.maxConnections ?? 10,
      application_name: "fleetcore",
    });
    client = new PrismaClient({ adapter });
    clients.set(databaseUrl, client);
  }
  return client;
}

/**
 * A separate (uncached) PrismaClient that reports every SQL statement it sends, with its parameters:
 * for benchmarks that EXPLAIN what a service really runs. Disconnect it yourself.
 * @param onQuery receives Prisma's query event: `query` (SQL with $n placeholders), `params` (JSON
 *   array text) and `duration` (ms)
 */
export function createQueryLoggingPrisma(
  databaseUrl: string,
  onQuery: (e: { query: string; params: string; duration: number }) => void,
): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: 4, application_name: "fleetcore-explain" });
  const client = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  client.$on("query", (e) => onQuery({ query: e.query, params: e.params, duration: Number(e.duration) }));
  return client;
}

/** Disconnects and forgets every cached client (process shutdown, end of a test file). */
export async function disconnectAll(): Promise<void> {
  const all = [...clients.values()];
  const allPools = [...pools.values()];
  clients.clear();
  pools.clear();
  await Promise.all([...all.map((c) => c.$disconnect()), ...allPools.map((p) => p.end())]);
}

const pools = new Map<string, pg.Pool>();

/**
 * A plain node-postgres pool for hot paths that bypass the ORM (position ingest: multi-row
 * `unnest` inserts), cached per URL like {@link getPrisma}. Same role, same row-level security:
 * callers set the scope with `set_config` inside their transaction (see ingest/store.ts in core).
 */
export function getPgPool(databaseUrl: string, opts: { max?: number } = {}): pg.Pool {
  let pool = pools.get(databaseUrl);
  if (!pool) {
    pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 4, application_name: "fleetcore-ingest" });
    pools.set(databaseUrl, pool);
  }
  return pool;
}
