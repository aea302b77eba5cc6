/**
 * `pnpm replay <file.csv> [options]`: argument parsing, the run, and what is printed. Kept apart from
 * cli.ts so tests can call {@link main} with their own streams.
 */
import type { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { type ParsedCsv, readReplayCsvFile } from "./csv";
import { createProgress, ratePerS } from "./progress";
import {
  DEFAULT_PREFIX,
  type DeviceRegistration,
  formatRegistration,
  type ReplayDevice,
  registerInLocalDatabase,
  replayDevices,
  UnknownTenantError,
} from "./register";
import { emptyStats, type ReasonCount, type ReplayStats, runReplay } from "./replay";
import { defaultTimeMode, osmAndUrl, type PlannedFix, planReplay, type ReplaySpeed, type TimeMode } from "./schedule";
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
  /** `--tenant`: registers the devices (default {@link registerInLocalDatabase}; tests pass a stand-in). */
  registerDevices?: (
    tenantSlug: string,
    devices: readonly ReplayDevice[],
    opts: { dryRun: boolean },
  ) => Promise<DeviceRegistration>;
}

/** Parsed command line. */
export interface ReplayArgs {
  file: string;
  speed: ReplaySpeed;
  /** How fix times are rebased (see {@link TimeMode}; default {@link defaultTimeMode}); `wall` needs a numeric speed. */
  time: TimeMode;
  url: string;
  prefix: string;
  concurrency: number;
  /** Tenant slug whose devices the replay registers before sending (null: none, devices must exist). */
  tenant: string | null;
  dryRun: boolean;
}

export const USAGE = `Usage: pnpm replay <file.csv> [options]

Replays GPS positions from a CapMetrics-format CSV
(vehicle_id,timestamp,speed,route_id,trip_id,latitude,longitude,trip_headsign)
through Fleetcore's OsmAnd (Traccar Client) ingest endpoint, rebased to now.

Options:
  --speed N|max         N times real time (default 1; 60 = one hour per minute);
                        max = as fast as the server accepts
  --time real|end|wall  fix timestamps (default: end with --speed max, else real):
                        real = the earliest fix is now and fixes keep their real
                        spacing, so at --speed N > 1 they run ahead of the clock
                        (the server rejects fixes more than 5 minutes in the future);
                        end = the latest fix is now, real spacing, all in the past;
                        wall = each fix is stamped with the time it is sent (needs a
                        numeric --speed)
  --url URL             OsmAnd endpoint (default http://localhost:5055;
                        the main port serves it too: http://localhost:3000/ingest/osmand)
  --prefix P            device id prefix (default capmetro-): id = P + vehicle_id
  --concurrency N       most requests in flight (default 8)
  --tenant SLUG         first register the missing devices in this tenant, each in a
                        vehicle of its own ("CapMetro <vehicle_id>"; re-runs reuse them),
                        writing to the local database as its owner (DATABASE_OWNER_URL,
                        or .fleetcore/database.json from npm start). Devices of another
                        tenant are refused, left there, and their fixes not sent
  --dry-run             parse and plan, print sample requests, send nothing
                        (with --tenant: report what would be registered, write nothing)
  -h, --help            this text

Exit status: 0 done, 1 bad arguments, unreadable file or unknown tenant,
2 some fixes failed or none was accepted.
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
        time: { type: "string" },
        url: { type: "string", default: "http://localhost:5055" },
        prefix: { type: "string", default: DEFAULT_PREFIX },
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
  if (values.tenant !== undefined && !values.tenant.trim()) throw new UsageError("--tenant needs a tenant slug");

  let speed: ReplaySpeed;
  if (values.speed === "max") speed = "max";
  else {
    speed = Number(values.speed);
    if (!Number.isFinite(speed) || speed <= 0) throw new UsageError(`--speed must be a number > 0 or "max"`);
  }
  const time = values.time ?? defaultTimeMode(speed);
  if (time !== "real" && time !== "end" && time !== "wall") {
    throw new UsageError(`--time must be "real", "end" or "wall"`);
  }
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
    tenant: values.tenant?.trim() || null,
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

/**
 * The final report: counts, reasons, unparseable rows with line numbers, duration and throughput.
 * `refusedFixes`: good rows left out because their device belongs to another tenant (`--tenant`).
 */
export function formatSummary(parsed: ParsedCsv, stats: ReplayStats, dryRun: boolean, refusedFixes = 0): string {
  const durationS = (stats.endedMs - stats.startedMs) / 1000;
  const out = [
    dryRun ? "Replay summary (dry run, nothing sent)" : `Replay summary${stats.interrupted ? " (interrupted)" : ""}`,
  ];
  out.push(`  rows read:    ${parsed.rowCount}`);
  out.push(`  unparseable:  ${parsed.badRowCount}${parsed.badRowCount ? " (skipped)" : ""}`, ...badRowLines(parsed));
  if (refusedFixes) out.push(`  not sent:     ${refusedFixes} (devices of another tenant)`);
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

/**
 * What is about to happen, for stderr: fixes, vehicles, time span and pace, a hint about device
 * registration (without `--tenant`), and how timestamps relate to the wall clock in the chosen
 * `--time` mode (a warning when `real` mode will run more than {@link MAX_FUTURE_S} ahead).
 */
export function describePlan(args: ReplayArgs, plan: readonly PlannedFix[]): string {
  const first = plan[0]?.fix;
  const last = plan.at(-1)?.fix;
  if (!first || !last) return "Nothing to replay: the file has no valid rows.\n";
  const vehicles = [...new Set(plan.map((p) => p.fix.vehicleId))];
  const spanS = (last.timeMs - first.timeMs) / 1000;
  const sendS = args.speed === "max" ? 0 : spanS / args.speed;
  const pace =
    args.speed === "max"
      ? `as fast as the server accepts (concurrency ${args.concurrency})`
      : `at ${args.speed}× real time, about ${formatDuration(sendS)}`;
  const ids = vehicles.slice(0, 3).map((v) => `${args.prefix}${v}`);
  const lines = [
    `Replaying ${plan.length} fixes of ${vehicles.length} vehicles spanning ${formatDuration(spanS)} ` +
      `(${new Date(first.timeMs).toISOString()} → ${new Date(last.timeMs).toISOString()}) ${pace}.`,
  ];
  if (!args.tenant) {
    lines.push(
      `Hint: device ids (${ids.join(", ")}${vehicles.length > 3 ? ", …" : ""}) must be registered as devices in ` +
        "a tenant (--tenant <slug> registers them); the server rejects fixes from unknown ids.",
    );
  }
  if (args.time === "wall") {
    lines.push("Timestamps: each fix is stamped with the time it is scheduled to be sent (--time wall, Unix ms).");
  } else if (args.time === "end") {
    const lagNote =
      sendS > 0 ? `; sent over ~${formatDuration(sendS)}, the last fix arrives that long after its timestamp` : "";
    lines.push(
      `Timestamps: rebased so the file's last fix is now (--time end): real spacing, all in the past, ` +
        `the earliest ${formatDuration(spanS)} ago${lagNote}.`,
    );
  } else if (args.speed !== 1 && spanS > 0) {
    // Real mode: the fix at t (s after the first) is stamped now + t and sent t / speed after the start.
    const lagFactor = args.speed === "max" ? 1 : 1 - 1 / args.speed;
    const aheadS = spanS * lagFactor;
    if (aheadS > MAX_FUTURE_S) {
      lines.push(
        `Warning: with --time real at --speed ${args.speed}, fix timestamps keep real-time spacing (earliest fix = now) ` +
          `and run ahead of the wall clock, up to ${formatDuration(aheadS)} ahead at the end; the server rejects fixes ` +
          `more than ${formatDuration(MAX_FUTURE_S)} in the future, so expect rejections after the first ` +
          `~${formatDuration(MAX_FUTURE_S / lagFactor)} of the file. --time end stamps the last fix now instead ` +
          `(all fixes in the past)${args.speed === "max" ? "" : "; --time wall stamps each fix with its send time"}.`,
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

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Runs the replay for `argv` (without node and script) and resolves with the exit status:
 * 0 done, 1 bad arguments, unreadable file, unknown tenant or failed registration, 2 some fixes
 * failed or none was accepted. Never throws for bad input; the summary goes to stdout, everything
 * else to stderr. With `--tenant`, devices are registered first (see register.ts)
 * and fixes of devices that belong to another tenant are left out of the plan.
 */
export async function main(argv: string[], io: MainIo): Promise<number> {
  let args: ReplayArgs | null;
  try {
    args = parseReplayArgs(argv);
  } catch (err) {
    io.stderr.write(`replay: ${message(err)}\n\n${USAGE}`);
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
    io.stderr.write(`replay: cannot read ${args.file}: ${message(err)}\n`);
    return 1;
  }

  let fixes = parsed.fixes;
  if (args.tenant && fixes.length) {
    const devices = replayDevices(
      fixes.map((f) => f.vehicleId),
      args.prefix,
    );
    let registration: DeviceRegistration;
    try {
      registration = await (io.registerDevices ?? registerInLocalDatabase)(args.tenant, devices, {
        dryRun: args.dryRun,
      });
    } catch (err) {
      const what = err instanceof UnknownTenantError ? "" : "cannot register devices: ";
      io.stderr.write(`replay: --tenant ${args.tenant}: ${what}${message(err)}\n`);
      return 1;
    }
    io.stderr.write(formatRegistration(registration));
    if (registration.foreign.length) {
      // Their fixes would land in the other tenant, which is not what --tenant asked for.
      const refused = new Set(registration.foreign.map((f) => f.uniqueId));
      fixes = fixes.filter((f) => !refused.has(`${args.prefix}${f.vehicleId}`));
    }
  }

  const plan = planReplay(fixes, {
    now0Ms: (io.now ?? Date.now)(),
    speed: args.speed,
    prefix: args.prefix,
    time: args.time,
  });
  io.stderr.write(describePlan(args, plan));

  if (args.dryRun) {
    const sample = plan.slice(0, 5).map((p) => `  ${osmAndUrl(args.url, p.query).href}`);
    io.stdout.write(
      `First ${sample.length} of ${plan.length} requests (GET):\n${sample.join("\n")}${sample.length ? "\n" : ""}`,
    );
    io.stdout.write(formatSummary(parsed, emptyStats(plan.length), true, parsed.fixes.length - fixes.length));
    return 0;
  }
  if (!plan.length) {
    io.stdout.write(formatSummary(parsed, emptyStats(0), false, parsed.fixes.length - fixes.length));
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
  io.stdout.write(formatSummary(parsed, stats, false, parsed.fixes.length - fixes.length));
  return stats.failed > 0 || stats.accepted === 0 ? 2 : 0;
}
