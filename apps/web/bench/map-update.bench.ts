/**
 * `pnpm bench:web`: how long applying a 10,000-vehicle update batch to the live map takes on the main
 * thread, in Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium) through playwright-core.
 *
 * Builds ./harness with Vite (production build, the app's own map modules), serves it on 127.0.0.1,
 * then per iteration: every vehicle reports (a `positions` batch into LiveFleet, timed separately:
 * each moves ~20 m, headings jitter ±2° with one vehicle in ten turning, one in fifty stops),
 * applies it to the map, and waits until the map has rendered it. Reported, in ms:
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
 * A second scenario applies ticks where only `--tick` vehicles (1,000) report, the common case at
 * the server's 250 ms tick, where a diff sends a tenth of what `setData` must.
 *
 * Options: `--vehicles N` (10000), `--tick N` (1000), `--iterations N` (40), `--warmup N` (5).
 */
import { mkdtempSync, rmSync } from "node:fs";
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

const fmt = (ms: number) => ms.toFixed(2).padStart(8);

async function main(): Promise<void> {
  const vehicles = arg("vehicles", 10_000);
  const iterations = arg("iterations", 40);
  const warmup = arg("warmup", 5);
  const tickSize = Math.min(vehicles, arg("tick", 1000));
  const outDir = mkdtempSync(join(tmpdir(), "fleetcore-map-bench-"));
  const root = join(HERE, "harness");
  try {
    await build({
      root,
      configFile: false,
      logLevel: "warn",
      base: "./",
      build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4000 },
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

      const run = async (kind: "applyDiff" | "applySetData", changedCount: number) => {
        const apply: number[] = [];
        const sync: number[] = [];
        const cycle: number[] = [];
        const cycleScript: number[] = [];
        const ingest: number[] = [];
        for (let i = 0; i < warmup + iterations; i++) {
          const ingestMs = await page.evaluate((n) => window.fcBench.ingest(n), changedCount);
          const before = await mainThreadMs();
          const t: ApplyTiming = await page.evaluate((k) => window.fcBench[k](), kind);
          const after = await mainThreadMs();
          if (i < warmup) continue;
          apply.push(t.applyMs);
          sync.push(t.syncMs);
          cycle.push(after.task - before.task);
          cycleScript.push(after.script - before.script);
          ingest.push(ingestMs);
        }
        return {
          apply: summary(apply),
          sync: summary(sync),
          cycle: summary(cycle),
          cycleScript: summary(cycleScript),
          ingest: summary(ingest),
        };
      };
      const row = (label: string, s: { p50: number; p95: number; max: number }) =>
        console.log(`${label.padEnd(50)}${fmt(s.p50)}${fmt(s.p95)}${fmt(s.max)}`);
      const scenarios = [
        { title: `batch: all ${vehicles} vehicles report`, changed: vehicles },
        { title: `tick: ${tickSize} of ${vehicles} vehicles report (typical 250 ms tick)`, changed: tickSize },
      ];
      for (const scenario of scenarios) {
        const diff = await run("applyDiff", scenario.changed);
        const baseline = await run("applySetData", scenario.changed);
        console.log(
          `${scenario.title.padEnd(50)}${"p50".padStart(8)}${"p95".padStart(8)}${"max".padStart(8)}  (main-thread ms)`,
        );
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
