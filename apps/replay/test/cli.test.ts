/**
 * End-to-end runs of the CLI's main() against a small node:http server that stands in for Fleetcore's
 * OsmAnd listener: it only records requests, so these tests check the wire format, retries and reporting.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, parseReplayArgs } from "../src/main";
import { type DeviceRegistration, type ReplayDevice, UnknownTenantError } from "../src/register";

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
}

function sink() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => {
    text += c.toString();
  });
  return { stream, text: () => text };
}

const NOW = Date.parse("2030-01-01T00:00:00Z");
const NOW_S = NOW / 1000;
const HEADER = "vehicle_id,timestamp,speed,route_id,trip_id,latitude,longitude,trip_headsign";
// Grouped per vehicle, not sorted by time, like the CapMetrics files; line 5 is unparseable.
const CSV = [
  HEADER,
  "100,2016-11-25T10:00:00-06:00,5.0,1,11,30.2672,-97.7431,North", // t0
  "100,2016-11-25T10:00:40-06:00,0.0,1,11,30.2682,-97.7431,North", // north of the previous
  "100,2016-11-25T10:01:20-06:00,0.0,1,11,30.2682,-97.7431,North", // did not move
  "101,2016-11-25T10:00:20-06:00,abc,7,12,30.30,-97.70,", // bad speed
  "BAD,2016-11-25T10:00:30-06:00,1.0,7,12,30.31,-97.71,",
  "102,2016-11-25T10:00:10-06:00,10.0,7,12,30.40,-97.60,",
].join("\n");

let dir: string;
let csvPath: string;
let server: Server;
let baseUrl: string;
let requests: Recorded[] = [];
let sent503 = false;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fleetcore-replay-"));
  csvPath = join(dir, "positions.csv");
  await writeFile(csvPath, `${CSV}\n`);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    requests.push({ method: req.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams) });
    if (!sent503) {
      sent503 = true;
      res.writeHead(503, { "Retry-After": "0" }).end("busy");
    } else if (url.searchParams.get("id") === "capmetro-BAD") {
      res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "unknown device" }));
    } else {
      res.writeHead(200).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for the database: tenant "lone-star" exists, and capmetro-BAD belongs to tenant "elsewhere". */
const registrations: { slug: string; devices: readonly ReplayDevice[]; dryRun: boolean }[] = [];
async function fakeRegister(
  slug: string,
  devices: readonly ReplayDevice[],
  opts: { dryRun: boolean },
): Promise<DeviceRegistration> {
  registrations.push({ slug, devices, dryRun: opts.dryRun });
  if (slug !== "lone-star") throw new UnknownTenantError(slug, ["lone-star", "rhone"]);
  const mine = devices.filter((d) => d.uniqueId !== "capmetro-BAD");
  return {
    tenant: { id: "t1", slug, name: "Lone Star", status: "active" },
    dryRun: opts.dryRun,
    created: mine.map((d) => ({
      uniqueId: d.uniqueId,
      deviceId: opts.dryRun ? null : `dev-${d.uniqueId}`,
      vehicleId: null,
    })),
    existing: [],
    vehiclesCreated: mine.length,
    vehiclesReused: 0,
    foreign: devices.some((d) => d.uniqueId === "capmetro-BAD")
      ? [{ uniqueId: "capmetro-BAD", tenantSlug: "elsewhere" }]
      : [],
    unusable: [],
  };
}

async function run(argv: string[]) {
  requests = [];
  sent503 = false;
  registrations.length = 0;
  const out = sink();
  const err = sink();
  const code = await main(argv, {
    stdout: out.stream,
    stderr: err.stream,
    now: () => NOW,
    progressIntervalMs: 50,
    send: { backoffBaseMs: 5 },
    registerDevices: fakeRegister,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe("replay CLI", () => {
  it("sends every fix in time order in the OsmAnd format, retries a 503 and reports a 400", async () => {
    const { code, stdout, stderr } = await run([csvPath, "--speed", "max", "--time", "real", "--url", baseUrl]);

    // 5 good fixes + 1 retry after the 503. With 8 in flight, other vehicles may overtake the retried
    // fix, but each vehicle's fixes arrive in time order.
    expect(requests).toHaveLength(6);
    expect(requests.every((r) => r.method === "GET" && r.path === "/")).toBe(true);
    const first = requests[0];
    expect(requests.filter((r) => JSON.stringify(r.query) === JSON.stringify(first?.query))).toHaveLength(2);
    const of100 = requests.filter((r) => r.query.id === "capmetro-100").map((r) => Number(r.query.timestamp));
    expect(of100).toEqual([...of100].sort((a, b) => a - b));
    const distinct = [...new Map(requests.map((r) => [JSON.stringify(r.query), r.query])).values()];
    distinct.sort((a, b) => Number(a.timestamp) - Number(b.timestamp));
    expect(distinct).toEqual([
      { id: "capmetro-100", lat: "30.2672", lon: "-97.7431", timestamp: String(NOW_S), speed: "9.719" },
      { id: "capmetro-102", lat: "30.4", lon: "-97.6", timestamp: String(NOW_S + 10), speed: "19.438" },
      { id: "capmetro-BAD", lat: "30.31", lon: "-97.71", timestamp: String(NOW_S + 30), speed: "1.944" },
      { id: "capmetro-100", lat: "30.2682", lon: "-97.7431", timestamp: String(NOW_S + 40), speed: "0", bearing: "0" },
      { id: "capmetro-100", lat: "30.2682", lon: "-97.7431", timestamp: String(NOW_S + 80), speed: "0" },
    ]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/sent:\s+5 of 5/);
    expect(stdout).toMatch(/accepted:\s+4/);
    expect(stdout).toMatch(/rejected:\s+1\n\s+1 × unknown device/);
    expect(stdout).toMatch(/failed:\s+0/);
    expect(stdout).toMatch(/retries:\s+1/);
    expect(stdout).toMatch(/unparseable:\s+1 \(skipped\)\n\s+line 5: bad speed "abc"/);
    expect(stdout).toMatch(/throughput:\s+[\d.]+ positions\/s/);
    expect(stderr).toContain("must be registered as devices in a tenant (--tenant <slug> registers them)");
    expect(stderr).toMatch(/replay: 5\/5 \(100\.0%\) accepted 4 rejected 1 failed 0/);
  });

  it("with --concurrency 1 sends strictly in time order; at max speed the last fix is stamped now", async () => {
    const { code, stderr } = await run([csvPath, "--speed", "max", "--url", baseUrl, "--concurrency", "1"]);
    expect(code).toBe(0);
    // --time end is the default with --speed max: real spacing, every fix in the past.
    expect(requests.map((r) => `${r.query.id}@${Number(r.query.timestamp) - NOW_S}`)).toEqual([
      "capmetro-100@-80", // 503
      "capmetro-100@-80",
      "capmetro-102@-70",
      "capmetro-BAD@-50",
      "capmetro-100@-40",
      "capmetro-100@0",
    ]);
    expect(stderr).toMatch(/Timestamps: rebased so the file's last fix is now \(--time end\).*earliest 1m 20s ago\./);
    expect(stderr).not.toMatch(/Warning/);
  });

  it("with --tenant registers the devices first and leaves out those of another tenant", async () => {
    const { code, stdout, stderr } = await run([csvPath, "--speed", "max", "--url", baseUrl, "--tenant", "lone-star"]);
    expect(code).toBe(0);
    expect(registrations).toEqual([
      {
        slug: "lone-star",
        dryRun: false,
        devices: [
          { uniqueId: "capmetro-100", feedVehicleId: "100", vehicleName: "CapMetro 100" },
          { uniqueId: "capmetro-102", feedVehicleId: "102", vehicleName: "CapMetro 102" },
          { uniqueId: "capmetro-BAD", feedVehicleId: "BAD", vehicleName: "CapMetro BAD" },
        ],
      },
    ]);
    expect(stderr).toContain('Tenant "lone-star" (Lone Star): registered 2 new device(s) (2 vehicle(s) created');
    expect(stderr).toMatch(/Refused: 1 device\(s\) belong to tenant "elsewhere" and are left there: capmetro-BAD;/);
    expect(stderr).not.toMatch(/Hint:/);
    expect(requests.some((r) => r.query.id === "capmetro-BAD")).toBe(false);
    expect(stdout).toMatch(/not sent:\s+1 \(devices of another tenant\)/);
    expect(stdout).toMatch(/sent:\s+4 of 4\n\s+accepted:\s+4\n\s+rejected:\s+0/);
  });

  it("with --tenant refuses an unknown tenant (exit 1, nothing sent) and writes nothing in --dry-run", async () => {
    const unknown = await run([csvPath, "--speed", "max", "--url", baseUrl, "--tenant", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/replay: --tenant nope: no tenant with slug "nope" \(tenants: lone-star, rhone\)/);
    expect(requests).toHaveLength(0);

    const dry = await run([csvPath, "--dry-run", "--tenant", "lone-star", "--prefix", "x-"]);
    expect(dry.code).toBe(0);
    expect(registrations.map((r) => [r.dryRun, r.devices.map((d) => d.vehicleName)])).toEqual([
      [true, ["x-100", "x-102", "x-BAD"]],
    ]);
    expect(dry.stderr).toContain("would register 3 new device(s)");
    expect((await run([csvPath, "--tenant", " "])).stderr).toMatch(/--tenant needs a tenant slug/);
  });

  it("defaults --time to end at --speed max and to real otherwise", () => {
    expect(parseReplayArgs(["f.csv", "--speed", "max"])?.time).toBe("end");
    expect(parseReplayArgs(["f.csv", "--speed", "60"])?.time).toBe("real");
    expect(parseReplayArgs(["f.csv"])?.time).toBe("real");
    expect(parseReplayArgs(["f.csv", "--speed", "60", "--time", "end"])?.time).toBe("end");
    expect(parseReplayArgs(["f.csv", "--speed", "max", "--time", "real"])?.time).toBe("real");
    expect(() => parseReplayArgs(["f.csv", "--time", "later"])).toThrow(/--time must be "real", "end" or "wall"/);
  });

  it("paces sends at --speed N and keeps the path of --url", async () => {
    // The file spans 80 s; at 80× that is about one second.
    const started = performance.now();
    const { code } = await run([csvPath, "--speed", "80", "--url", `${baseUrl}/ingest/osmand`, "--concurrency", "2"]);
    const elapsedMs = performance.now() - started;
    expect(code).toBe(0);
    expect(elapsedMs).toBeGreaterThanOrEqual(900);
    expect(requests.every((r) => r.path === "/ingest/osmand")).toBe(true);
    // Each vehicle's fixes in time order, the first one twice (503, then again). Across vehicles the
    // order is the schedule's only up to timing: the retry and 102's fix 125 ms later may swap places
    // when the event loop stalls, so the whole run is compared as a multiset.
    const offsetsOf = (id: string) =>
      requests.filter((r) => r.query.id === id).map((r) => Number(r.query.timestamp) - NOW_S);
    expect(offsetsOf("capmetro-100")).toEqual([0, 0, 40, 80]);
    expect(offsetsOf("capmetro-102")).toEqual([10]);
    expect(offsetsOf("capmetro-BAD")).toEqual([30]);
    expect(requests.map((r) => Number(r.query.timestamp) - NOW_S).sort((a, b) => a - b)).toEqual([
      0, 0, 10, 30, 40, 80,
    ]);
  });

  it("with --time wall stamps fixes with their send time (ms) and warns about future fixes otherwise", async () => {
    const wall = await run([csvPath, "--speed", "400", "--time", "wall", "--url", baseUrl]);
    expect(wall.code).toBe(0);
    expect(wall.stderr).not.toMatch(/Warning/);
    const stamps = [...new Set(requests.map((r) => Number(r.query.timestamp) - NOW))];
    expect(stamps).toEqual([0, 10, 30, 40, 80].map((s) => (s * 1000) / 400));

    // 80 s of data at 1000× in real mode is only ~80 s ahead: no warning; a long file would get one.
    expect((await run([csvPath, "--dry-run", "--speed", "1000"])).stderr).not.toMatch(/Warning/);
    const long = join(dir, "long.csv");
    await writeFile(long, `${HEADER}\n1,2016-11-25T10:00:00Z,1,,,30,-97,\n1,2016-11-25T12:00:00Z,1,,,30.1,-97,\n`);
    const warned = await run([long, "--dry-run", "--speed", "60"]);
    expect(warned.stderr).toMatch(
      /Warning: .*up to 1h 58m 00s ahead.*after the first ~5m 05s of the file\. --time end stamps the last fix now/,
    );
    expect((await run([long, "--dry-run", "--speed", "max", "--time", "real"])).stderr).toMatch(
      /Warning: with --time real at --speed max.*up to 2h 00m 00s ahead/,
    );
    const end = await run([long, "--dry-run", "--speed", "60", "--time", "end"]);
    expect(end.stderr).not.toMatch(/Warning/);
    expect(end.stderr).toMatch(/earliest 2h 00m 00s ago; sent over ~2m 00s, the last fix arrives that long after/);
    expect((await run([csvPath, "--time", "wall", "--speed", "max"])).stderr).toMatch(/--time wall needs a numeric/);
  });

  it("sends nothing in --dry-run and prints sample requests", async () => {
    const { code, stdout } = await run([csvPath, "--dry-run", "--url", baseUrl, "--prefix", "x-"]);
    expect(code).toBe(0);
    expect(requests).toHaveLength(0);
    expect(stdout).toContain(`${baseUrl}/?id=x-100&lat=30.2672&lon=-97.7431&timestamp=${NOW_S}&speed=9.719`);
    expect(stdout).toMatch(/dry run, nothing sent/);
  });

  it("counts fixes as failed after retries when the server is unreachable, and exits 2", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const { code, stdout } = await run([csvPath, "--speed", "max", "--url", `http://127.0.0.1:${port}`]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/failed:\s+5\n\s+5 × network error: ECONNREFUSED\n/);
    expect(stdout).toMatch(/retries:\s+15/);
  });

  it("rejects bad arguments and unreadable files with exit 1", async () => {
    expect((await run([])).code).toBe(1);
    expect((await run([csvPath, "--speed", "0"])).stderr).toMatch(/--speed must be/);
    expect((await run([csvPath, "--bogus"])).code).toBe(1);
    const missing = await run([join(dir, "nope.csv")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read/);
    expect((await run(["--help"])).stdout).toMatch(/^Usage: pnpm replay/);
  });
});

const REAL = join(import.meta.dirname, "../../../../shared/data/capmetro-austin/2016-11-25.csv");

describe.skipIf(!existsSync(REAL))("replay on real CapMetrics data (first 200 lines)", () => {
  it("parses and plans it in --dry-run", async () => {
    const head = (await readFile(REAL, "utf8")).split("\n").slice(0, 200).join("\n");
    const path = join(dir, "capmetro-head.csv");
    await writeFile(path, `${head}\n`);
    const { code, stdout, stderr } = await run([path, "--dry-run", "--speed", "60"]);
    expect(code).toBe(0);
    expect(requests).toHaveLength(0);
    const rows = Number(/rows read:\s+(\d+)/.exec(stdout)?.[1]);
    const bad = Number(/unparseable:\s+(\d+)/.exec(stdout)?.[1]);
    expect(rows).toBe(199);
    expect(bad).toBeLessThan(rows);
    expect(stdout).toMatch(/\?id=capmetro-\d+&lat=30\.\d+&lon=-97\.\d+&timestamp=\d+&speed=[\d.]+/);
    expect(stderr).toMatch(/^Replaying \d+ fixes of \d+ vehicles/);
  });
});
