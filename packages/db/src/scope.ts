/**
 * Row-level security scopes. Every database access by the application runs inside
 * {@link withScope}: one transaction whose first statement sets the settings the RLS policies of
 * the auth migration (prisma/migrations/20261121010000_auth_rls) read —
 *
 * - `app.tenant_id`  the tenant the caller acts in (policies: `tenant_id = app_tenant_id()`)
 * - `app.user_id`    the signed-in person (own sessions, own memberships, own user row)
 * - `app.scope`      `tenant` | `user` | `provider` | `system`; `provider` and `system` may cross
 *                    tenants (`app_cross_tenant()`), everything else sees one tenant at most.
 *
 * The settings are transaction-local (`set_config(name, value, true)` = SET LOCAL), so a pooled
 * connection never carries one request's tenant into the next. Without a scope every policy denies.
 *
 * JIT compilation is switched off in the same statement: the application's queries are short, and
 * PostgreSQL's cost-based JIT added ~60 ms of compile time to the 1,000-tenant portfolio query
 * (`pnpm bench:analytics`) for no gain in execution.
 */
import type { Pool, PoolClient } from "pg";
import type { Prisma, PrismaClient } from "./generated/prisma/client";

/** A Prisma client usable inside a scoped transaction (what domain services receive). */
export type Db = Prisma.TransactionClient;

/** Who a transaction acts for. */
export type DbScope =
  /** A tenant member, a provider employee visiting a tenant, or a wall display: one tenant. */
  | { kind: "tenant"; tenantId: string; userId?: string | null }
  /** A signed-in person with no tenant context: their own user, sessions and memberships only. */
  | { kind: "user"; userId: string }
  /** Fleetcore staff on the provider path: every tenant (the API audits what they change). */
  | { kind: "provider"; userId: string }
  /** Platform internals: session lookup by token hash, sign-in, ingest device resolution, jobs. */
  | { kind: "system"; userId?: string | null };

/** Interactive-transaction limits: wait ≤ 5 s for a connection, run ≤ 30 s. */
const TX_OPTIONS = { maxWait: 5_000, timeout: 30_000 } as const;

/** Options of {@link withScope}. */
export interface WithScopeOptions {
  /** How long the transaction may run, ms (default 30 s): batch jobs (the activity rollup) need longer. */
  timeoutMs?: number;
}

/**
 * Runs `fn` in a transaction scoped to `scope` and returns its result (commit), or rethrows its
 * error (rollback).
 * @param opts.timeoutMs the transaction's run-time limit, ms (default 30 s; the connection wait stays 5 s)
 * @example await withScope(prisma, { kind: "tenant", tenantId }, (db) => db.vehicle.findMany())
 */
export async function withScope<T>(
  prisma: PrismaClient,
  scope: DbScope,
  fn: (db: Db) => Promise<T>,
  opts: WithScopeOptions = {},
): Promise<T> {
  const tenantId = scope.kind === "tenant" ? scope.tenantId : "";
  const userId = ("userId" in scope ? scope.userId : null) ?? "";
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT set_config('app.tenant_id', ${tenantId}, true),
                                  set_config('app.user_id', ${userId}, true),
                                  set_config('app.scope', ${scope.kind}, true),
                                  set_config('jit', 'off', true)`;
      return fn(tx);
    },
    opts.timeoutMs === undefined ? TX_OPTIONS : { ...TX_OPTIONS, timeout: opts.timeoutMs },
  );
}

/**
 * {@link withScope} for a plain node-postgres pool (the ingest hot path): BEGIN, the same RLS
 * settings, `fn`, COMMIT — or ROLLBACK and rethrow. The client is always released.
 */
export async function withPgScope<T>(pool: Pool, scope: DbScope, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const tenantId = scope.kind === "tenant" ? scope.tenantId : "";
  const userId = ("userId" in scope ? scope.userId : null) ?? "";
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), set_config('app.scope', $3, true), set_config('jit', 'off', true)",
      [tenantId, userId, scope.kind],
    );
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Runs queries one after another and returns their results in order: a transaction has one
 * connection, and node-postgres deprecates overlapping queries on a client (so no Promise.all).
 */
export async function inSequence<T extends readonly unknown[]>(
  ...steps: { [K in keyof T]: () => Promise<T[K]> }
): Promise<T> {
  const out: unknown[] = [];
  for (const step of steps) out.push(await step());
  return out as unknown as T;
}
