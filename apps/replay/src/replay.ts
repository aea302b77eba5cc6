/**
 * The replay loop: sends a plan in order, on schedule, with bounded concurrency, and keeps the tally.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { PlannedFix } from "./schedule";
import { osmAndUrl } from "./schedule";
import { type SendOptions, type SendResult, sendFix } from "./sender";

/** Fixes that got the same (normalised) reason: how many, and the first reason text verbatim. */
export interface ReasonCount {
  count: number;
  example: string;
  /** True when some grouped reasons differed from `example` (in ids, times or numbers). */
  varied: boolean;
}

/**
 * Groups server reasons that differ only in ids, times or numbers (`unknown device "capmetro-2619": …`,
 * `timestamp 2030-… is in the future (server time …)`): quoted text → `"…"`, ISO 8601 times → `<time>`,
 * numbers → `<n>`.
 */
export function reasonKey(reason: string): string {
  return reason
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d{4}-\d{2}-\d{2}[T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?/g, "<time>")
    .replace(/-?\d+(\.\d+)?/g, "<n>");
}

/** Running and final counts of a replay. Reasons are grouped by {@link reasonKey}. */
export interface ReplayStats {
  /** Fixes in the plan. */
  planned: number;
  /** Fixes whose sending finished (accepted + rejected + failed). */
  sent: number;
  accepted: number;
  rejected: number;
  failed: number;
  /** Extra HTTP requests made by retries (503 backpressure, network errors). */
  retries: number;
  rejectReasons: Map<string, ReasonCount>;
  failReasons: Map<string, ReasonCount>;
  /** performance.now() at start and end, ms. */
  startedMs: number;
  endedMs: number;
  /** True when the signal stopped the replay before every fix was dispatched. */
  interrupted: boolean;
}

/** Options of {@link runReplay}. */
export interface RunOptions {
  /** OsmAnd endpoint, e.g. `http://localhost:5055` or `http://localhost:3000/ingest/osmand`. */
  url: string;
  /** Most requests in flight at once (≥ 1). */
  concurrency: number;
  send?: Partial<SendOptions>;
  /** Stops dispatching new fixes; requests in flight finish. */
  signal?: AbortSignal;
  /** Called after each fix finishes, with the live stats object (don't keep or mutate it). */
  onProgress?: (stats: ReplayStats) => void;
  /** Called once per fix that was sent, with how it ended (before `onProgress`); e.g. to know which fixes the server kept. */
  onResult?: (planned: PlannedFix, result: SendResult) => void;
}

/** A new, empty {@link ReplayStats} for `planned` fixes. */
export function emptyStats(planned: number): ReplayStats {
  const now = performance.now();
  return {
    planned,
    sent: 0,
    accepted: 0,
    rejected: 0,
    failed: 0,
    retries: 0,
    rejectReasons: new Map(),
    failReasons: new Map(),
    startedMs: now,
    endedMs: now,
    interrupted: false,
  };
}

function record(stats: ReplayStats, result: SendResult): void {
  stats.sent++;
  stats.retries += result.attempts - 1;
  if (result.outcome === "accepted") stats.accepted++;
  else {
    const reasons = result.outcome === "rejected" ? stats.rejectReasons : stats.failReasons;
    if (result.outcome === "rejected") stats.rejected++;
    else stats.failed++;
    const key = reasonKey(result.reason);
    const seen = reasons.get(key);
    if (seen) {
      seen.count++;
      if (result.reason !== seen.example) seen.varied = true;
    } else reasons.set(key, { count: 1, example: result.reason, varied: false });
  }
}

/**
 * Sends `plan` (in its order) to `options.url`: each fix waits until `sendOffsetMs` after the start,
 * at most `concurrency` requests are in flight, and a vehicle's fixes are sent one after another
 * (a fix waits for the previous fix of the same vehicle to finish), so the server sees every
 * vehicle's track in time order. Resolves when everything dispatched has finished; never rejects.
 */
export async function runReplay(plan: readonly PlannedFix[], options: RunOptions): Promise<ReplayStats> {
  const stats = emptyStats(plan.length);
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const inFlight = new Set<Promise<void>>();
  const lastOfVehicle = new Map<string, Promise<void>>();
  const { signal } = options;

  for (const planned of plan) {
    if (signal?.aborted) break;
    const delayMs = stats.startedMs + planned.sendOffsetMs - performance.now();
    if (delayMs > 1) {
      try {
        await sleep(delayMs, undefined, signal ? { signal } : undefined);
      } catch {
        break; // aborted
      }
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);

    const vehicleId = planned.fix.vehicleId;
    const previous = lastOfVehicle.get(vehicleId);
    const url = osmAndUrl(options.url, planned.query);
    const send = async () => {
      if (previous) await previous;
      let result: SendResult;
      try {
        result = await sendFix(url, options.send);
      } catch (err) {
        result = { outcome: "failed", attempts: 1, reason: err instanceof Error ? err.message : String(err) };
      }
      record(stats, result);
      options.onResult?.(planned, result);
      options.onProgress?.(stats);
    };
    const task: Promise<void> = send().finally(() => {
      inFlight.delete(task);
      if (lastOfVehicle.get(vehicleId) === task) lastOfVehicle.delete(vehicleId);
    });
    inFlight.add(task);
    lastOfVehicle.set(vehicleId, task);
  }
  stats.interrupted = signal?.aborted ?? false;
  await Promise.allSettled([...inFlight]);
  stats.endedMs = performance.now();
  return stats;
}
