/**
 * `pnpm bench:ingest` — sustained positions/s through `POST /ingest/positions` (JSON array bodies,
 * tenant API key) into the tel_positions hypertable, as a ratio to a raw COPY of the same rows into
 * a table of the same shape, in the same run; beside it the PositionWriter alone (no HTTP) and the
 * writer's two statements after a binary COPY into its staging table — INSERT … SELECT … ON
 * CONFLICT DO NOTHING RETURNING (late or re-sent fixes) and the plain INSERT … SELECT it uses for
 * fixes newer than their device's newest (the live case) — then where the server's CPU goes.
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
 *   --profile on|off V8 sampling profile of the server during the timed rounds (default on)
 *   --profile-out F  keep that profile as F (.cpuprofile: Chrome DevTools, speedscope)
 *   --data DIR       CapMetrics CSV folder (default ../shared/data/capmetro-austin)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  type DecodedPosition,
  IngestService,
  insertPositions,
  PositionWriter,
  type ResolvedFix,
} from "@fleetcore/core";
import { ZBatchPosition } from "@fleetcore/validators";
import pg from "pg";
import { type ServerChild, serverEnv, startChild } from "./child";
import { type BenchFix, CAPMETRO_DIR, loadBenchData } from "./data";
import { type BenchTenant, createBenchDatabase, seedBenchTenants, withCleanup } from "./fixtures";
import { int, summariseProfile, table } from "./report";
import { createPositionsTableLike, rawCopy } from "./writes";

const { values: opts } = parseArgs({
  options: {
    fixes: { type: "string", default: "1000000" },
    batch: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "8" },
    round: { type: "string", default: "30" },
    profile: { type: "string", default: "on" },
    "profile-out": { type: "string" },
    data: { type: "string", default: CAPMETRO_DIR },
  },
});
const batchSize = Number(opts.batch);
const concurrency = Number(opts.concurrency);
const roundBatches = Number(opts.round);
const profile = opts.profile !== "off";
const WARMUP_BATCHES = 3;
/** The server's speed check (validate.ts): the other paths skip what HTTP refuses. */
const plausible = (f: BenchFix) => f.speedKph === null || f.speedKph <= 250;

const toWire = (f: BenchFix) => ({
  deviceId: f.uniqueId,
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

type Variant = "http" | "raw" | "writer" | "fresh" | "staged";

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
      const suffixes = { http: "", writer: "~w", fresh: "~f", staged: "~s" } as const;
      const seeded = await seedBenchTenants(
        db.ownerUrl,
        Object.values(suffixes).map((sfx) => data.uniqueIds.map((id) => id + sfx)),
      );
      const tenantOf = (v: keyof typeof suffixes) => seeded[Object.keys(suffixes).indexOf(v)] as BenchTenant;
      const resolve = (v: keyof typeof suffixes, batch: BenchFix[]): ResolvedFix[] => {
        const tenant = tenantOf(v);
        return batch.filter(plausible).map((f) => {
          const d = tenant.devices.get(f.uniqueId + suffixes[v]);
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
      const bodies = batches.map((b) => JSON.stringify(b.map(toWire)));
      const mb = bodies.reduce((n, b) => n + b.length, 0) / 1e6;
      console.log(`  data: ${data.source}`);
      console.log(
        `  ${int(data.fixes.length)} positions of ${int(data.uniqueIds.length)} devices, ${bodies.length} requests of ${batchSize} (${mb.toFixed(0)} MB JSON), ${concurrency} in flight; database ${db.name}`,
      );

      const owner = new pg.Pool({ connectionString: db.ownerUrl, max: 1 });
      const app = new pg.Pool({ connectionString: db.databaseUrl, max: 1 });
      const writerPool = new pg.Pool({ connectionString: db.databaseUrl, max: 2 });
      pools.push(owner, app, writerPool);
      await createPositionsTableLike(owner, "bench_copy_positions");
      // A whole round is submitted at once: let it all queue.
      const writer = new PositionWriter(writerPool, { maxQueued: Math.max(100_000, roundBatches * batchSize) });
      server = await startChild("server.ts", { env: serverEnv(db.databaseUrl) });
      const httpKey = tenantOf("http").apiKey;

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
      const httpCpu = { us: 0, rejected: 0, retries: 0 };
      /** Runs one variant over `round`; only the write itself is timed (rows are built before). */
      const run = async (v: Variant, round: BenchFix[][], roundBodies: string[], timed: boolean) => {
        let ms = 0;
        let positions = 0;
        if (v === "http") {
          const cpu0 = await server?.cpu();
          const t0 = performance.now();
          const sent = await sendAll(server?.url ?? "", httpKey, roundBodies);
          ms = performance.now() - t0;
          const cpu1 = await server?.cpu();
          if (timed && cpu0 && cpu1) {
            httpCpu.us += cpu1.usage.user - cpu0.usage.user + cpu1.usage.system - cpu0.usage.system;
            httpCpu.rejected += sent.rejected;
            httpCpu.retries += sent.retries;
          }
          positions = sent.accepted;
        } else {
          const rows = round.map((b) => resolve(v === "raw" ? "http" : v, b));
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

      const variants: Variant[] = ["http", "raw", "writer", "fresh", "staged"];
      for (const v of variants) {
        await run(v, batches.slice(0, WARMUP_BATCHES), bodies.slice(0, WARMUP_BATCHES), false);
      }
      // Rounds, each variant in turn (rotating the order): the machine's noise falls on all of them alike.
      const rounds = Math.ceil((batches.length - WARMUP_BATCHES) / roundBatches);
      const profileFile = opts["profile-out"] ?? join(profileDir, "server.cpuprofile");
      if (profile) await server.profileStart();
      for (let r = 0; r < rounds; r++) {
        const from = WARMUP_BATCHES + r * roundBatches;
        const round = batches.slice(from, from + roundBatches);
        const roundBodies = bodies.slice(from, from + roundBatches);
        for (let k = 0; k < variants.length; k++) {
          await run(variants[(k + r) % variants.length] as Variant, round, roundBodies, true);
        }
        process.stdout.write(`\r  round ${r + 1}/${rounds}`);
      }
      if (profile) await server.profileStop(profileFile);
      await server.stop();
      server = undefined;

      const rate = (v: Variant) => {
        const s = stats.get(v);
        return s ? s.positions / (s.ms / 1000) : Number.NaN;
      };
      const raw = rate("raw");
      const http = stats.get("http") ?? { ms: 0, positions: 0 };
      const timedPositions = http.positions;
      console.log(
        `\n\nThroughput: ${int(timedPositions)} positions per path after ${WARMUP_BATCHES} warm-up requests, ${rounds} interleaved rounds`,
      );
      table(
        ["path", "positions/s", "vs raw COPY"],
        (
          [
            ["http", "HTTP POST /ingest/positions → tel_positions (server child process)"],
            ["raw", "raw COPY (binary), same rows and batches, table of the same shape"],
            ["writer", "PositionWriter.submit, no HTTP (COPY path, latest positions, odometers)"],
            ["fresh", "statement: COPY → staging, plain INSERT … SELECT (fresh fixes)"],
            ["staged", "statement: COPY → staging, INSERT … ON CONFLICT … RETURNING (others)"],
          ] as [Variant, string][]
        ).map(([v, label]) => [label, int(rate(v)), (rate(v) / raw).toFixed(2)]),
      );
      const cpuPct = (httpCpu.us / 1000 / http.ms) * 100;
      console.log(
        `  HTTP: ${int(http.positions)} accepted, ${int(httpCpu.rejected)} rejected (implausible speeds in the data), ${httpCpu.retries} × 503 retried`,
      );
      console.log(
        `  server process CPU while serving: ${cpuPct.toFixed(0)} % of one core, ${(httpCpu.us / http.positions).toFixed(1)} µs per position`,
      );
      if (profile) {
        const p = summariseProfile(profileFile);
        console.log("\nWhere the server's CPU goes (V8 sampling profile of the timed rounds, by innermost stage)");
        table(
          ["stage", "CPU ms", "share", "µs/position"],
          p.stages.map(([name, ms]) => [
            name,
            int(ms),
            `${((ms / p.totalMs) * 100).toFixed(1)} %`,
            ((ms * 1000) / http.positions).toFixed(1),
          ]),
        );
      }
      const stage = await stageCosts(bodies.slice(WARMUP_BATCHES), app, tenantOf("http").id);
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
