/**
 * `pnpm replay <file.csv> [options]`: argument parsing, the run, and what is printed. Kept apart from
 * cli.ts so tests can call {@link main} with their own streams.
 */
import type { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { type ParsedCsv, readReplayCsvFile } from "./csv";
import { createProgress, ratePerS } from "./progress";
import { emptyStats, type ReasonCount, type ReplayStats, runReplay } from "./replay";
import { osmAndUrl, type PlannedFix, planReplay, type ReplaySpeed, type TimeMode } from "./schedule";
import type { SendOptions } from "./sender";

/** Streams and hooks of one run; the CLI passes the process's, tests their own. */
export interface MainIo {
  stdout: Writable;
  /** Progress, hints and warnings; a bar is drawn when `isTTY` is true. */
  stderr: Writable & { isTTY?: boolean };
  /** Epoch ms that the file's earliest fix maps to; defaults to Date.now(). */
  now?: () => number;
  /** Ctrl-C: stop dispatching, let requests in flight finish, print the summary. */
  signal?: AbortSignal;
  /** Interval of the plain progress lines, ms (default 5000). */
  progressIntervalMs?: number;
  /** Retry policy overrides (tests shorten the backoff). */
  send?: Partial<SendOptions>;
}

/** Parsed command line. */
export interface ReplayArgs {
  file: string;
  speed: ReplaySpeed;
  /** How fix times are rebased (see {@link TimeMode}); `wall` needs a numeric speed. */
  time: TimeMode;
  url: string;
  prefix: string;
  concurrency: number;
  tenant: string | null;
  dryRun: boolean;
}

export const USAGE = `Usage: pnpm replay <file.csv> [options]

Replays GPS positions from a CapMetrics-format CSV
(vehicle_id,timestamp,speed,route_id,trip_id,latitude,longitude,trip_headsign)
through Fleetcore's OsmAnd (Traccar Client) ingest endpoint, rebased to now.

Options:
  --speed N|max       N times real time (default 1; 60 = one hour per minute);
                      max = as fast as the server accepts
  --time real|wall    fix timestamps (default real): real = the earliest fix is now
                      and fixes keep their real spacing, so at --speed N > 1 they
                      run ahead of the clock (the server rejects fixes more than
                      5 minutes in the future); wall = each fix is stamped with the
                      time it is sent (needs a numeric --speed)
  --url URL           OsmAnd endpoint (default http://localhost:5055;
                      the main port serves it too: http://localhost:3000/ingest/osmand)
  --prefix P          device id prefix (default capmetro-): id = P + vehicle_id
  --concurrency N     most requests in flight (default 8)
  --tenant T          the tenant the devices are registered in (informational)
  --dry-run           parse and plan, print sample requests, send nothing
  -h, --help          this text

Exit status: 0 done, 1 bad arguments or unreadable file, 2 some fixes failed or none was accepted.
`;

/** Thrown by {@link parseReplayArgs} for a bad command line; the message is for the user. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** argv (without node and script) → {@link ReplayArgs}, or null for --help. Throws {@link UsageError}. */
export function parseReplayArgs(argv: string[]): ReplayArgs | null {
  let values: ReturnType<typeof parse>["values"];
  let positionals: string[];
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      allowPositionals: true,
      strict: true,
      options: {
        speed: { type: "string", default: "1" },
        time: { type: "string", default: "real" },
        url: { type: "string", default: "http://localhost:5055" },
        prefix: { type: "string", default: "capmetro-" },
        concurrency: { type: "string", default: "8" },
        tenant: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  try {
    ({ values, positionals } = parse(argv));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return null;
  const [file, ...extra] = positionals;
  if (!file) throw new UsageError("missing the CSV file");
  if (extra.length) throw new UsageError(`unexpected argument(s): ${extra.join(" ")}`);

  let speed: ReplaySpeed;
  if (values.speed === "max") speed = "max";
  else {
    speed = Number(values.speed);
    if (!Number.isFinite(speed) || speed <= 0) throw new UsageError(`--speed must be a number > 0 or "max"`);
  }
  const time = values.time;
  if (time !== "real" && time !== "wall") throw new UsageError(`--time must be "real" or "wall"`);
  if (time === "wall" && speed === "max") {
    throw new UsageError("--time wall needs a numeric --speed (with max there is no schedule to stamp)");
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError("--concurrency must be an integer ≥ 1");
  const url = values.url ?? "";
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return {
    file,
    speed,
    time,
    url,
    prefix: values.prefix ?? "",
    concurrency,
    tenant: values.tenant ?? null,
    dryRun: values["dry-run"] ?? false,
  };
}

/** Seconds → `1h 02m 03s` / `2m 03s` / `4.2s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}h ${String(m).padStart(2, "0")}m ${rest}s` : `${m}m ${rest}s`;
}

/** The fix timestamps the server accepts ahead of its clock, seconds (Fleetcore's ingest rejects later ones). */
export const MAX_FUTURE_S = 300;

/**
 * Reasons grouped by {@link reasonKey} (most frequent first), one example each:
 * `    12 × unknown device "capmetro-2619" (and similar)`.
 */
function topReasons(reasons: Map<string, ReasonCount>, limit = 5): string[] {
  const sorted = [...reasons.values()].sort((a, b) => b.count - a.count);
  const lines = sorted.slice(0, limit).map((r) => `    ${r.count} × ${r.example}${r.varied ? " (and similar)" : ""}`);
  if (sorted.length > limit) {
    const rest = sorted.slice(limit).reduce((n, r) => n + r.count, 0);
    lines.push(`    … and ${rest} more with ${sorted.length - limit} other reason(s)`);
  }
  return lines;
}

function badRowLines(parsed: ParsedCsv): string[] {
  if (!parsed.badRowCount) return [];
  const lines = parsed.badRows.map((b) => `    line ${b.line}: ${b.reason}`);
  if (parsed.badRowCount > parsed.badRows.length) {
    lines.push(`    … and ${parsed.badRowCount - parsed.badRows.length} more`);
  }
  return lines;
}

/** The final report: counts, reasons, unparseable rows with line numbers, duration and throughput. */
export function formatSummary(parsed: ParsedCsv, stats: ReplayStats, dryRun: boolean): string {
  const durationS = (stats.endedMs - stats.startedMs) / 1000;
  const out = [
    dryRun ? "Replay summary (dry run, nothing sent)" : `Replay summary${stats.interrupted ? " (interrupted)" : ""}`,
  ];
  out.push(`  rows read:    ${parsed.rowCount}`);
  out.push(`  unparseable:  ${parsed.badRowCount}${parsed.badRowCount ? " (skipped)" : ""}`, ...badRowLines(parsed));
  if (!dryRun) {
    out.push(`  sent:         ${stats.sent} of ${stats.planned}`);
    out.push(`  accepted:     ${stats.accepted}`);
    out.push(`  rejected:     ${stats.rejected}`, ...topReasons(stats.rejectReasons));
    out.push(`  failed:       ${stats.failed}`, ...topReasons(stats.failReasons));
    if (stats.retries) out.push(`  retries:      ${stats.retries}`);
    out.push(`  duration:     ${formatDuration(durationS)}`);
    out.push(`  throughput:   ${ratePerS(stats, stats.endedMs).toFixed(1)} positions/s`);
  }
  return `${out.join("\n")}\n`;
}

function describePlan(args: ReplayArgs, parsed: ParsedCsv, plan: PlannedFix[]): string {
  const first = parsed.fixes[0];
  const last = parsed.fixes.at(-1);
  if (!first || !last) return "Nothing to replay: the file has no valid rows.\n";
  const vehicles = [...new Set(parsed.fixes.map((f) => f.vehicleId))];
  const spanS = (last.timeMs - first.timeMs) / 1000;
  const pace =
    args.speed === "max"
      ? `as fast as the server accepts (concurrency ${args.concurrency})`
      : `at ${args.speed}× real time, about ${formatDuration(spanS / args.speed)}`;
  const ids = vehicles.slice(0, 3).map((v) => `${args.prefix}${v}`);
  const lines = [
    `Replaying ${plan.length} fixes of ${vehicles.length} vehicles spanning ${formatDuration(spanS)} ` +
      `(${new Date(first.timeMs).toISOString()} → ${new Date(last.timeMs).toISOString()}) ${pace}.`,
    `Hint: device ids (${ids.join(", ")}${vehicles.length > 3 ? ", …" : ""}) must be registered as devices in ` +
      `${args.tenant ? `tenant "${args.tenant}"` : "a tenant"}; the server rejects fixes from unknown ids.`,
  ];
  if (args.time === "wall") {
    lines.push("Timestamps: each fix is stamped with the time it is scheduled to be sent (--time wall, Unix ms).");
  } else if (args.speed !== 1 && spanS > 0) {
    // Real mode: the fix at t (s after the first) is stamped now + t and sent t / speed after the start.
    const lagFactor = args.speed === "max" ? 1 : 1 - 1 / args.speed;
    const aheadS = spanS * lagFactor;
    if (aheadS > MAX_FUTURE_S) {
      lines.push(
        `Warning: with --time real at --speed ${args.speed}, fix timestamps keep real-time spacing (earliest fix = now) ` +
          `and run ahead of the wall clock, up to ${formatDuration(aheadS)} ahead at the end; the server rejects fixes ` +
          `more than ${formatDuration(MAX_FUTURE_S)} in the future, so expect rejections after the first ` +
          `~${formatDuration(MAX_FUTURE_S / lagFactor)} of the file. --time wall stamps each fix with its send time instead.`,
      );
    } else if (aheadS > 0) {
      lines.push(
        `Note: timestamps keep real-time spacing (earliest fix = now), so at --speed ${args.speed} they run ahead ` +
          `of the wall clock, by up to ${formatDuration(aheadS)} at the end.`,
      );
    } else {
      lines.push(
        `Note: timestamps keep real-time spacing (earliest fix = now), so at --speed ${args.speed} they fall behind ` +
          `the wall clock, by up to ${formatDuration(-aheadS)} at the end.`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Runs the replay for `argv` (without node and script) and resolves with the exit status:
 * 0 done, 1 bad arguments or unreadable file, 2 some fixes failed or none was accepted.
 * Never throws for bad input; the summary goes to stdout, everything else to stderr.
 */
export async function main(argv: string[], io: MainIo): Promise<number> {
  let args: ReplayArgs | null;
  try {
    args = parseReplayArgs(argv);
  } catch (err) {
    io.stderr.write(`replay: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 1;
  }
  if (!args) {
    io.stdout.write(USAGE);
    return 0;
  }

  let parsed: ParsedCsv;
  try {
    parsed = await readReplayCsvFile(args.file);
  } catch (err) {
    io.stderr.write(`replay: cannot read ${args.file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }

  const plan = planReplay(parsed.fixes, {
    now0Ms: (io.now ?? Date.now)(),
    speed: args.speed,
    prefix: args.prefix,
    time: args.time,
  });
  io.stderr.write(describePlan(args, parsed, plan));

  if (args.dryRun) {
    const sample = plan.slice(0, 5).map((p) => `  ${osmAndUrl(args.url, p.query).href}`);
    io.stdout.write(
      `First ${sample.length} of ${plan.length} requests (GET):\n${sample.join("\n")}${sample.length ? "\n" : ""}`,
    );
    io.stdout.write(formatSummary(parsed, emptyStats(plan.length), true));
    return 0;
  }
  if (!plan.length) {
    io.stdout.write(formatSummary(parsed, emptyStats(0), false));
    return 2;
  }

  const progress = createProgress({
    stream: io.stderr,
    tty: io.stderr.isTTY === true,
    total: plan.length,
    ...(io.progressIntervalMs ? { intervalMs: io.progressIntervalMs } : {}),
  });
  const stats = await runReplay(plan, {
    url: args.url,
    concurrency: args.concurrency,
    ...(io.send ? { send: io.send } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    onProgress: (s) => progress.update(s),
  });
  progress.stop(stats);
  io.stdout.write(formatSummary(parsed, stats, false));
  return stats.failed > 0 || stats.accepted === 0 ? 2 : 0;
}
