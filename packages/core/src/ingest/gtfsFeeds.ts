/**
 * GTFS-realtime feeds as a tenant's ingest source (tel_gtfs_realtime_feeds): registering them
 * (audited, tenant-scoped), a one-off test fetch, and one poll of one feed through the same
 * IngestService as every other source — devices restricted to the feed's tenant, unknown vehicles
 * recorded for it with protocol "gtfs-rt". Scheduling the polls is the server's job
 * (apps/server/src/gtfs.ts); decoding and fetching are in gtfsRealtime.ts.
 */
import { type Db, type PgPool, withPgScope } from "@fleetcore/db";
import {
  type CreateGtfsFeedRequest,
  type GtfsFeed,
  type GtfsFeedTestResult,
  type TestGtfsFeedRequest,
  type UpdateGtfsFeedRequest,
  ZCreateGtfsFeedRequest,
  ZGtfsFeedHeaders,
  ZTestGtfsFeedRequest,
  ZUpdateGtfsFeedRequest,
} from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError } from "../errors";
import {
  decodeGtfsRealtimeVehiclePositions,
  fetchGtfsRealtimeFeed,
  GtfsFeedFetchError,
  type GtfsRealtimeDecoded,
} from "./gtfsRealtime";
import type { IngestService } from "./service";
import { BackpressureError } from "./store";
import { DecodeError } from "./types";
import { rejectionReason } from "./validate";

/** The protocol name GTFS-rt positions and unknown devices are recorded with. */
export const GTFS_RT_PROTOCOL = "gtfs-rt";
/** Most feeds one tenant may register (each is polled as often as every 5 s). */
export const MAX_GTFS_FEEDS_PER_TENANT = 20;
/** How many device ids and refusals `gtfsFeed.test` shows. */
const TEST_SAMPLE_SIZE = 10;

type FeedRow = Awaited<ReturnType<Db["gtfsRealtimeFeed"]["findFirstOrThrow"]>>;

/** Stored headers, tolerating a row written by hand: anything not a string map reads as none. */
function storedHeaders(json: unknown): Record<string, string> {
  const parsed = ZGtfsFeedHeaders.safeParse(json);
  return parsed.success ? parsed.data : {};
}

function toFeed(r: FeedRow): GtfsFeed {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    pollIntervalS: r.pollIntervalS,
    deviceIdPrefix: r.deviceIdPrefix,
    headerNames: Object.keys(storedHeaders(r.headers)).sort(),
    enabled: r.enabled,
    lastPolledAt: r.lastPolledAt,
    lastSuccessAt: r.lastSuccessAt,
    lastFeedTime: r.lastFeedTime,
    lastError: r.lastError,
    lastAccepted: r.lastAccepted,
    lastRejected: r.lastRejected,
    lastUnknown: r.lastUnknown,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/**
 * What the audit log keeps of a feed: header names but never their values, and the URL without its
 * query values (agencies often put the API key there).
 */
function auditSnapshot(r: FeedRow): Record<string, unknown> {
  const url = new URL(r.url);
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, "…");
  return {
    name: r.name,
    url: url.toString(),
    pollIntervalS: r.pollIntervalS,
    deviceIdPrefix: r.deviceIdPrefix,
    headerNames: Object.keys(storedHeaders(r.headers)).sort(),
    enabled: r.enabled,
  };
}

async function findFeed(db: Db, tenantId: string, id: string): Promise<FeedRow> {
  const row = await db.gtfsRealtimeFeed.findFirst({ where: { id, tenantId, deletedAt: null } });
  if (!row) throw new DomainError("not_found", "GTFS-realtime feed not found");
  return row;
}

/** The tenant's feeds (not deleted), by name, with their last poll's status. */
export async function listGtfsFeeds(db: Db, tenantId: string): Promise<GtfsFeed[]> {
  const rows = await db.gtfsRealtimeFeed.findMany({
    where: { tenantId, deletedAt: null },
    orderBy: [{ name: "asc" }, { createdAt: "asc" }],
  });
  return rows.map(toFeed);
}

/**
 * Registers a feed (audited). The poller picks it up after commit ({@link notifyGtfsFeedsChanged}).
 * @throws DomainError invalid (input, or the tenant already has MAX_GTFS_FEEDS_PER_TENANT feeds)
 */
export async function createGtfsFeed(tx: Tx, tenantId: string, input: CreateGtfsFeedRequest): Promise<GtfsFeed> {
  const data = ZCreateGtfsFeedRequest.parse(input);
  const count = await tx.db.gtfsRealtimeFeed.count({ where: { tenantId, deletedAt: null } });
  if (count >= MAX_GTFS_FEEDS_PER_TENANT) {
    throw new DomainError("invalid", `a tenant may register at most ${MAX_GTFS_FEEDS_PER_TENANT} feeds`);
  }
  const row = await tx.db.gtfsRealtimeFeed.create({
    data: { ...data, tenantId, createdByUserId: tx.audit.actor.userId },
  });
  await tx.audit.record({
    tenantId,
    entityType: "gtfs_feed",
    entityId: row.id,
    action: "gtfs_feed.created",
    after: auditSnapshot(row),
  });
  return toFeed(row);
}

/**
 * Changes the fields given (audited); `headers`, when given, replaces them all. Editing the URL or
 * headers makes the poller start afresh (no conditional GET with the old validators).
 * @throws DomainError not_found (unknown, deleted, or another tenant's)
 */
export async function updateGtfsFeed(tx: Tx, tenantId: string, input: UpdateGtfsFeedRequest): Promise<GtfsFeed> {
  const { id, ...changes } = ZUpdateGtfsFeedRequest.parse(input);
  const before = await findFeed(tx.db, tenantId, id);
  const row = await tx.db.gtfsRealtimeFeed.update({ where: { id: before.id }, data: changes });
  await tx.audit.record({
    tenantId,
    entityType: "gtfs_feed",
    entityId: id,
    action: "gtfs_feed.updated",
    before: auditSnapshot(before),
    after: auditSnapshot(row),
  });
  return toFeed(row);
}

/** Soft-deletes a feed (audited); the poller drops it. @throws DomainError not_found */
export async function deleteGtfsFeed(tx: Tx, tenantId: string, id: string): Promise<void> {
  const before = await findFeed(tx.db, tenantId, id);
  await tx.db.gtfsRealtimeFeed.update({ where: { id: before.id }, data: { deletedAt: new Date(), enabled: false } });
  await tx.audit.record({
    tenantId,
    entityType: "gtfs_feed",
    entityId: id,
    action: "gtfs_feed.deleted",
    before: auditSnapshot(before),
  });
}

/**
 * Fetches a feed once and reports what Fleetcore would make of it, storing nothing: entity counts,
 * the first device unique ids, how many are registered in this tenant, and why entities would be
 * refused (decoding, then the same plausibility checks as ingest). A fetch or decode failure is
 * returned in `error`, not thrown.
 * @param input a saved feed's id (its URL, headers and prefix), or an unsaved URL with headers and prefix
 * @throws DomainError not_found for an id that is not one of the tenant's feeds
 */
export async function testGtfsFeed(db: Db, tenantId: string, input: TestGtfsFeedRequest): Promise<GtfsFeedTestResult> {
  const request = ZTestGtfsFeedRequest.parse(input);
  const target =
    "id" in request
      ? await findFeed(db, tenantId, request.id).then((r) => ({
          url: r.url,
          headers: storedHeaders(r.headers),
          deviceIdPrefix: r.deviceIdPrefix,
        }))
      : request;
  const result: GtfsFeedTestResult = {
    error: null,
    feedTime: null,
    entities: 0,
    vehiclePositions: 0,
    rejected: 0,
    matchedDevices: 0,
    sampleDeviceIds: [],
    sampleRejections: [],
  };
  let decoded: GtfsRealtimeDecoded;
  try {
    const fetched = await fetchGtfsRealtimeFeed(target.url, { headers: target.headers });
    if (fetched.status !== "ok") throw new GtfsFeedFetchError("HTTP 304 to an unconditional request");
    decoded = decodeGtfsRealtimeVehiclePositions(fetched.bytes, { deviceIdPrefix: target.deviceIdPrefix });
  } catch (err) {
    if (err instanceof GtfsFeedFetchError || err instanceof DecodeError) return { ...result, error: err.message };
    throw err;
  }
  const now = new Date();
  const rejections = decoded.rejected.map((r) => ({ id: r.entityId, reason: r.reason }));
  const usable = decoded.positions.filter((fix) => {
    const reason = rejectionReason(fix, now);
    if (reason) rejections.push({ id: fix.uniqueId, reason });
    return !reason;
  });
  const ids = [...new Set(usable.map((f) => f.uniqueId))];
  const matchedDevices =
    ids.length === 0 ? 0 : await db.device.count({ where: { tenantId, deletedAt: null, uniqueId: { in: ids } } });
  return {
    error: null,
    feedTime: decoded.feedTime,
    entities: decoded.entityCount,
    vehiclePositions: decoded.positions.length,
    rejected: rejections.length,
    matchedDevices,
    sampleDeviceIds: ids.slice(0, TEST_SAMPLE_SIZE),
    sampleRejections: rejections.slice(0, TEST_SAMPLE_SIZE),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Change notification (in-process): the API announces edits so the poller reloads at once instead of
// at its next periodic reload.

const feedListeners = new Set<() => void>();

/** Calls `listener` whenever a feed is created, edited or deleted in this process; returns the unsubscribe. */
export function onGtfsFeedsChanged(listener: () => void): () => void {
  feedListeners.add(listener);
  return () => feedListeners.delete(listener);
}

/** Announces that feeds changed (call after the change committed). Listener errors are ignored. */
export function notifyGtfsFeedsChanged(): void {
  for (const listener of feedListeners) {
    try {
      listener();
    } catch {
      // A listener's failure must not fail the mutation that already committed.
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Polling

/** What the poller needs of a feed. */
export interface GtfsFeedConfig {
  id: string;
  tenantId: string;
  name: string;
  url: string;
  /** Seconds. */
  pollIntervalS: number;
  deviceIdPrefix: string;
  headers: Record<string, string>;
  /** The header timestamp stored at the last successful poll. */
  lastFeedTime: Date | null;
}

/**
 * Enabled, not deleted feeds of tenants whose positions are accepted (trial or active; a suspended
 * or closed tenant's feed is not fetched). Runs in the system scope: the poller serves every tenant.
 */
export async function loadEnabledGtfsFeeds(pool: PgPool): Promise<GtfsFeedConfig[]> {
  return withPgScope(pool, { kind: "system" }, async (client) => {
    const { rows } = await client.query<{
      id: string;
      tenant_id: string;
      name: string;
      url: string;
      poll_interval_s: number;
      device_id_prefix: string;
      headers: unknown;
      last_feed_time: Date | null;
    }>(
      `SELECT f.id, f.tenant_id, f.name, f.url, f.poll_interval_s, f.device_id_prefix, f.headers, f.last_feed_time
         FROM tel_gtfs_realtime_feeds f JOIN adm_tenants t ON t.id = f.tenant_id
        WHERE f.enabled AND f.deleted_at IS NULL AND t.deleted_at IS NULL AND t.status IN ('trial', 'active')
        ORDER BY f.id`,
    );
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      name: r.name,
      url: r.url,
      pollIntervalS: r.poll_interval_s,
      deviceIdPrefix: r.device_id_prefix,
      headers: storedHeaders(r.headers),
      lastFeedTime: r.last_feed_time,
    }));
  });
}

/** What the poller remembers of a feed between polls (in memory). */
export interface GtfsPollState {
  /** Validators of the last stored response, for a conditional GET. */
  etag: string | null;
  lastModified: string | null;
  /** Newest header timestamp stored. */
  lastFeedTime: Date | null;
}

/** The result of one poll. */
export interface GtfsPollOutcome {
  /** `stored`: positions ingested; `unchanged`: HTTP 304 or the header timestamp did not advance. */
  status: "stored" | "unchanged" | "failed";
  feedTime: Date | null;
  /** Entities stored (or already stored: a re-sent fix is a no-op). */
  accepted: number;
  /** Entities refused: bad data, implausible, inactive device, suspended tenant. */
  rejected: number;
  /** Entities whose vehicle is not a device of the feed's tenant. */
  unknown: number;
  error: string | null;
  /** When the feed asked to be left alone (Retry-After), seconds. */
  retryAfterS: number | null;
}

/** IngestService's reason for a device that is not registered (in the source's tenant). */
const UNKNOWN_DEVICE = /^unknown device /;

/**
 * Polls one feed: conditional fetch, decode, skip if the header timestamp did not advance, ingest
 * through `ingest` restricted to the feed's tenant (`protocol: "gtfs-rt"`). Updates `state` only
 * after the positions are committed, so a failed write is fetched again next time.
 * Never throws for a feed's own failures (network, HTTP status, size, bad protobuf, full write
 * queue): they come back as `status: "failed"` with the reason.
 */
export async function pollGtfsRealtimeFeed(
  ingest: IngestService,
  feed: GtfsFeedConfig,
  state: GtfsPollState,
  opts: { signal?: AbortSignal; timeoutMs?: number; maxBytes?: number } = {},
): Promise<GtfsPollOutcome> {
  const outcome = (o: Partial<GtfsPollOutcome> & Pick<GtfsPollOutcome, "status">): GtfsPollOutcome => ({
    feedTime: null,
    accepted: 0,
    rejected: 0,
    unknown: 0,
    error: null,
    retryAfterS: null,
    ...o,
  });
  try {
    const fetched = await fetchGtfsRealtimeFeed(feed.url, {
      headers: feed.headers,
      etag: state.etag,
      lastModified: state.lastModified,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      maxBytes: opts.maxBytes,
    });
    if (fetched.status === "not_modified") return outcome({ status: "unchanged", feedTime: state.lastFeedTime });
    const decoded = decodeGtfsRealtimeVehiclePositions(fetched.bytes, { deviceIdPrefix: feed.deviceIdPrefix });
    const last = state.lastFeedTime ?? feed.lastFeedTime;
    if (decoded.feedTime && last && decoded.feedTime.getTime() <= last.getTime()) {
      return outcome({ status: "unchanged", feedTime: decoded.feedTime });
    }
    const result = await ingest.ingest(decoded.positions, { protocol: GTFS_RT_PROTOCOL, tenantId: feed.tenantId });
    const unknown = result.rejected.filter((r) => UNKNOWN_DEVICE.test(r.reason)).length;
    state.etag = fetched.etag;
    state.lastModified = fetched.lastModified;
    if (decoded.feedTime) state.lastFeedTime = decoded.feedTime;
    return outcome({
      status: "stored",
      feedTime: decoded.feedTime,
      accepted: decoded.positions.length - result.rejected.length,
      rejected: decoded.rejected.length + result.rejected.length - unknown,
      unknown,
    });
  } catch (err) {
    if (err instanceof GtfsFeedFetchError) {
      return outcome({ status: "failed", error: err.message, retryAfterS: err.retryAfterS });
    }
    if (err instanceof BackpressureError) {
      return outcome({ status: "failed", error: err.message, retryAfterS: err.retryAfterS });
    }
    if (err instanceof DecodeError) return outcome({ status: "failed", error: err.message });
    return outcome({ status: "failed", error: `internal error: ${err instanceof Error ? err.message : String(err)}` });
  }
}

/**
 * Stores a poll's outcome on the feed row: always `last_polled_at`; on success `last_success_at`,
 * `last_error` cleared, `last_feed_time`, and (when positions were ingested) the counts; on failure
 * `last_error` (at most 500 characters). A feed deleted meanwhile is left alone.
 */
export async function recordGtfsFeedPoll(
  pool: PgPool,
  feedId: string,
  outcome: GtfsPollOutcome,
  at: Date = new Date(),
): Promise<void> {
  const ok = outcome.status !== "failed";
  const stored = outcome.status === "stored";
  await withPgScope(pool, { kind: "system" }, (client) =>
    client.query(
      `UPDATE tel_gtfs_realtime_feeds SET
         last_polled_at = $2,
         last_success_at = CASE WHEN $3 THEN $2 ELSE last_success_at END,
         last_error = CASE WHEN $3 THEN NULL ELSE $4 END,
         last_feed_time = CASE WHEN $3 THEN coalesce($5, last_feed_time) ELSE last_feed_time END,
         last_accepted = CASE WHEN $6 THEN $7 ELSE last_accepted END,
         last_rejected = CASE WHEN $6 THEN $8 ELSE last_rejected END,
         last_unknown = CASE WHEN $6 THEN $9 ELSE last_unknown END
       WHERE id = $1 AND deleted_at IS NULL`,
      [
        feedId,
        at,
        ok,
        outcome.error?.slice(0, 500) ?? null,
        outcome.feedTime,
        stored,
        outcome.accepted,
        outcome.rejected,
        outcome.unknown,
      ],
    ),
  );
}
