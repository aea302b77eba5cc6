/**
 * Polls the tenants' GTFS-realtime VehiclePositions feeds (wiring and scheduling only: fetching,
 * decoding, ingest and the feed rows are @fleetcore/core's gtfsFeeds.ts / gtfsRealtime.ts).
 *
 * - The list of enabled feeds is loaded in the system scope at start, every 15 s, and at once when
 *   the API announces a change (`notifyGtfsFeedsChanged`) or `reload()` is called: feeds created,
 *   edited, disabled or deleted take effect without a restart.
 * - Each feed is polled every `pollIntervalS` (fixed rate, at most 4 fetches at a time); a failed
 *   poll backs off exponentially (interval × 2^failures, up to 30 min, or longer if the producer's
 *   Retry-After says so), and every poll's outcome is stored on the feed row for the dashboard.
 * - A feed can fail in any way (unreachable, slow, huge, not protobuf) without affecting the others
 *   or the server; `stop()` aborts fetches in flight and waits for the polls to finish.
 *
 * One poller per database polls: a process polls only while it holds a session-level Postgres
 * advisory lock (on a connection it keeps), so with several server processes exactly one polls each
 * feed and another takes over within a reload period (15 s) when it stops or loses its connection.
 */
import {
  type GtfsFeedConfig,
  type GtfsPollOutcome,
  type GtfsPollState,
  type IngestService,
  loadEnabledGtfsFeeds,
  onGtfsFeedsChanged,
  pollGtfsRealtimeFeed,
  recordGtfsFeedPoll,
} from "@fleetcore/core";
import type { PgPool, PgPoolClient } from "@fleetcore/db";

/** Advisory lock key held by the polling process (arbitrary, fixed). */
const GTFS_LEADER_LOCK_KEY = 4_604_771_202;

/** The logger calls the poller makes (pino's / Fastify's shape). */
export interface PollerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface GtfsRealtimePollerOptions {
  pool: PgPool;
  ingest: IngestService;
  log: PollerLog;
  /** Periodic reload of the feed list. Default 15 s. */
  reloadIntervalMs?: number;
  /** Scheduler resolution. Default 1 s. */
  tickMs?: number;
  /** Most feeds fetched at the same time. Default 4. */
  maxConcurrent?: number;
  /** Longest back-off after failures, seconds (never shorter than the feed's interval). Default 30 min. */
  maxBackoffS?: number;
  /** Longest Retry-After honoured, seconds. Default 1 h. */
  maxRetryAfterS?: number;
}

interface FeedSlot {
  config: GtfsFeedConfig;
  state: GtfsPollState;
  /** Epoch ms of the next poll. */
  nextAt: number;
  failures: number;
  lastError: string | null;
  running: AbortController | null;
}

/** Fields whose change makes a feed start afresh (no conditional GET with the old validators, poll now). */
const sourceKey = (c: GtfsFeedConfig) => JSON.stringify([c.url, c.headers, c.deviceIdPrefix]);

/** Schedules the polls of every enabled GTFS-realtime feed; see the module comment. */
export class GtfsRealtimePoller {
  private readonly feeds = new Map<string, FeedSlot>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly reloadIntervalMs: number;
  private readonly tickMs: number;
  private readonly maxConcurrent: number;
  private readonly maxBackoffS: number;
  private readonly maxRetryAfterS: number;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private lastReloadAt = 0;
  private running = false;
  /** The connection holding the leader lock while this process is the one polling. */
  private leader: PgPoolClient | null = null;

  constructor(private readonly opts: GtfsRealtimePollerOptions) {
    this.reloadIntervalMs = opts.reloadIntervalMs ?? 15_000;
    this.tickMs = opts.tickMs ?? 1_000;
    this.maxConcurrent = opts.maxConcurrent ?? 4;
    this.maxBackoffS = opts.maxBackoffS ?? 30 * 60;
    this.maxRetryAfterS = opts.maxRetryAfterS ?? 60 * 60;
  }

  /** Starts polling (loads the feeds, then polls each when due). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = onGtfsFeedsChanged(() => void this.reload());
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    void this.reload();
  }

  /**
   * Re-reads the enabled feeds now and polls new or re-pointed ones at once. Concurrent calls share
   * one reload (plus one more if a change came in meanwhile). A failed reload keeps the current list.
   */
  reload(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        this.lastReloadAt = Date.now();
        try {
          // Another process polls while it holds the lock: follow with an empty list.
          this.merge((await this.ensureLeader()) ? await loadEnabledGtfsFeeds(this.opts.pool) : []);
        } catch (err) {
          this.opts.log.warn({ err }, "GTFS-realtime: could not load the feed list");
        }
      } while (this.reloadAgain && this.running);
      this.reloading = null;
      this.tick();
    })();
    return this.reloading;
  }

  /** Stops polling: no new polls, fetches in flight aborted, resolves once every poll has ended. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const slot of this.feeds.values()) slot.running?.abort();
    await Promise.allSettled([...this.inFlight, this.reloading]);
    this.feeds.clear();
    const leader = this.leader;
    this.leader = null;
    if (leader) {
      await leader.query("SELECT pg_advisory_unlock($1)", [GTFS_LEADER_LOCK_KEY]).catch(() => undefined);
      leader.release();
    }
  }

  /** Whether this process polls: holds, or now takes, the leader lock on a connection it keeps. */
  private async ensureLeader(): Promise<boolean> {
    if (this.leader) return true;
    const client = await this.opts.pool.connect();
    let kept = false;
    try {
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
        GTFS_LEADER_LOCK_KEY,
      ]);
      if (!rows[0]?.ok || !this.running) return false;
      // A dropped connection drops the lock too: stop polling until the lock is taken again.
      client.on("error", (err) => {
        this.opts.log.warn({ err }, "GTFS-realtime: lost the poller lock's connection");
        if (this.leader === client) this.leader = null;
        client.release(err);
      });
      this.leader = client;
      kept = true;
      return true;
    } finally {
      if (!kept) {
        await client.query("SELECT pg_advisory_unlock_all()").catch(() => undefined);
        client.release();
      }
    }
  }

  /** Ids of the feeds being polled (tests, diagnostics). */
  get feedIds(): string[] {
    return [...this.feeds.keys()];
  }

  private merge(configs: GtfsFeedConfig[]): void {
    const now = Date.now();
    const seen = new Set<string>();
    for (const config of configs) {
      seen.add(config.id);
      const slot = this.feeds.get(config.id);
      if (!slot) {
        this.feeds.set(config.id, {
          config,
          state: { etag: null, lastModified: null, lastFeedTime: null },
          nextAt: now,
          failures: 0,
          lastError: null,
          running: null,
        });
        continue;
      }
      if (sourceKey(slot.config) !== sourceKey(config)) {
        slot.state = { etag: null, lastModified: null, lastFeedTime: null };
        slot.failures = 0;
        slot.nextAt = now;
      } else if (config.pollIntervalS < slot.config.pollIntervalS && slot.failures === 0) {
        slot.nextAt = Math.min(slot.nextAt, now + config.pollIntervalS * 1000);
      }
      slot.config = config;
    }
    for (const [id, slot] of this.feeds) {
      if (seen.has(id)) continue;
      // Disabled or deleted: a poll in flight may finish (its result is recorded), none is started.
      slot.running?.abort();
      this.feeds.delete(id);
    }
  }

  private tick(): void {
    if (!this.running) return;
    const now = Date.now();
    if (now - this.lastReloadAt >= this.reloadIntervalMs && !this.reloading) void this.reload();
    let active = [...this.feeds.values()].filter((s) => s.running).length;
    const due = [...this.feeds.values()]
      .filter((s) => !s.running && s.nextAt <= now)
      .sort((a, b) => a.nextAt - b.nextAt);
    for (const slot of due) {
      if (active >= this.maxConcurrent) break;
      active++;
      const run = this.poll(slot).finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }
  }

  private async poll(slot: FeedSlot): Promise<void> {
    const controller = new AbortController();
    slot.running = controller;
    const startedAt = Date.now();
    const { config } = slot;
    let outcome: GtfsPollOutcome;
    try {
      outcome = await pollGtfsRealtimeFeed(this.opts.ingest, config, slot.state, { signal: controller.signal });
    } catch (err) {
      // pollGtfsRealtimeFeed reports a feed's failures itself; anything else must not escape either.
      outcome = {
        status: "failed",
        feedTime: null,
        accepted: 0,
        rejected: 0,
        unknown: 0,
        error: `internal error: ${err instanceof Error ? err.message : String(err)}`,
        retryAfterS: null,
      };
    } finally {
      slot.running = null;
    }
    this.schedule(slot, outcome, startedAt);
    if (controller.signal.aborted && !this.running) return;
    try {
      await recordGtfsFeedPoll(this.opts.pool, config.id, outcome);
    } catch (err) {
      this.opts.log.warn({ err, feedId: config.id }, "GTFS-realtime: could not record a poll");
    }
  }

  private schedule(slot: FeedSlot, outcome: GtfsPollOutcome, startedAt: number): void {
    const intervalS = slot.config.pollIntervalS;
    const log = { feedId: slot.config.id, tenantId: slot.config.tenantId, feed: slot.config.name };
    if (outcome.status === "failed") {
      slot.failures++;
      const backoffS = Math.min(intervalS * 2 ** Math.min(slot.failures, 12), Math.max(intervalS, this.maxBackoffS));
      const delayS = Math.max(backoffS, Math.min(outcome.retryAfterS ?? 0, this.maxRetryAfterS));
      slot.nextAt = Date.now() + delayS * 1000;
      // Logged when the reason changes, not on every retry of the same failure.
      if (outcome.error !== slot.lastError) {
        this.opts.log.warn({ ...log, error: outcome.error, retryInS: delayS }, "GTFS-realtime feed poll failed");
      }
      slot.lastError = outcome.error;
      return;
    }
    if (slot.lastError) this.opts.log.info(log, "GTFS-realtime feed recovered");
    slot.failures = 0;
    slot.lastError = null;
    slot.nextAt = Math.max(startedAt + intervalS * 1000, Date.now() + this.tickMs);
  }
}
