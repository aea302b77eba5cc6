/**
 * `pnpm bench:web`: how long applying a 10,000-vehicle update batch to the live map takes on the main
 * thread, in Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium) through playwright-core.
 *
 * Builds ./harness with Vite (production build, the app's own map modules), serves it on 127.0.0.1,
 * a 1280×800 map at zoom 11 with the whole fleet in view, then per iteration: vehicles report (a
 * `positions` batch into LiveFleet, timed separately: headings jitter ±2° with one vehicle in ten
 * turning, one in fifty stops), the batch is applied to the map, and the bench waits until the map
 * has rendered it. Reported, in ms:
 *  - apply: the app's call (`syncVehicles`: states → diff → `GeoJSONSource.updateData`) plus the
 *    microtasks it queued, where MapLibre serialises the diff and posts it to its worker — the
 *    main-thread cost of the call;
 *  - cycle: all main-thread task time from the call until the map is idle again (worker results,
 *    tile reloads, symbol placement, frames), from Chromium's `Performance.getMetrics` TaskDuration,
 *    and the JavaScript part of it (ScriptDuration). Headless Chromium without a GPU renders WebGL
 *    with SwiftShader and reads every frame back for its software compositor ("GPU stall due to
 *    ReadPixels"), which inflates TaskDuration far beyond what a GPU machine spends;
 *  - the same for the baseline, the same states as a full FeatureCollection through `setData`, and
 *    the ratio baseline / diff.
 * Prints figures only; nothing is asserted (timings depend on the machine).
 *
 * Scenarios: (1) every vehicle reports, moving ~20 m (~0.6 px at zoom 11, so the layer holds many
 * moves back until they add up to a pixel); (2) every vehicle reports, moving ~200 m (~6 px): every
 * move shows, the diff path's worst case; (3) `--tick` vehicles (1,000) report, the common case at
 * the server's 250 ms tick, where a diff sends a tenth of what `setData` must.
 *
 * Options: `--vehicles N` (10000), `--tick N` (1000), `--iterations N` (40), `--warmup N` (5),
 * `--profile-out file.cpuprofile` (a V8 CPU profile of the page during the measured worst-case
 * diff batches, for Chrome DevTools or speedscope; its top functions by self time are printed).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";
import type { ApplyTiming } from "./harness/main";

const HERE = dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

function summary(values: number[]): { p50: number; p95: number; max: number } {
  return { p50: percentile(values, 50), p95: percentile(values, 95), max: Math.max(...values) };
}

const fmt = (ms: number) => (Number.isInteger(ms) ? String(ms) : ms.toFixed(2)).padStart(8);

function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A CPU profile as Chromium's Profiler domain returns it (the fields used here). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Prints the 25 functions with the most self time (the whole page: main thread only). */
function printTopFunctions(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!n || n.callFrame.functionName === "(idle)") return;
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop() ?? ""}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  });
  console.log("Main-thread self time during the measured diff batches (top 25, % of busy time)");
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  }
  console.log("");
}

async function main(): Promise<void> {
  const vehicles = arg("vehicles", 10_000);
  const iterations = arg("iterations", 40);
  const warmup = arg("warmup", 5);
  const tickSize = Math.min(vehicles, arg("tick", 1000));
  const profileOut = stringArg("profile-out");
  const outDir = mkdtempSync(join(tmpdir(), "fleetcore-map-bench-"));
  const root = join(HERE, "harness");
  try {
    await build({
      root,
      configFile: false,
      logLevel: "warn",
      base: "./",
      // Profiling: unminified, so that the profile names functions.
      build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4000, minify: profileOut === undefined },
    });
    const server = await preview({
      root,
      configFile: false,
      logLevel: "warn",
      build: { outDir },
      preview: { host: "127.0.0.1", port: 0, strictPort: false },
    });
    const address = server.httpServer.address() as AddressInfo;
    const url = `http://127.0.0.1:${address.port}/`;
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      await page.goto(url);
      await page.waitForFunction(() => "fcBench" in window);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Performance.enable");
      /** Cumulative main-thread task and script time, ms. */
      const mainThreadMs = async () => {
        const { metrics } = await cdp.send("Performance.getMetrics");
        const ms = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
        return { task: ms("TaskDuration"), script: ms("ScriptDuration") };
      };
      const info = await page.evaluate((n) => window.fcBench.init(n), vehicles);
      const version = browser.version();
      console.log(`Chromium ${version}, WebGL renderer: ${info.renderer}`);
      console.log(`${info.vehicles} vehicles on the map; ${warmup} warm-up + ${iterations} measured batches each\n`);

      const run = async (
        kind: "applyDiff" | "applySetData",
        changedCount: number,
        stepScale: number,
        profile = false,
      ) => {
        const apply: number[] = [];
        const sentCounts: number[] = [];
        const sync: number[] = [];
        const cycle: number[] = [];
        const cycleScript: number[] = [];
        const ingest: number[] = [];
        for (let i = 0; i < warmup + iterations; i++) {
          if (profile && i === warmup) {
            await cdp.send("Profiler.enable");
            await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
            await cdp.send("Profiler.start");
          }
          const ingestMs = await page.evaluate(([n, k]) => window.fcBench.ingest(n, k), [changedCount, stepScale]);
          const before = await mainThreadMs();
          const t: ApplyTiming = await page.evaluate((k) => window.fcBench[k](), kind);
          const after = await mainThreadMs();
          if (i < warmup) continue;
          apply.push(t.applyMs);
          sentCounts.push(t.sent);
          sync.push(t.syncMs);
          cycle.push(after.task - before.task);
          cycleScript.push(after.script - before.script);
          ingest.push(ingestMs);
        }
        if (profile && profileOut) {
          const { profile: cpuProfile } = await cdp.send("Profiler.stop");
          writeFileSync(profileOut, JSON.stringify(cpuProfile));
          printTopFunctions(cpuProfile as CpuProfile);
        }
        return {
          apply: summary(apply),
          sent: summary(sentCounts),
          sync: summary(sync),
          cycle: summary(cycle),
          cycleScript: summary(cycleScript),
          ingest: summary(ingest),
        };
      };
      const row = (label: string, s: { p50: number; p95: number; max: number }) =>
        console.log(`${label.padEnd(50)}${fmt(s.p50)}${fmt(s.p95)}${fmt(s.max)}`);
      // Zoom 11, the whole fleet in view. ~20 m is ~0.6 px there: most single reports do not show
      // and the layer holds them back; ×10 (~6 px) every move shows, the diff path's worst case.
      const scenarios = [
        { title: `batch: all ${vehicles} vehicles report, ~20 m each`, changed: vehicles, step: 1 },
        { title: `batch: all ${vehicles} report, ~200 m: every move shows`, changed: vehicles, step: 10 },
        { title: `tick: ${tickSize} of ${vehicles} vehicles report (typical 250 ms tick)`, changed: tickSize, step: 1 },
      ];
      for (const [n, scenario] of scenarios.entries()) {
        const diff = await run("applyDiff", scenario.changed, scenario.step, n === 1 && profileOut !== undefined);
        const baseline = await run("applySetData", scenario.changed, scenario.step);
        console.log(
          `${scenario.title.padEnd(50)}${"p50".padStart(8)}${"p95".padStart(8)}${"max".padStart(8)}  (main-thread ms)`,
        );
        row("  vehicles in the diff (the rest held back/unchanged)", diff.sent);
        row("  updateData(diff): apply call (sync+microtasks)", diff.apply);
        row("    of which synchronous", diff.sync);
        row("    whole cycle until rendered: all tasks", diff.cycle);
        row("    whole cycle until rendered: JavaScript", diff.cycleScript);
        row("  setData baseline: apply call", baseline.apply);
        row("    whole cycle until rendered: all tasks", baseline.cycle);
        row("    whole cycle until rendered: JavaScript", baseline.cycleScript);
        row("  LiveFleet.applyPositions (socket handler)", diff.ingest);
        console.log(
          `  ratio setData / updateData (p50): apply call ×${(baseline.apply.p50 / diff.apply.p50).toFixed(2)}, ` +
            `cycle all tasks ×${(baseline.cycle.p50 / diff.cycle.p50).toFixed(2)}, ` +
            `cycle JavaScript ×${(baseline.cycleScript.p50 / diff.cycleScript.p50).toFixed(2)}`,
        );
        if (scenario.changed === vehicles) {
          console.log(
            `  16 ms budget for the ${vehicles}-vehicle apply call: p50 ${diff.apply.p50 <= 16 ? "within" : "OVER"}, ` +
              `p95 ${diff.apply.p95 <= 16 ? "within" : "OVER"}`,
          );
        }
        console.log("");
      }
      const [load1] = loadavg();
      console.log(
        `machine: ${cpus().length} CPUs, load average ${load1?.toFixed(1)} at the end (other work inflates p95/max)`,
      );
      if (errors.length > 0) console.log(`\npage errors:\n  ${errors.join("\n  ")}`);
    } finally {
      await browser.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
