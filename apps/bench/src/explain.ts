/**
 * Query plans of what a service really runs: the SQL statements a query-logging Prisma client saw
 * (packages/db `createQueryLoggingPrisma`), re-run under `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`
 * in the same RLS scope (and, like packages/db `withScope`, without JIT), summarised per statement: execution time, and for each hypertable touched
 * how many of its chunks were scanned (TimescaleDB's chunk exclusion at plan time and at executor
 * startup, "Chunks excluded during startup"), the indexes used and any sequential scan.
 */
import pg from "pg";

/** One statement a service sent. */
export interface CapturedQuery {
  query: string;
  params: string;
}

/** What EXPLAIN ANALYZE said about one statement. */
export interface PlanSummary {
  /** The statement's first 90 characters, whitespace collapsed. */
  sql: string;
  executionMs: number;
  /** Per hypertable: chunks scanned of its total, and chunks excluded at startup. */
  hypertables: { name: string; scanned: number; total: number; excludedAtStartup: number }[];
  indexes: string[];
  seqScans: string[];
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Chunks excluded during startup"?: number;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/** Statements worth explaining: reads (transaction control and scope settings are skipped). */
function explainable(sql: string): boolean {
  const head = sql.trimStart().slice(0, 12).toUpperCase();
  return (head.startsWith("SELECT") || head.startsWith("WITH")) && !/set_config\(/i.test(sql);
}

/**
 * EXPLAINs every explainable statement of `queries` as the application role in `scope`
 * ('provider' or 'system'), rolling each back.
 */
export async function explainCaptured(
  databaseUrl: string,
  queries: CapturedQuery[],
  scope: { kind: "provider" | "system"; userId?: string },
): Promise<PlanSummary[]> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "fleetcore-bench-explain" });
  await client.connect();
  try {
    const { rows: chunkRows } = await client.query<{ chunk: string; hypertable: string }>(
      "SELECT chunk_name AS chunk, hypertable_name AS hypertable FROM timescaledb_information.chunks",
    );
    const hypertableOf = new Map(chunkRows.map((r) => [r.chunk, r.hypertable]));
    const totals = new Map<string, number>();
    for (const r of chunkRows) totals.set(r.hypertable, (totals.get(r.hypertable) ?? 0) + 1);
    const out: PlanSummary[] = [];
    for (const q of queries.filter((x) => explainable(x.query))) {
      const params = JSON.parse(q.params || "[]") as unknown[];
      await client.query("BEGIN");
      try {
        await client.query(
          "SELECT set_config('app.tenant_id', '', true), set_config('app.user_id', $1, true), set_config('app.scope', $2, true), set_config('jit', 'off', true)",
          [scope.userId ?? "", scope.kind],
        );
        const { rows } = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode; "Execution Time": number }] }>(
          `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.query}`,
          params,
        );
        const plan = rows[0]?.["QUERY PLAN"][0];
        if (!plan) continue;
        const scanned = new Map<string, Set<string>>();
        const excluded = new Map<string, number>();
        const indexes = new Set<string>();
        const seqScans = new Set<string>();
        walk(plan.Plan, (n) => {
          const rel = n["Relation Name"];
          // Chunks only: a hypertable's own (empty) parent relation may appear beside them.
          const hyper = rel ? (hypertableOf.get(rel) ?? null) : null;
          if (rel && hyper) {
            const set = scanned.get(hyper) ?? new Set<string>();
            set.add(rel);
            scanned.set(hyper, set);
          }
          if (n["Index Name"]) indexes.add(n["Index Name"]);
          if (n["Node Type"] === "Seq Scan" && rel) seqScans.add(hyper ? `${hyper} (chunk ${rel})` : rel);
          const ex = n["Chunks excluded during startup"];
          if (ex && rel === undefined) {
            // ChunkAppend nodes carry no relation; attribute to the hypertable of their children.
            const child = (n.Plans ?? []).map((c) => c["Relation Name"]).find(Boolean);
            const h = child ? hypertableOf.get(child) : undefined;
            if (h) excluded.set(h, (excluded.get(h) ?? 0) + ex);
          }
        });
        out.push({
          sql: q.query.replace(/\s+/g, " ").trim().slice(0, 90),
          executionMs: plan["Execution Time"],
          hypertables: [...scanned.entries()].map(([name, set]) => ({
            name,
            scanned: set.size,
            total: totals.get(name) ?? set.size,
            excludedAtStartup: excluded.get(name) ?? 0,
          })),
          indexes: [...indexes],
          seqScans: [...seqScans],
        });
      } finally {
        await client.query("ROLLBACK");
      }
    }
    return out;
  } finally {
    await client.end();
  }
}

/** Prints plan summaries under a heading, one block per statement. */
export function printPlans(title: string, plans: PlanSummary[]): void {
  console.log(`\n  plan: ${title}`);
  for (const p of plans) {
    console.log(`    ${p.executionMs.toFixed(1)} ms  ${p.sql}`);
    for (const h of p.hypertables) {
      console.log(
        `      ${h.name}: ${h.scanned} of ${h.total} chunks scanned` +
          (h.excludedAtStartup > 0 ? ` (${h.excludedAtStartup} excluded at startup)` : ""),
      );
    }
    if (p.indexes.length > 0) console.log(`      indexes: ${p.indexes.join(", ")}`);
    if (p.seqScans.length > 0) console.log(`      seq scans: ${p.seqScans.join(", ")}`);
  }
}
