/**
 * `pnpm bench:ingest` — sustained positions/s through `POST /ingest/positions` (JSON array bodies,
 * tenant API key) into the tel_positions hypertable, as a ratio to a raw COPY of the same rows into
 * a table of the same shape, in the same run; beside it the PositionWriter alone (no HTTP) and the
 * writer's two statements after a binary COPY into its staging table — INSERT … SELECT … ON
 * CONFLICT DO NOTHING RETURNING (late or re-sent fixes) and the plain INSERT … SELECT it uses for
 * fixes newer than their device's newest (the live case) — then where the server's CPU goes.
 *
 * Derived events: the server runs its event rules on every committed fix (DerivedEventPipeline).
 * The `http-geofences` path posts the same fixes, through the same server, for another tenant that
 * has --geofences active geofences (./geofenceFixtures.ts; --placement spread: uniformly over the
 * area, as depots, yards and customers are; routes: centred on fixes picked at random, so that
 * most fixes are inside several and cross them constantly — the worst case);
 * both HTTP tenants otherwise have the default rules (no tel_event_rules row). It prints that path's
 * ratio to `http` (geofences cost), and how many events each tenant's positions derived. The
 * pipeline stores events behind ingest, after the responses: after each HTTP path the run waits,
 * untimed, until the server's process and database sessions are quiet, and reports that time too
 * (so the events one path derives are not written during the next path's timing).
 *
 * The run creates its own database (dropped at the end) and starts the server as a child process,
 * so its CPU is measured apart from the load generator's. The paths run in interleaved rounds so the
 * noise of a shared machine falls on all of them alike. Options:
 *   --fixes N        positions per path (default 1000000; CapMetrics rows repeated as extra fleets)
 *   --batch N        positions per request (default 5000)
 *   --concurrency N  requests in flight (default 8: several integrations posting at once)
 *   --round N        requests per round (default 30: 150,000 positions, so that filling and
 *                    draining the pipeline at a round's start and end does not dominate what
 *                    is meant to be a sustained rate)
 *   --geofences N    active geofences of the `http-geofences` tenant (default 1000; 0: no such path)
 *   --placement P    where they are: spread (default) or routes (worst case)
 *   --profile on|off V8 sampling profile of the server during the timed rounds (default on)
 *   --profile-out F  keep that profile as F (.cpuprofile: Chrome DevTools, speedscope)
 *   --data DIR       CapMetrics CSV folder (default ../shared/data/capmetro-austin)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_TENANT_EVENT_RULES,
  type DecodedPosition,
  EventRulesEngine,
  type GeofenceDef,
  GeofenceIndex,
  IngestService,
  insertPositions,
  type ObservedFix,
  PositionWriter,
  type ResolvedFix,
  type RuleLimits,
  validateGeofenceShape,
} from "@fleetcore/core";
import { ZBatchPosition } from "@fleetcore/validators";
import pg from "pg";
import { type ServerChild, serverEnv, startChild } from "./child";
import { type BenchFix, CAPMETRO_DIR, loadBenchData } from "./data";
import { type BenchTenant, createBenchDatabase, seedBenchTenants, withCleanup } from "./fixtures";
import { makeGeofences } from "./geofenceFixtures";
import { int, summariseProfile, table } from "./report";
import { createPositionsTableLike, rawCopy } from "./writes";

const { values: opts } = parseArgs({
  options: {
    fixes: { type: "string", default: "1000000" },
    batch: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "8" },
    round: { type: "string", default: "30" },
    geofences: { type: "string", default: "1000" },
    placement: { type: "string", default: "spread" },
    profile: { type: "string", default: "on" },
    "profile-out": { type: "string" },
    data: { type: "string", default: CAPMETRO_DIR },
  },
});
const batchSize = Number(opts.batch);
const concurrency = Number(opts.concurrency);
const roundBatches = Number(opts.round);
const profile = opts.profile !== "off";
const geofenceCount = Number(opts.geofences);
if (opts.placement !== "spread" && opts.placement !== "routes") throw new Error("--placement is spread or routes");
const placement: "spread" | "routes" = opts.placement;
const PLACEMENT_TEXT = {
  spread: "spread uniformly over the fixes' extent (depots, yards, customers anywhere in the area)",
  routes: "placed on the routes (centred on fixes picked at random: the worst case)",
} as const;
const WARMUP_BATCHES = 3;
/** The server's speed check (validate.ts): the other paths skip what HTTP refuses. */
const plausible = (f: BenchFix) => f.speedKph === null || f.speedKph <= 250;

const toWire = (f: BenchFix, suffix: string) => ({
  deviceId: f.uniqueId + suffix,
  time: new Date(f.timeMs).toISOString(),
  latitude: f.latitude,
  longitude: f.longitude,
  speedKph: f.speedKph,
  headingDeg: f.headingDeg,
});

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

/** POSTs one body; resolves with the status and the parsed answer. */
function post(url: string, key: string, body: string): Promise<{ status: number; json: unknown; retryAfterS: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/ingest/positions`,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => {
          let json: unknown = text;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, json, retryAfterS: Number(res.headers["retry-after"] ?? 1) });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends every body with `concurrency` requests in flight, retrying 503s after Retry-After. */
async function sendAll(url: string, key: string, bodies: string[]) {
  let next = 0;
  let accepted = 0;
  let rejected = 0;
  let retries = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const body = bodies[i];
      if (body === undefined) return;
      for (;;) {
        const res = await post(url, key, body);
        if (res.status === 503) {
          retries += 1;
          await new Promise((r) => setTimeout(r, res.retryAfterS * 1000));
          continue;
        }
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`);
        const answer = res.json as { accepted: number; rejected: unknown[] };
        accepted += answer.accepted;
        rejected += answer.rejected.length;
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { accepted, rejected, retries };
}

type Variant = "http" | "http-geofences" | "raw" | "writer" | "fresh" | "staged";
type HttpVariant = Extract<Variant, "http" | "http-geofences">;
/** Variants that write tel_positions, each as its own tenant: its devices' unique ids carry this suffix. */
const SUFFIXES = { http: "", "http-geofences": "~g", writer: "~w", fresh: "~f", staged: "~s" } as const;
type TenantVariant = keyof typeof SUFFIXES;
const isHttp = (v: Variant): v is HttpVariant => v === "http" || v === "http-geofences";
/** How often the wait for the server to go quiet after an HTTP path looks, ms. */
const SETTLE_POLL_MS = 200;

async function main() {
  console.log(`bench:ingest — loading positions (${opts.data})`);
  const data = await loadBenchData(Number(opts.fixes), opts.data);
  const db = await createBenchDatabase("bench_ingest");
  let server: ServerChild | undefined;
  const pools: pg.Pool[] = [];
  const profileDir = mkdtempSync(join(tmpdir(), "fleetcore-bench-"));
  await withCleanup(
    async () => {
      // One tenant (own devices, same fixes) per variant that writes tel_positions, so none conflicts with another.
      const tenanted = (Object.keys(SUFFIXES) as TenantVariant[]).filter(
        (v) => v !== "http-geofences" || geofenceCount > 0,
      );
      const seeded = await seedBenchTenants(
        db.ownerUrl,
        tenanted.map((v) => data.uniqueIds.map((id) => id + SUFFIXES[v])),
      );
      const tenantOf = (v: TenantVariant) => seeded[tenanted.indexOf(v)] as BenchTenant;
      const resolve = (v: TenantVariant, batch: BenchFix[]): ResolvedFix[] => {
        const tenant = tenantOf(v);
        return batch.filter(plausible).map((f) => {
          const d = tenant.devices.get(f.uniqueId + SUFFIXES[v]);
          if (!d) throw new Error(`no device ${f.uniqueId}`);
          return {
            deviceId: d.deviceId,
            tenantId: tenant.id,
            vehicleId: d.vehicleId,
            time: new Date(f.timeMs),
            latitude: f.latitude,
            longitude: f.longitude,
            speedKph: f.speedKph,
            headingDeg: f.headingDeg,
            altitudeM: null,
            accuracyM: null,
            attributes: {},
          };
        });
      };
      const batches = chunk(data.fixes, batchSize);
      const bodiesOf = (v: HttpVariant) => batches.map((b) => JSON.stringify(b.map((f) => toWire(f, SUFFIXES[v]))));
      const bodies: Record<HttpVariant, string[]> = {
        http: bodiesOf("http"),
        "http-geofences": geofenceCount > 0 ? bodiesOf("http-geofences") : [],
      };
      const mb = bodies.http.reduce((n, b) => n + b.length, 0) / 1e6;
      console.log(`  data: ${data.source}`);
      console.log(
        `  ${int(data.fixes.length)} positions of ${int(data.uniqueIds.length)} devices, ${bodies.http.length} requests of ${batchSize} (${mb.toFixed(0)} MB JSON), ${concurrency} in flight; database ${db.name}`,
      );

      const owner = new pg.Pool({ connectionString: db.ownerUrl, max: 1 });
      const app = new pg.Pool({ connectionString: db.databaseUrl, max: 1 });
      const writerPool = new pg.Pool({ connectionString: db.databaseUrl, max: 2 });
      pools.push(owner, app, writerPool);
      await createPositionsTableLike(owner, "bench_copy_positions");
      const variants: Variant[] = ["http", "raw", "writer", "fresh", "staged"];
      let geofenceIndex: GeofenceIndex | undefined;
      if (geofenceCount > 0) {
        // Before the server starts: it loads the active geofences once, at start.
        const tenantId = tenantOf("http-geofences").id;
        const defs = makeGeofences(geofenceCount, data.fixes, placement, tenantId);
        for (const d of defs) {
          const problem = validateGeofenceShape(d.shape);
          if (problem) throw new Error(`${d.name}: ${problem}`);
        }
        await insertGeofences(owner, tenantId, defs);
        const index = new GeofenceIndex(defs);
        let inAny = 0;
        let memberships = 0;
        for (const f of data.fixes) {
          const n = index.containing(tenantId, f.latitude, f.longitude).length;
          if (n > 0) inAny++;
          memberships += n;
        }
        console.log(
          `  http-geofences: a tenant with ${int(defs.length)} active geofences (${int(defs.filter((d) => d.speedLimitKph !== null).length)} with a speed limit), ` +
            `${PLACEMENT_TEXT[placement]}; ${((inAny / data.fixes.length) * 100).toFixed(1)} % of the fixes ` +
            `fall in one or more, ${(memberships / data.fixes.length).toFixed(2)} per fix on average. Same fixes and default rules as http ` +
            `(device ids 2 bytes longer: "~g")`,
        );
        geofenceIndex = index;
        variants.splice(1, 0, "http-geofences");
      }
      // A whole round is submitted at once: let it all queue.
      const writer = new PositionWriter(writerPool, { maxQueued: Math.max(100_000, roundBatches * batchSize) });
      server = await startChild("server.ts", { env: serverEnv(db.databaseUrl) });
      const child = server;

      /**
       * Waits until the server has stored what it derived (events go to the database after the
       * responses): the child's CPU below 10 % of a core and none of the database's client sessions
       * (the server's and this process's role) busy, for two polls in a row.
       * @returns ms from the call to the end of the last busy poll
       */
      const settle = async (): Promise<number> => {
        const t0 = performance.now();
        let busyUntil = t0;
        let prev = await child.cpu();
        for (let quiet = 0; quiet < 2; ) {
          await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
          const cur = await child.cpu();
          const cpuMs = (cur.usage.user - prev.usage.user + cur.usage.system - prev.usage.system) / 1000;
          prev = cur;
          // As the server's role: another role's sessions show no state.
          const { rows } = await app.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND backend_type = 'client backend' AND state <> 'idle'`,
          );
          if (cpuMs > SETTLE_POLL_MS * 0.1 || (rows[0]?.n ?? 0) > 0) {
            busyUntil = performance.now();
            quiet = 0;
          } else {
            quiet += 1;
          }
        }
        return busyUntil - t0;
      };

      /** One transaction per batch on one connection; `scoped`: as the writer, system scope under RLS. */
      const eachInTransaction = async (
        pool: pg.Pool,
        rows: ResolvedFix[][],
        scoped: boolean,
        fn: (c: pg.PoolClient, fixes: ResolvedFix[]) => Promise<unknown>,
      ) => {
        const client = await pool.connect();
        try {
          for (const fixes of rows) {
            await client.query("BEGIN");
            if (scoped) await client.query("SELECT set_config('app.scope', 'system', true)");
            await fn(client, fixes);
            await client.query("COMMIT");
          }
        } finally {
          client.release();
        }
      };
      const stats = new Map<Variant, { ms: number; positions: number }>();
      /** Per HTTP path, timed rounds: server CPU while serving and while storing derived events afterwards, µs; settle time, ms. */
      const httpStats = new Map<
        HttpVariant,
        { us: number; settleUs: number; settleMs: number; rejected: number; retries: number }
      >();
      /** Runs one variant over batches [from, to); only the write itself is timed (rows are built before). */
      const run = async (v: Variant, from: number, to: number, timed: boolean) => {
        let ms = 0;
        let positions = 0;
        if (isHttp(v)) {
          const cpu0 = await child.cpu();
          const t0 = performance.now();
          const sent = await sendAll(child.url, tenantOf(v).apiKey, bodies[v].slice(from, to));
          ms = performance.now() - t0;
          const cpu1 = await child.cpu();
          const settleMs = await settle();
          const cpu2 = await child.cpu();
          if (timed) {
            const h = httpStats.get(v) ?? { us: 0, settleUs: 0, settleMs: 0, rejected: 0, retries: 0 };
            h.us += cpu1.usage.user - cpu0.usage.user + cpu1.usage.system - cpu0.usage.system;
            h.settleUs += cpu2.usage.user - cpu1.usage.user + cpu2.usage.system - cpu1.usage.system;
            h.settleMs += settleMs;
            h.rejected += sent.rejected;
            h.retries += sent.retries;
            httpStats.set(v, h);
          }
          positions = sent.accepted;
        } else {
          const rows = batches.slice(from, to).map((b) => resolve(v === "raw" ? "http" : v, b));
          positions = rows.reduce((n, r) => n + r.length, 0);
          const t0 = performance.now();
          if (v === "raw") await eachInTransaction(owner, rows, false, (c, f) => rawCopy(c, "bench_copy_positions", f));
          // Distances are left null in both (the writer's JS computes them before the statement).
          if (v === "staged") {
            await eachInTransaction(app, rows, true, (c, f) => insertPositions(c, f, new Array(f.length).fill(null)));
          }
          if (v === "fresh") {
            await eachInTransaction(app, rows, true, (c, f) =>
              insertPositions(c, f, new Array(f.length).fill(null), new Array(f.length).fill(true)),
            );
          }
          if (v === "writer") await Promise.all(rows.map((r) => writer.submit(r)));
          ms = performance.now() - t0;
        }
        if (!timed) return;
        const s = stats.get(v) ?? { ms: 0, positions: 0 };
        stats.set(v, { ms: s.ms + ms, positions: s.positions + positions });
      };

      for (const v of variants) await run(v, 0, WARMUP_BATCHES, false);
      // Rounds, each variant in turn (rotating the order): the machine's noise falls on all of them alike.
      const rounds = Math.ceil((batches.length - WARMUP_BATCHES) / roundBatches);
      const profileFile = opts["profile-out"] ?? join(profileDir, "server.cpuprofile");
      if (profile) await server.profileStart();
      for (let r = 0; r < rounds; r++) {
        const from = WARMUP_BATCHES + r * roundBatches;
        for (let k = 0; k < variants.length; k++) {
          await run(variants[(k + r) % variants.length] as Variant, from, from + roundBatches, true);
        }
        process.stdout.write(`\r  round ${r + 1}/${rounds}`);
      }
      if (profile) await server.profileStop(profileFile);
      // Stopping the server stores what its event pipeline still holds.
      await server.stop();
      server = undefined;

      const rate = (v: Variant) => {
        const s = stats.get(v);
        return s ? s.positions / (s.ms / 1000) : Number.NaN;
      };
      /** Positions/s counting the wait for the derived events to be stored after the last response. */
      const settledRate = (v: HttpVariant) => {
        const s = stats.get(v);
        const h = httpStats.get(v);
        return s && h ? s.positions / ((s.ms + h.settleMs) / 1000) : Number.NaN;
      };
      const raw = rate("raw");
      const http = stats.get("http") ?? { ms: 0, positions: 0 };
      const timedPositions = http.positions;
      console.log(
        `\n\nThroughput: ${int(timedPositions)} positions per path after ${WARMUP_BATCHES} warm-up requests, ${rounds} interleaved rounds`,
      );
      const labels: [Variant, string][] = [
        ["http", "HTTP POST /ingest/positions → tel_positions (server child process)"],
        ["http-geofences", `the same, tenant with ${int(geofenceCount)} geofences (${placement}; + derived events)`],
        ["raw", "raw COPY (binary), same rows and batches, table of the same shape"],
        ["writer", "PositionWriter.submit, no HTTP (COPY path, latest positions, odometers)"],
        ["fresh", "statement: COPY → staging, plain INSERT … SELECT (fresh fixes)"],
        ["staged", "statement: COPY → staging, INSERT … ON CONFLICT … RETURNING (others)"],
      ];
      table(
        ["path", "positions/s", "vs raw COPY"],
        labels
          .filter(([v]) => variants.includes(v))
          .map(([v, label]) => [label, int(rate(v)), (rate(v) / raw).toFixed(2)]),
      );
      const httpVariants = variants.filter(isHttp);
      for (const v of httpVariants) {
        const s = stats.get(v) ?? { ms: 0, positions: 0 };
        const h = httpStats.get(v) ?? { us: 0, settleUs: 0, settleMs: 0, rejected: 0, retries: 0 };
        console.log(
          `  ${v}: ${int(s.positions)} accepted, ${int(h.rejected)} rejected (implausible speeds in the data), ${h.retries} × 503 retried; ` +
            `server process CPU while serving: ${((h.us / 1000 / s.ms) * 100).toFixed(0)} % of one core, ${(h.us / s.positions).toFixed(1)} µs per position`,
        );
        console.log(
          `    after the last response of each round, until the server was quiet: ${(h.settleMs / 1000).toFixed(1)} s in all, ` +
            `${(h.settleUs / s.positions).toFixed(1)} µs server CPU per position; counting that wait: ${int(settledRate(v))} positions/s`,
        );
      }
      if (geofenceIndex) {
        const ratio = rate("http-geofences") / rate("http");
        const settledRatio = settledRate("http-geofences") / settledRate("http");
        console.log(
          `\n  http-geofences / http: ${ratio.toFixed(2)} (time to the last response); ${settledRatio.toFixed(2)} counting the wait until the derived events were stored`,
        );
        const tenantId = tenantOf("http-geofences").id;
        await printEvents(
          owner,
          httpVariants.map((v) => [v, tenantOf(v).id]),
          await replayEvents(owner, tenantId, geofenceIndex),
        );
      }
      if (profile) {
        const p = summariseProfile(profileFile);
        const httpPositions = httpVariants.reduce((n, v) => n + (stats.get(v)?.positions ?? 0), 0);
        console.log(
          `\nWhere the server's CPU goes (V8 sampling profile of the timed rounds, by innermost stage; both HTTP paths, ${int(httpPositions)} positions)`,
        );
        table(
          ["stage", "CPU ms", "share", "µs/position"],
          p.stages.map(([name, ms]) => [
            name,
            int(ms),
            `${((ms / p.totalMs) * 100).toFixed(1)} %`,
            ((ms * 1000) / httpPositions).toFixed(1),
          ]),
        );
        if (geofenceCount > 0) {
          const derivedMs = telemetryMs(profileFile);
          console.log(
            `  of which under core/src/telemetry (event rules, geofence index, event pipeline; in the stages above): ${int(derivedMs)} ms, ` +
              `${((derivedMs * 1000) / (stats.get("http-geofences")?.positions ?? Number.NaN)).toFixed(1)} µs per http-geofences position`,
          );
        }
      }
      const stage = await stageCosts(bodies.http.slice(WARMUP_BATCHES), app, tenantOf("http").id);
      console.log("\nThe same stages in this process, no I/O (µs per position)");
      table(
        ["stage", "µs/position"],
        stage.map(([name, us]) => [name, us.toFixed(2)]),
      );
    },
    async () => {
      await server?.stop();
      for (const p of pools) await p.end();
      await db.drop();
      agent.destroy();
      rmSync(profileDir, { recursive: true, force: true });
    },
  );
}

/** Inserts `defs` as active geofences of the tenant (flt_geofences: `kind` its own column, the rest of the shape in `shape`). */
async function insertGeofences(owner: pg.Pool, tenantId: string, defs: readonly GeofenceDef[]): Promise<void> {
  const rows = defs.map((d) => {
    const { kind, ...shape } = d.shape;
    return { name: d.name, kind, shape, speed_limit_kph: d.speedLimitKph };
  });
  await owner.query(
    `INSERT INTO flt_geofences (tenant_id, name, kind, shape, speed_limit_kph)
     SELECT $1, x.name, x.kind::flt_geofence_kind, x.shape, x.speed_limit_kph
       FROM jsonb_to_recordset($2::jsonb) AS x(name text, kind text, shape jsonb, speed_limit_kph int)`,
    [tenantId, JSON.stringify(rows)],
  );
}

/**
 * The events the server's engine derived from a tenant's positions, by type, and how many positions
 * that tenant stored: the same engine, geofences and rules (the default tenant rules) replayed in
 * this process over its tel_positions rows batch by batch as the server committed them (one
 * `received_at`, the transaction's start, per batch; the writer commits one batch at a time), so
 * that a vehicle's fix committed after a newer one is skipped here as it was there.
 */
async function replayEvents(
  owner: pg.Pool,
  tenantId: string,
  index: GeofenceIndex,
): Promise<{ counts: Map<string, number>; positions: number }> {
  const rules = DEFAULT_TENANT_EVENT_RULES;
  const limits: RuleLimits = {
    overspeedKph: rules.overspeedKph,
    overspeedMinDurationS: rules.overspeedMinDurationS,
    idleMaxS: rules.idleMaxS,
  };
  const engine = new EventRulesEngine({ geofences: index, limitsFor: () => limits });
  const { rows } = await owner.query<{
    received_at: Date;
    device_id: string;
    vehicle_id: string | null;
    time: Date;
    latitude: number;
    longitude: number;
    speed_kph: number | null;
  }>(
    `SELECT received_at, device_id::text, vehicle_id::text, time, latitude, longitude, speed_kph
       FROM tel_positions WHERE tenant_id = $1 ORDER BY received_at, time, device_id`,
    [tenantId],
  );
  const counts = new Map<string, number>();
  for (let i = 0; i < rows.length; ) {
    const at = rows[i]?.received_at.getTime();
    const batch: ObservedFix[] = [];
    for (; i < rows.length && rows[i]?.received_at.getTime() === at; i++) {
      const r = rows[i] as (typeof rows)[number];
      batch.push({
        tenantId,
        deviceId: r.device_id,
        vehicleId: r.vehicle_id,
        time: r.time,
        latitude: r.latitude,
        longitude: r.longitude,
        speedKph: r.speed_kph,
        attributes: {},
      });
    }
    for (const e of engine.observe(batch)) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  }
  return { counts, positions: rows.length };
}

/**
 * Prints the tel_events rows of each tenant by type (every request, warm-up included), its geofence
 * presence rows, and beside them the events the server's engine derived ({@link replayEvents}).
 */
async function printEvents(
  owner: pg.Pool,
  tenants: [HttpVariant, string][],
  replayed: { counts: Map<string, number>; positions: number },
): Promise<void> {
  const expected = replayed.counts;
  const { rows } = await owner.query<{ tenant_id: string; type: string; n: number }>(
    "SELECT tenant_id::text, type, count(*)::int AS n FROM tel_events GROUP BY 1, 2 ORDER BY 2",
  );
  const { rows: presence } = await owner.query<{ tenant_id: string; n: number }>(
    "SELECT tenant_id::text, count(*)::int AS n FROM tel_geofence_presence GROUP BY 1",
  );
  const types = [...new Set([...rows.map((r) => r.type), ...expected.keys()])].sort();
  const count = (tenantId: string, type: string) =>
    rows.find((r) => r.tenant_id === tenantId && r.type === type)?.n ?? 0;
  const total = (tenantId: string) => rows.filter((r) => r.tenant_id === tenantId).reduce((n, r) => n + r.n, 0);
  const expectedAll = [...expected.values()].reduce((n, c) => n + c, 0);
  console.log("\nEvents the server derived and stored (tel_events rows per tenant, warm-up included)");
  table(
    ["type", ...tenants.map(([v]) => v), "http-geofences derived"],
    [
      ...types.map((t) => [t, ...tenants.map(([, id]) => int(count(id, t))), int(expected.get(t) ?? 0)]),
      ["all", ...tenants.map(([, id]) => int(total(id))), int(expectedAll)],
      [
        "tel_geofence_presence rows at the end",
        ...tenants.map(([, id]) => int(presence.find((p) => p.tenant_id === id)?.n ?? 0)),
        "",
      ],
    ],
  );
  const geofenced = tenants.find(([v]) => v === "http-geofences")?.[1];
  if (!geofenced) return;
  const derived = (expected.get("geofence_enter") ?? 0) + (expected.get("geofence_exit") ?? 0);
  const stored = count(geofenced, "geofence_enter") + count(geofenced, "geofence_exit");
  console.log(
    `  derived: the server's engine replayed in this process over the tenant's ${int(replayed.positions)} stored positions, in its commit order ` +
      `(device events aside): ${(expectedAll / replayed.positions).toFixed(2)} per position`,
  );
  if (stored < derived) {
    console.log(
      `  NOT STORED: ${int(derived - stored)} of ${int(derived)} geofence enter/exit events (${(((derived - stored) / derived) * 100).toFixed(1)} %) — see the server's warnings above`,
    );
  }
}

/**
 * CPU ms of the samples of a `.cpuprofile` with a frame of packages/core/src/telemetry on their
 * stack (the rules engine, the geofence index, the derived-event pipeline's synchronous part).
 */
function telemetryMs(file: string): number {
  const profile = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: { id: number; callFrame: { url: string }; children?: number[] }[];
    samples: number[];
    timeDeltas: number[];
  };
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const under = new Map<number, boolean>();
  const isUnder = (id: number): boolean => {
    const known = under.get(id);
    if (known !== undefined) return known;
    const up = parent.get(id);
    const result =
      (byId.get(id)?.callFrame.url.includes("core/src/telemetry/") ?? false) || (up !== undefined && isUnder(up));
    under.set(id, result);
    return result;
  };
  let ms = 0;
  profile.samples.forEach((id, i) => {
    if (isUnder(id)) ms += (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return ms;
}

/**
 * CPU of the request stages the server runs before queueing for the writer, measured in this
 * process on the same bodies: JSON.parse, zod's ZBatchPosition per item (as the route does), then
 * IngestService's checks and device resolution with a writer that stores nothing (devices cached
 * by a first pass, as in steady state).
 * @returns [stage, µs per position]
 */
async function stageCosts(bodies: string[], pool: pg.Pool, tenantId: string): Promise<[string, number][]> {
  const parsed = bodies.map((b) => JSON.parse(b) as unknown[]);
  const n = parsed.reduce((s, items) => s + items.length, 0);
  const usPerPosition = async (fn: () => unknown) => {
    const t0 = performance.now();
    await fn();
    return ((performance.now() - t0) * 1000) / n;
  };
  const jsonUs = await usPerPosition(() => bodies.map((b) => JSON.parse(b)));
  const decoded: DecodedPosition[][] = [];
  const zodUs = await usPerPosition(() => {
    for (const items of parsed) {
      const fixes: DecodedPosition[] = [];
      for (const item of items) {
        const r = ZBatchPosition.safeParse(item);
        if (r.success) fixes.push({ ...r.data, uniqueId: r.data.deviceId });
      }
      decoded.push(fixes);
    }
  });
  const nullWriter = { submit: async () => ({ inserted: 0, duplicates: 0 }) } as unknown as PositionWriter;

  const service = new IngestService(pool, nullWriter);
  const source = { protocol: "batch", tenantId };
  for (const fixes of decoded) await service.ingest(fixes, source); // resolve and cache the devices
  const serviceUs = await usPerPosition(async () => {
    for (const fixes of decoded) await service.ingest(fixes, source);
  });
  return [
    ["JSON.parse of the request bodies", jsonUs],
    ["zod ZBatchPosition.safeParse per item (route)", zodUs],
    ["IngestService: checks + device resolution (cached)", serviceUs],
  ];
}

await main();
