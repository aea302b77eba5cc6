import { z } from "zod";

/**
 * GTFS-realtime VehiclePositions feeds a tenant polls as an ingest source (tel_gtfs_realtime_feeds).
 * Spec: https://gtfs.org/realtime/reference/ (FeedMessage → FeedEntity → VehiclePosition).
 */

/** Bounds of a feed's poll interval, seconds (GTFS-rt best practice: producers refresh at least every 30 s). */
export const GTFS_POLL_INTERVAL_MIN_S = 5;
export const GTFS_POLL_INTERVAL_MAX_S = 3600;
/** Most extra request headers a feed may carry. */
export const GTFS_MAX_HEADERS = 20;

/**
 * Headers the poller sets or the HTTP stack owns; a feed may not override them. Names are compared
 * case-insensitively (HTTP field names are, RFC 9110 §5.1).
 */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "proxy-authorization",
  "if-none-match",
  "if-modified-since",
]);

/** An RFC 9110 §5.6.2 token: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value without control characters (no CR/LF: no header injection). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Extra request headers, name → value (e.g. `{ "x-api-key": "…" }` some agencies require). */
export const ZGtfsFeedHeaders = z
  .record(
    z.string().trim().min(1).max(100).regex(HEADER_NAME, "a header name is letters, digits and !#$%&'*+.^_`|~-"),
    z.string().max(4000).regex(HEADER_VALUE, "a header value cannot contain line breaks or control characters"),
  )
  .refine((h) => Object.keys(h).length <= GTFS_MAX_HEADERS, `at most ${GTFS_MAX_HEADERS} headers`)
  .refine(
    (h) => Object.keys(h).every((name) => !RESERVED_HEADERS.has(name.toLowerCase())),
    `these headers are set by Fleetcore: ${[...RESERVED_HEADERS].join(", ")}`,
  );
export type GtfsFeedHeaders = z.infer<typeof ZGtfsFeedHeaders>;

/** The feed's address: http(s) only. */
export const ZGtfsFeedUrl = z
  .url({ protocol: /^https?$/, error: "an http:// or https:// URL" })
  .max(2000, "at most 2000 characters");

/** Prepended to each vehicle id to form the device unique id; same characters as a device unique id. */
export const ZGtfsDeviceIdPrefix = z
  .string()
  .trim()
  .max(40)
  .regex(/^[\w.:@-]*$/, "letters, digits and . _ : @ - only");

const feedFields = {
  name: z.string().trim().min(1).max(80),
  url: ZGtfsFeedUrl,
  /** Seconds between polls, 5–3600. */
  pollIntervalS: z.number().int().min(GTFS_POLL_INTERVAL_MIN_S).max(GTFS_POLL_INTERVAL_MAX_S),
  deviceIdPrefix: ZGtfsDeviceIdPrefix,
  headers: ZGtfsFeedHeaders,
  enabled: z.boolean(),
};

/** Input of `gtfsFeed.create` (the tenant is the caller's active tenant). */
export const ZCreateGtfsFeedRequest = z.object({
  name: feedFields.name,
  url: feedFields.url,
  pollIntervalS: feedFields.pollIntervalS.default(30),
  deviceIdPrefix: feedFields.deviceIdPrefix.default(""),
  headers: feedFields.headers.default({}),
  enabled: feedFields.enabled.default(true),
});
export type CreateGtfsFeedRequest = z.input<typeof ZCreateGtfsFeedRequest>;

/** Input of `gtfsFeed.update`: only the fields given change; `headers` replaces all headers. */
export const ZUpdateGtfsFeedRequest = z.object({
  id: z.uuid(),
  name: feedFields.name.optional(),
  url: feedFields.url.optional(),
  pollIntervalS: feedFields.pollIntervalS.optional(),
  deviceIdPrefix: feedFields.deviceIdPrefix.optional(),
  headers: feedFields.headers.optional(),
  enabled: feedFields.enabled.optional(),
});
export type UpdateGtfsFeedRequest = z.input<typeof ZUpdateGtfsFeedRequest>;

/**
 * A feed as the API returns it. Header values are never returned (they often hold API keys):
 * `headerNames` lists which are set.
 */
export const ZGtfsFeed = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  pollIntervalS: z.number().int(),
  deviceIdPrefix: z.string(),
  headerNames: z.array(z.string()),
  enabled: z.boolean(),
  /** Last poll attempt, successful or not. */
  lastPolledAt: z.date().nullable(),
  lastSuccessAt: z.date().nullable(),
  /** The feed header's own timestamp at the last successful poll. */
  lastFeedTime: z.date().nullable(),
  /** Why the last poll failed; null once a poll succeeds. */
  lastError: z.string().nullable(),
  /** Entities of the last poll that changed the data: stored, refused, from unregistered vehicles. */
  lastAccepted: z.number().int(),
  lastRejected: z.number().int(),
  lastUnknown: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type GtfsFeed = z.infer<typeof ZGtfsFeed>;

/** Input of `gtfsFeed.test`: a saved feed, or an address not saved yet (with its headers and prefix). */
export const ZTestGtfsFeedRequest = z.union([
  z.object({ id: z.uuid() }),
  z.object({
    url: ZGtfsFeedUrl,
    headers: ZGtfsFeedHeaders.default({}),
    deviceIdPrefix: ZGtfsDeviceIdPrefix.default(""),
  }),
]);
export type TestGtfsFeedRequest = z.input<typeof ZTestGtfsFeedRequest>;

/** What one test fetch found (nothing is stored). */
export const ZGtfsFeedTestResult = z.object({
  /** Why the fetch or decode failed; null when the feed was read. */
  error: z.string().nullable(),
  /** FeedHeader.timestamp; null when absent. */
  feedTime: z.date().nullable(),
  /** All entities of the message (trip updates and alerts included). */
  entities: z.number().int(),
  /** Entities with a usable vehicle position. */
  vehiclePositions: z.number().int(),
  /** Entities with a position Fleetcore would refuse (bad data, no timestamp, implausible). */
  rejected: z.number().int(),
  /** Positions whose device unique id is registered in this tenant. */
  matchedDevices: z.number().int(),
  /** The first device unique ids (prefix + vehicle id), to register or compare with the fleet. */
  sampleDeviceIds: z.array(z.string()),
  /** The first refusals: the entity id (undecodable data) or device unique id (implausible fix), and why. */
  sampleRejections: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type GtfsFeedTestResult = z.infer<typeof ZGtfsFeedTestResult>;
