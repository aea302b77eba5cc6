/**
 * `pnpm bench:live` — the live feed under fleet load: V vehicles each reporting once a second
 * (one batch per tenant per second through `POST /ingest/positions`, tenants staggered over the
 * second) and C Socket.IO clients on `/live` (display tokens, spread over the tenants). Measures the
 * delay from the ingest ack (HTTP 200 seen by the load generator) to a client's receipt of that
 * vehicle's fix in a `positions` event, p50/p99 over every (client, fix) pair, and the server
 * process's CPU. Baseline, same run: a bare Socket.IO server (no database, no ingest) emitting
 * `positions` of the same shape, size and rate to the same clients (delay: emit → receipt).
 *
 * The run creates its own database (dropped at the end); both servers run as child processes.
 * Options: --vehicles 10000  --clients 200  --tenants 20  --duration 30 (s measured)  --warmup 5 (s)
 */
import { parseArgs } from "node:util";
import { LIVE_NAMESPACE, type LivePosition, SOCKET_PATH } from "@fleetcore/realtime";
import { io, type Socket } from "socket.io-client";
import { type ServerChild, serverEnv, startChild } from "./child";
import { type BenchTenant, createBenchDatabase, seedBenchTenants, withCleanup } from "./fixtures";
import { int, quantile, table } from "./report";

const { values: opts } = parseArgs({
  options: {
    vehicles: { type: "string", default: "10000" },
    clients: { type: "string", default: "200" },
    tenants: { type: "string", default: "20" },
    duration: { type: "string", default: "30" },
    warmup: { type: "string", default: "5" },
  },
});
const VEHICLES = Number(opts.vehicles);
const CLIENTS = Number(opts.clients);
const TENANTS = Number(opts.tenants);
const DURATION_S = Number(opts.duration);
const WARMUP_S = Number(opts.warmup);
const PER_TENANT = Math.ceil(VEHICLES / TENANTS);
/** Fleetcore's coalescing tick (apps/server/src/live.ts); the baseline emits on the same one. */
const TICK_MS = 250;

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
const nowMs = () => performance.timeOrigin + performance.now();

/** Delays in 0.1 ms bins up to 60 s (exact percentiles at that resolution, constant memory). */
class Histogram {
  private readonly bins = new Uint32Array(600_001);
  count = 0;
  /** Receipts that arrived before the load generator saw the ack (counted as 0 ms). */
  early = 0;
  add(ms: number, n = 1): void {
    if (ms < 0) this.early += n;
    const bin = Math.min(this.bins.length - 1, Math.max(0, Math.round(ms * 10)));
    this.bins[bin] = (this.bins[bin] as number) + n;
    this.count += n;
  }
  quantile(q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i] as number;
      if (seen >= rank) return i / 10;
    }
    return Number.NaN;
  }
}

interface RunResult {
  hist: Histogram;
  /** Ingest answers 503 (queue full; retried) and other failures. */
  refused: number;
  failed: number;
  cpuPct: number;
  rssMb: number;
  messages: number;
  mbReceived: number;
  expected: number;
  httpP50: number;
  httpP99: number;
}

/** Connects `CLIENTS` sockets to /live (client i → tenant i mod TENANTS) and waits for their snapshots. */
async function connectClients(
  url: string,
  auth: (tenant: number) => Record<string, string>,
  onPositions: (tenant: number, batch: LivePosition[], bytes: number) => void,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const tenant = i % TENANTS;
    const socket = io(`${url}${LIVE_NAMESPACE}`, {
      path: SOCKET_PATH,
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      auth: auth(tenant),
    });
    // The raw frame size, for the MB/s figure (read before socket.io decodes it).
    let frameBytes = 0;
    socket.io.engine?.on("packet", (p: { data?: unknown }) => {
      frameBytes = typeof p.data === "string" ? p.data.length : 0;
    });
    socket.on("positions", (batch: LivePosition[]) => onPositions(tenant, batch, frameBytes));
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("snapshot", () => resolve());
      socket.once("connect_error", reject);
    });
  }
  return sockets;
}

/** Fleetcore: ingest load + clients; delay = receipt − ack of the batch that carried the fix. */
async function runFleetcore(server: ServerChild, tenants: BenchTenant[]): Promise<RunResult> {
  const hist = new Histogram();
  const httpLatency: number[] = [];
  // `${tenant}|${fix time ms}` → ack time; receipts seen before their ack wait in `pending`.
  const acks = new Map<string, number>();
  const pending = new Map<string, { at: number; n: number }[]>();
  let messages = 0;
  let bytes = 0;
  let measuring = false;
  let refused = 0;
  let failed = 0;
  const start = Math.ceil(nowMs() / 1000) * 1000 + 2_000;
  const measureFrom = start + WARMUP_S * 1000;
  const measureTo = measureFrom + DURATION_S * 1000;

  const sockets = await connectClients(
    server.url,
    (t) => ({ displayToken: (tenants[t] as BenchTenant).displayToken }),
    (tenant, batch, frameBytes) => {
      const at = nowMs();
      if (!measuring) return;
      messages += 1;
      bytes += frameBytes;
      const byTime = new Map<number, number>();
      for (const p of batch) {
        const t = Date.parse(p.time);
        byTime.set(t, (byTime.get(t) ?? 0) + 1);
      }
      for (const [t, n] of byTime) {
        if (t < measureFrom || t >= measureTo) continue;
        const key = `${tenant}|${t}`;
        const ack = acks.get(key);
        if (ack !== undefined) hist.add(at - ack, n);
        else pending.set(key, [...(pending.get(key) ?? []), { at, n }]);
      }
    },
  );

  const devices = tenants.map((t) => [...t.devices.keys()]);
  const positions = devices.map((ids) =>
    ids.map((_, i) => ({ lat: 30.2 + (i % 100) / 500, lon: -97.8 + Math.floor(i / 100) / 500 })),
  );
  const inFlight = new Set<Promise<void>>();
  const send = (tenant: number, timeMs: number) => {
    const t = tenants[tenant] as BenchTenant;
    const time = new Date(timeMs).toISOString();
    const body = JSON.stringify(
      (devices[tenant] as string[]).map((deviceId, i) => {
        const p = (positions[tenant] as { lat: number; lon: number }[])[i] as { lat: number; lon: number };
        p.lat += 0.0001;
        return { deviceId, time, latitude: p.lat, longitude: p.lon, speedKph: 36, headingDeg: 0 };
      }),
    );
    const sentAt = nowMs();
    const post = async (): Promise<void> => {
      const res = await fetch(`${server.url}/ingest/positions`, {
        method: "POST",
        headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
        body,
      });
      await res.arrayBuffer();
      if (res.status === 503) {
        // Queue full: retry after Retry-After, as an integration would.
        refused += 1;
        await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after") ?? 1) * 1000));
        return post();
      }
      if (res.status !== 200) {
        failed += 1;
        return;
      }
      const ack = nowMs();
      if (timeMs < measureFrom || timeMs >= measureTo) return;
      httpLatency.push(ack - sentAt);
      const key = `${tenant}|${timeMs}`;
      acks.set(key, ack);
      for (const r of pending.get(key) ?? []) hist.add(r.at - ack, r.n);
      pending.delete(key);
    };
    const request = post().catch(() => {
      failed += 1;
    });
    const tracked = request.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  // Tenant t reports at second s + t/TENANTS: a steady 10,000 fixes/s, not one burst a second.
  const end = measureTo + 1_000;
  let cpu0: Awaited<ReturnType<ServerChild["cpu"]>> | undefined;
  let cpu1: Awaited<ReturnType<ServerChild["cpu"]>> | undefined;
  for (let second = start; second < end; second += 1000) {
    if (second >= measureFrom && !cpu0) {
      measuring = true;
      cpu0 = await server.cpu();
    }
    if (second >= measureTo && !cpu1) cpu1 = await server.cpu();
    for (let t = 0; t < TENANTS; t++) {
      const due = second + (t * 1000) / TENANTS;
      const wait = due - nowMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      send(t, second);
    }
  }
  await Promise.all(inFlight);
  await new Promise((r) => setTimeout(r, 2 * TICK_MS + 500));
  measuring = false;
  const c1 = cpu1 ?? (await server.cpu());
  for (const s of sockets) s.disconnect();
  const c0 = cpu0 ?? c1;
  const cpuPct =
    ((c1.usage.user - c0.usage.user + c1.usage.system - c0.usage.system) / 1000 / (DURATION_S * 1000)) * 100;
  httpLatency.sort((a, b) => a - b);
  return {
    hist,
    refused,
    failed,
    cpuPct,
    rssMb: c1.rssBytes / 1e6,
    messages,
    mbReceived: bytes / 1e6,
    expected: DURATION_S * PER_TENANT * CLIENTS,
    httpP50: quantile(httpLatency, 0.5),
    httpP99: quantile(httpLatency, 0.99),
  };
}

/** Bare Socket.IO: the same clients, payloads stamped with their emit time; delay = receipt − emit. */
async function runBare(server: ServerChild): Promise<RunResult> {
  const hist = new Histogram();
  let messages = 0;
  let bytes = 0;
  let measuring = false;
  const sockets = await connectClients(
    server.url,
    (t) => ({ room: `tenant:${t}` }),
    (_tenant, batch, frameBytes) => {
      const at = Date.now();
      if (!measuring || batch.length === 0) return;
      messages += 1;
      bytes += frameBytes;
      hist.add(at - Date.parse((batch[0] as LivePosition).receivedAt), batch.length);
    },
  );
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  measuring = true;
  const c0 = await server.cpu();
  await new Promise((r) => setTimeout(r, DURATION_S * 1000));
  const c1 = await server.cpu();
  measuring = false;
  for (const s of sockets) s.disconnect();
  const cpuPct =
    ((c1.usage.user - c0.usage.user + c1.usage.system - c0.usage.system) / 1000 / (DURATION_S * 1000)) * 100;
  return {
    hist,
    refused: 0,
    failed: 0,
    cpuPct,
    rssMb: c1.rssBytes / 1e6,
    messages,
    mbReceived: bytes / 1e6,
    expected: DURATION_S * PER_TENANT * CLIENTS,
    httpP50: Number.NaN,
    httpP99: Number.NaN,
  };
}

async function main() {
  console.log(
    `bench:live — ${int(VEHICLES)} vehicles reporting every second in ${TENANTS} tenants, ${CLIENTS} clients on ${LIVE_NAMESPACE}, ${DURATION_S} s measured after ${WARMUP_S} s warm-up`,
  );
  const db = await createBenchDatabase("bench_live");
  let server: ServerChild | undefined;
  await withCleanup(
    async () => {
      const tenants = await seedBenchTenants(
        db.ownerUrl,
        Array.from({ length: TENANTS }, (_, t) => Array.from({ length: PER_TENANT }, (_, i) => `live-${t}-${i}`)),
      );
      server = await startChild("server.ts", { env: serverEnv(db.databaseUrl) });
      const fleetcore = await runFleetcore(server, tenants);
      await server.stop();
      server = await startChild("bareServer.ts", {
        env: process.env,
        args: [String(TENANTS), String(PER_TENANT), String(TICK_MS)],
      });
      const bare = await runBare(server);
      await server.stop();
      server = undefined;

      const row = (name: string, r: RunResult) => [
        name,
        r.hist.quantile(0.5).toFixed(0),
        r.hist.quantile(0.99).toFixed(0),
        r.hist.quantile(1).toFixed(0),
        `${((r.hist.count / r.expected) * 100).toFixed(1)} %`,
        r.cpuPct.toFixed(0),
        r.rssMb.toFixed(0),
        int(r.messages / DURATION_S),
        (r.mbReceived / DURATION_S).toFixed(1),
      ];
      console.log("");
      table(
        ["run", "p50 ms", "p99 ms", "max ms", "fixes received", "server CPU %", "RSS MB", "msgs/s", "MB/s out"],
        [row("Fleetcore: ingest ack → client receipt", fleetcore), row("bare Socket.IO: emit → receipt", bare)],
      );
      console.log(
        `  ratios Fleetcore / bare: server CPU ${(fleetcore.cpuPct / bare.cpuPct).toFixed(1)}×, p99 ${(fleetcore.hist.quantile(0.99) / bare.hist.quantile(0.99)).toFixed(1)}×`,
      );
      console.log(
        `  ingest: ${int(VEHICLES)} fixes/s in ${TENANTS} requests/s; HTTP latency (request → 200, includes COMMIT) p50 ${fleetcore.httpP50.toFixed(0)} ms, p99 ${fleetcore.httpP99.toFixed(0)} ms; ${fleetcore.refused} × 503 (queue full, retried), ${fleetcore.failed} failed; ${int(fleetcore.hist.early)} receipts arrived before the load generator processed their ack`,
      );
      console.log(
        `  Fleetcore's delay includes the ${TICK_MS} ms coalescing tick (uniform 0–${TICK_MS} ms wait); "fixes received" counts (client, fix) pairs against ${int(fleetcore.expected)} expected`,
      );
    },
    async () => {
      await server?.stop();
      await db.drop();
    },
  );
}

await main();
