/**
 * Product usage events (issue 8, "who used which feature, when"): the API layer hands each signed-in
 * person's successful procedure call and each page view of the web app to a {@link UsageSink}; the
 * server's sink is a {@link UsageRecorder}, which buffers them in memory and writes them in batches
 * to the `adm_product_usage_events` hypertable (one multi-row `INSERT … SELECT FROM unnest(…)` per
 * flush, system scope). Recording never waits for the database and never throws: usage is telemetry
 * about the product, so under pressure events are dropped (and counted) rather than slowing requests.
 */
import { type PrismaClient, withScope } from "@fleetcore/db";

/** One use of a feature by a person in a tenant. */
export interface UsageEvent {
  /** When it happened (the recorder's clock when recorded). */
  time: Date;
  tenantId: string;
  /** The person (adm_users.id); null for anonymous use (not recorded by the API today). */
  userId: string | null;
  /** A tRPC procedure path ("vehicle.list") or a page ("page:/vehicles/:id"), at most 200 characters. */
  feature: string;
  kind: "procedure" | "page";
}

/** Where the API layer reports usage. `record` must return at once and never throw. */
export interface UsageSink {
  /** @returns false when the event was not kept (buffer full, recorder stopped, or a no-op sink) */
  record(event: UsageEvent): boolean;
}

/** A sink that keeps nothing (tests and code paths without a recorder). */
export const NOOP_USAGE_SINK: UsageSink = { record: () => false };

/** Longest feature name stored; longer ones are cut (a page path is bounded by the API too). */
export const MAX_USAGE_FEATURE_LENGTH = 200;

/**
 * Writes usage events in one statement in the `system` scope (usage tables are provider-only under
 * RLS). Events with an empty feature are skipped. @returns the number of rows written
 * @throws what the database throws (the recorder counts the batch as failed)
 */
export async function insertUsageEvents(prisma: PrismaClient, events: readonly UsageEvent[]): Promise<number> {
  const rows = events.filter((e) => e.feature.length > 0);
  if (rows.length === 0) return 0;
  return withScope(prisma, { kind: "system" }, (db) =>
    db.$executeRawUnsafe(
      `INSERT INTO adm_product_usage_events (time, tenant_id, user_id, feature, kind)
       SELECT * FROM unnest($1::timestamptz[], $2::uuid[], $3::uuid[], $4::text[], $5::text[])`,
      rows.map((e) => e.time),
      rows.map((e) => e.tenantId),
      rows.map((e) => e.userId),
      rows.map((e) => e.feature.slice(0, MAX_USAGE_FEATURE_LENGTH)),
      rows.map((e) => e.kind),
    ),
  );
}

/** Counters of a {@link UsageRecorder} since it was made. */
export interface UsageRecorderStats {
  /** Events accepted into the buffer. */
  recorded: number;
  /** Events refused because the buffer was full or the recorder stopped. */
  dropped: number;
  /** Events written to the database. */
  written: number;
  /** Events lost with a failed write. */
  failed: number;
  /** Events waiting in the buffer now. */
  buffered: number;
}

/** Tuning of a {@link UsageRecorder}; every field has a default. */
export interface UsageRecorderOptions {
  /** Flush at least this often, ms (default 5,000). */
  flushIntervalMs?: number;
  /** Flush as soon as this many events wait (default 500); also the most rows per INSERT. */
  batchSize?: number;
  /** Most events held in memory (default 20,000); beyond it new events are dropped and counted. */
  maxBuffered?: number;
  /** Called with the error of a failed write (the batch is dropped, not retried). */
  onError?: (err: unknown, lost: number) => void;
}

/**
 * Buffers usage events and writes them in batches, off the request path:
 * - `record` appends to an in-memory array (O(1)); when `batchSize` events wait, a flush is started
 *   on the next tick, not awaited by the caller;
 * - a timer flushes every `flushIntervalMs` (started by {@link start}, unref'd so it never keeps the
 *   process alive);
 * - one flush at a time, each writing up to `batchSize` events per INSERT until the buffer is empty;
 * - the buffer is bounded (`maxBuffered`): when the database is slow or down, new events are dropped
 *   and counted in `stats.dropped`; a failed write drops its batch (counted in `stats.failed`,
 *   reported to `onError`) — a poisoned batch must not be retried forever;
 * - {@link stop} stops the timer, refuses new events and flushes what is left (server shutdown).
 */
export class UsageRecorder implements UsageSink {
  private buffer: UsageEvent[] = [];
  private flushing: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private readonly counters = { recorded: 0, dropped: 0, written: 0, failed: 0 };
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;

  /**
   * @param write stores one batch (the server passes `(events) => insertUsageEvents(prisma, events)`)
   */
  constructor(
    private readonly write: (events: readonly UsageEvent[]) => Promise<unknown>,
    private readonly options: UsageRecorderOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 5_000;
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.maxBuffered = Math.max(this.batchSize, options.maxBuffered ?? 20_000);
  }

  /** A recorder writing to `prisma` with {@link insertUsageEvents}. */
  static forPrisma(prisma: PrismaClient, options: UsageRecorderOptions = {}): UsageRecorder {
    return new UsageRecorder((events) => insertUsageEvents(prisma, events), options);
  }

  /** Keeps `event` for the next flush. @returns false when dropped (buffer full or stopped) */
  record(event: UsageEvent): boolean {
    if (this.stopped || this.buffer.length >= this.maxBuffered) {
      this.counters.dropped++;
      return false;
    }
    this.buffer.push(event);
    this.counters.recorded++;
    if (this.buffer.length >= this.batchSize && !this.flushing) setImmediate(() => void this.flush());
    return true;
  }

  /** Starts the periodic flush. Idempotent. */
  start(): this {
    if (!this.timer && !this.stopped) {
      this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
    return this;
  }

  /**
   * Writes everything buffered now (waits for a flush already running, then drains). Never throws.
   * @returns once the buffer is empty or every remaining batch was attempted
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  /** Stops the timer, refuses further events and flushes the rest (call once on shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Counters since construction, and the current buffer length. */
  get stats(): UsageRecorderStats {
    return { ...this.counters, buffered: this.buffer.length };
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.batchSize);
      try {
        await this.write(batch);
        this.counters.written += batch.length;
      } catch (err) {
        this.counters.failed += batch.length;
        this.options.onError?.(err, batch.length);
      }
    }
  }
}

const UUID_SEGMENT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER_SEGMENT = /^\d+$/;
const TOKEN_SEGMENT = /^[A-Za-z0-9_-]{24,}$/;

/**
 * The feature name of a page view: `page:` + the path without query string or fragment, with ids
 * replaced by `:id` (UUIDs, numbers, long tokens), so "/vehicles/3f0c…/history?from=…" and every
 * other vehicle's history page count as one feature ("page:/vehicles/:id/history") and no identifier
 * or secret from a URL is stored. Trailing slashes go; the result is at most
 * {@link MAX_USAGE_FEATURE_LENGTH} characters.
 * @param path a path starting with "/" (anything else becomes "/")
 */
export function pageFeature(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? "";
  if (!bare.startsWith("/")) return "page:/";
  const segments = bare
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => (UUID_SEGMENT.test(s) || NUMBER_SEGMENT.test(s) || TOKEN_SEGMENT.test(s) ? ":id" : s));
  return `page:/${segments.join("/")}`.slice(0, MAX_USAGE_FEATURE_LENGTH);
}
