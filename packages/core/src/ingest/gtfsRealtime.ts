/**
 * GTFS-realtime VehiclePositions: decoding a FeedMessage (protocol buffers, proto2) into Fleetcore
 * positions, and fetching one over HTTP as the spec's consumers do.
 *
 * Format: the GTFS Realtime reference, https://gtfs.org/realtime/reference/ (messages FeedMessage,
 * FeedHeader, FeedEntity, VehiclePosition, Position, VehicleDescriptor, TripDescriptor) and its
 * best practices, https://gtfs.org/realtime/best-practices/ (persistent VehicleDescriptor.id,
 * `If-Modified-Since`). Decoding uses MobilityData's generated bindings (`gtfs-realtime-bindings`,
 * protobuf.js); this module only maps fields and checks values.
 *
 * No database here: feeds, polling state and storage are in gtfsFeeds.ts and the IngestService.
 */

import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import gtfsRealtimeBindings from "gtfs-realtime-bindings";
import protobuf from "protobufjs/minimal.js";
import { type DecodedPosition, DecodeError, MPS_TO_KPH } from "./types";
import { normaliseHeading } from "./validate";

const { transit_realtime: rt } = gtfsRealtimeBindings;

/** A GTFS-rt vehicle position, decoded: the fix plus where it came from in the message. */
export interface GtfsRealtimeDecoded {
  /** FeedHeader.gtfs_realtime_version, e.g. "2.0". */
  version: string;
  /** FeedHeader.incrementality (FULL_DATASET unless the producer says DIFFERENTIAL). */
  incrementality: "FULL_DATASET" | "DIFFERENTIAL";
  /** FeedHeader.timestamp (POSIX seconds) as a date; null when absent or 0. */
  feedTime: Date | null;
  /** Every FeedEntity of the message, whatever it carries. */
  entityCount: number;
  /** One fix per entity with a vehicle position, in message order. */
  positions: DecodedPosition[];
  /** Entities with a vehicle position Fleetcore cannot use, with the reason. */
  rejected: { entityId: string; reason: string }[];
  /** Entities without a vehicle position (trip updates, alerts, deletions), skipped silently. */
  skipped: number;
}

/** Decoding options. */
export interface GtfsRealtimeDecodeOptions {
  /** Prepended to each vehicle id to form the device unique id (e.g. "capmetro-"). Default "". */
  deviceIdPrefix?: string;
}

/** protobuf.js `toObject` options: only fields present on the wire (proto2 presence), uint64 as number, enums by name. */
const PLAIN = { longs: Number, enums: String, defaults: false, arrays: false } as const;

/** Field numbers of FeedMessage (gtfs-realtime.proto): `header = 1`, `entity = 2`. */
const FEED_HEADER_FIELD = 1;
const FEED_ENTITY_FIELD = 2;
const WIRE_LENGTH_DELIMITED = 2;

/**
 * Decodes a GTFS-realtime FeedMessage and maps its VehiclePosition entities to positions.
 *
 * Mapping (https://gtfs.org/realtime/reference/#message-vehicleposition):
 * - device unique id = `deviceIdPrefix` + `vehicle.vehicle.id` (VehicleDescriptor.id, "internal system
 *   identification of the vehicle", kept stable across feed iterations per the best practices),
 *   falling back to `FeedEntity.id` when the descriptor has no id.
 * - `position.latitude` / `longitude` (WGS 84 degrees, float) → latitude / longitude.
 * - `position.speed` (m/s, float) → `speedKph` (× 3.6); `position.bearing` (degrees clockwise from true
 *   north) → `headingDeg`, normalised into [0, 360).
 * - `vehicle.timestamp` (POSIX seconds, uint64) → fix time; absent or 0 → `FeedHeader.timestamp`.
 * - attributes: `tripId`, `routeId`, `directionId`, `startDate`, `startTime`, `scheduleRelationship`
 *   (TripDescriptor); `currentStatus`, `stopId`, `currentStopSequence`, `congestionLevel`,
 *   `occupancyStatus`, `occupancyPercentage` (enum values by their spec names, e.g. "IN_TRANSIT_TO");
 *   `odometerM` (Position.odometer, metres); `vehicleLabel`, `licensePlate` (VehicleDescriptor).
 *   Only fields present in the message are set.
 * Float fields are read as the shortest decimal that is the same 32-bit float, so a producer's
 * 30.421946 stays 30.421946 (not 30.421945571899414).
 *
 * Skipped without error: entities marked `is_deleted`, and entities without `vehicle.position`
 * (TripUpdates, Alerts, a VehiclePosition with only a stop status). Rejected with a reason (the
 * rest of the message is used): an entity that does not decode (e.g. a Position without its
 * required latitude), no vehicle id, a non-finite or out-of-range coordinate, a negative or
 * non-finite speed, a non-finite bearing, no timestamp at all. Plausibility (future fixes, speed
 * limits, 0,0) is the IngestService's job, as for every source.
 *
 * @param bytes the HTTP response body (`application/x-protobuf`)
 * @throws DecodeError when `bytes` is not a FeedMessage (malformed protobuf, no FeedHeader, a
 *   FeedHeader without its required `gtfs_realtime_version`)
 */
export function decodeGtfsRealtimeVehiclePositions(
  bytes: Uint8Array,
  opts: GtfsRealtimeDecodeOptions = {},
): GtfsRealtimeDecoded {
  const prefix = opts.deviceIdPrefix ?? "";
  let header: ReturnType<typeof plainHeader> | null = null;
  const out: GtfsRealtimeDecoded = {
    version: "",
    incrementality: "FULL_DATASET",
    feedTime: null,
    entityCount: 0,
    positions: [],
    rejected: [],
    skipped: 0,
  };
  // Entities are decoded one by one so that one bad entity (a proto2 required field missing, a
  // truncated sub-message) costs that entity, not the whole feed.
  const entities: Array<{ index: number; value: unknown } | { index: number; error: string; id: string | null }> = [];
  const reader = protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === FEED_HEADER_FIELD && wireType === WIRE_LENGTH_DELIMITED) {
        header = plainHeader(rt.FeedHeader.decode(reader, reader.uint32()));
      } else if (field === FEED_ENTITY_FIELD && wireType === WIRE_LENGTH_DELIMITED) {
        const length = reader.uint32();
        const end = reader.pos + length;
        if (end > reader.len) throw new RangeError("entity runs past the end of the message");
        const index = out.entityCount++;
        const start = reader.pos;
        try {
          entities.push({ index, value: rt.FeedEntity.toObject(rt.FeedEntity.decode(reader, length), PLAIN) });
        } catch (err) {
          entities.push({ index, error: protobufMessage(err), id: entityIdOf(bytes.subarray(start, end)) });
        }
        reader.pos = end;
      } else {
        reader.skipType(wireType);
      }
    }
  } catch (err) {
    throw new DecodeError(`not a GTFS-realtime FeedMessage: ${protobufMessage(err)}`);
  }
  if (!header) throw new DecodeError("not a GTFS-realtime FeedMessage: no FeedHeader");
  out.version = header.version;
  out.incrementality = header.incrementality;
  out.feedTime = header.feedTime;

  for (const entity of entities) {
    if ("error" in entity) {
      out.rejected.push({ entityId: entity.id ?? `#${entity.index}`, reason: `undecodable entity: ${entity.error}` });
      continue;
    }
    const e = entity.value as PlainEntity;
    const entityId = typeof e.id === "string" && e.id !== "" ? e.id : `#${entity.index}`;
    if (e.isDeleted === true || !e.vehicle?.position) {
      out.skipped++;
      continue;
    }
    try {
      out.positions.push(vehiclePosition(e.vehicle, e.id ?? "", prefix, out.feedTime));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      out.rejected.push({ entityId, reason: err.message });
    }
  }
  return out;
}

/** The FeedHeader fields Fleetcore uses. */
function plainHeader(h: InstanceType<typeof rt.FeedHeader>) {
  const p = rt.FeedHeader.toObject(h, PLAIN) as {
    gtfsRealtimeVersion?: string;
    incrementality?: string;
    timestamp?: number;
  };
  return {
    version: p.gtfsRealtimeVersion ?? "",
    incrementality: p.incrementality === "DIFFERENTIAL" ? ("DIFFERENTIAL" as const) : ("FULL_DATASET" as const),
    feedTime: posixSeconds(p.timestamp),
  };
}

/** A FeedEntity as protobuf.js `toObject` gives it with {@link PLAIN}: only fields present. */
interface PlainEntity {
  id?: string;
  isDeleted?: boolean;
  vehicle?: PlainVehiclePosition;
}
interface PlainVehiclePosition {
  trip?: {
    tripId?: string;
    routeId?: string;
    directionId?: number;
    startTime?: string;
    startDate?: string;
    scheduleRelationship?: string;
  };
  vehicle?: { id?: string; label?: string; licensePlate?: string };
  position?: { latitude?: number; longitude?: number; bearing?: number; odometer?: number; speed?: number };
  currentStopSequence?: number;
  stopId?: string;
  currentStatus?: string;
  timestamp?: number;
  congestionLevel?: string;
  occupancyStatus?: string;
  occupancyPercentage?: number;
}

function vehiclePosition(
  v: PlainVehiclePosition,
  entityId: string,
  prefix: string,
  feedTime: Date | null,
): DecodedPosition {
  const vehicleId = (v.vehicle?.id ?? "").trim() || entityId.trim();
  if (!vehicleId) throw new DecodeError("no vehicle id (vehicle.vehicle.id nor the entity id)");
  const p = v.position ?? {};
  const latitude = float32(p.latitude);
  const longitude = float32(p.longitude);
  if (latitude === null || latitude < -90 || latitude > 90) {
    throw new DecodeError(`position.latitude ${p.latitude} is not a latitude`);
  }
  if (longitude === null || longitude < -180 || longitude > 180) {
    throw new DecodeError(`position.longitude ${p.longitude} is not a longitude`);
  }
  let speedKph: number | null = null;
  if (p.speed !== undefined) {
    const mps = float32(p.speed);
    if (mps === null || mps < 0) throw new DecodeError(`position.speed ${p.speed} is not a speed in m/s`);
    speedKph = mps * MPS_TO_KPH;
  }
  let headingDeg: number | null = null;
  if (p.bearing !== undefined) {
    const bearing = float32(p.bearing);
    if (bearing === null) throw new DecodeError(`position.bearing ${p.bearing} is not a number`);
    headingDeg = normaliseHeading(bearing);
  }
  const time = posixSeconds(v.timestamp) ?? feedTime;
  if (!time) throw new DecodeError("no timestamp (neither vehicle.timestamp nor header.timestamp)");

  const attributes: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== "") attributes[key] = value;
  };
  set("tripId", v.trip?.tripId);
  set("routeId", v.trip?.routeId);
  set("directionId", v.trip?.directionId);
  set("startDate", v.trip?.startDate);
  set("startTime", v.trip?.startTime);
  set("scheduleRelationship", v.trip?.scheduleRelationship);
  set("currentStatus", v.currentStatus);
  set("stopId", v.stopId);
  set("currentStopSequence", v.currentStopSequence);
  set("congestionLevel", v.congestionLevel);
  set("occupancyStatus", v.occupancyStatus);
  set("occupancyPercentage", v.occupancyPercentage);
  if (p.odometer !== undefined && Number.isFinite(p.odometer)) set("odometerM", p.odometer);
  set("vehicleLabel", v.vehicle?.label);
  set("licensePlate", v.vehicle?.licensePlate);

  return {
    uniqueId: `${prefix}${vehicleId}`,
    time,
    latitude,
    longitude,
    speedKph,
    headingDeg,
    altitudeM: null,
    accuracyM: null,
    valid: null,
    attributes,
  };
}

/** POSIX seconds (uint64 read as a number) → Date; null for absent, 0 or an unrepresentable value. */
function posixSeconds(s: number | undefined): Date | null {
  if (s === undefined || !Number.isFinite(s) || s <= 0) return null;
  const date = new Date(s * 1000);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A protobuf `float` as the shortest decimal that rounds to the same 32-bit float (what the producer
 * most likely wrote); null when absent, NaN or infinite.
 */
function float32(x: number | undefined): number | null {
  if (x === undefined || !Number.isFinite(x)) return null;
  for (let digits = 6; digits <= 9; digits++) {
    const shortest = Number(x.toPrecision(digits));
    if (Math.fround(shortest) === Math.fround(x)) return shortest;
  }
  return x;
}

function protobufMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** FeedEntity.id (field 1) read straight from an entity that does not decode as a whole, or null. */
function entityIdOf(entity: Uint8Array): string | null {
  try {
    const reader = protobuf.Reader.create(entity);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag === ((1 << 3) | WIRE_LENGTH_DELIMITED)) return reader.string() || null;
      reader.skipType(tag & 7);
    }
  } catch {
    // Too broken to say: the caller names the entity by its index.
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Fetching

/** A feed could not be fetched; `retryAfterS` when the server said when to come back (429/503). */
export class GtfsFeedFetchError extends Error {
  constructor(
    message: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
    this.name = "GtfsFeedFetchError";
  }
}

/** What one fetch returned. */
export type GtfsFeedFetchResult =
  | { status: "not_modified" }
  | { status: "ok"; bytes: Uint8Array; etag: string | null; lastModified: string | null };

/** Fetch options; validators (packages/validators/src/gtfs.ts) bound the headers. */
export interface GtfsFeedFetchOptions {
  /** The feed's own request headers (API keys…). */
  headers?: Record<string, string>;
  /** Conditional GET: the ETag / Last-Modified of the previous 200 (best practices: If-Modified-Since). */
  etag?: string | null;
  lastModified?: string | null;
  /** Whole request, redirects included. Default 15 s. */
  timeoutMs?: number;
  /** Largest body accepted, bytes after content decoding. Default 20 MB. */
  maxBytes?: number;
  /** Aborts the request (the poller stopping). */
  signal?: AbortSignal;
}

/** Default limit of one fetch, redirects included, ms. */
export const GTFS_FETCH_TIMEOUT_MS = 15_000;
/** Default largest feed body, bytes (large agencies publish a few MB). */
export const GTFS_MAX_FEED_BYTES = 20 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/**
 * Loopback, private, link-local, carrier-grade NAT, multicast and reserved ranges: a tenant's feed
 * URL must not reach the platform's own network (SSRF), unless {@link configureGtfsFeedFetch}
 * allows it (development, tests, an on-premises producer).
 */
const PRIVATE_NETWORKS = (() => {
  const list = new BlockList();
  for (const [net, bits] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["224.0.0.0", 3],
  ] as const) {
    list.addSubnet(net, bits, "ipv4");
  }
  for (const [net, bits] of [
    ["::", 127],
    ["fc00::", 7],
    ["fe80::", 10],
    ["ff00::", 8],
    ["64:ff9b::", 96],
  ] as const) {
    list.addSubnet(net, bits, "ipv6");
  }
  return list;
})();

let allowPrivateNetworks = false;

/**
 * Process-wide fetch policy, set once at start-up from the environment. By default feed URLs that
 * resolve to loopback or private addresses are refused.
 */
export function configureGtfsFeedFetch(opts: { allowPrivateNetworks: boolean }): void {
  allowPrivateNetworks = opts.allowPrivateNetworks;
}

/**
 * Refuses a URL whose host is, or resolves to, a non-public address (see {@link PRIVATE_NETWORKS}).
 * The check is on the DNS answer before connecting, so a host that changes its answer between the
 * check and the request (DNS rebinding) is not caught; redirects are checked hop by hop.
 */
async function assertPublicAddress(url: URL): Promise<void> {
  if (allowPrivateNetworks) return;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (err) {
      throw new GtfsFeedFetchError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  for (const { address, family } of addresses) {
    if (PRIVATE_NETWORKS.check(address, family === 6 ? "ipv6" : "ipv4")) {
      throw new GtfsFeedFetchError(`refused: ${host} is a private or local address (${address})`);
    }
  }
}

/**
 * Fetches a GTFS-realtime feed once: `GET` with `Accept: application/x-protobuf`, the feed's headers,
 * a conditional request when `etag`/`lastModified` are given, up to 5 redirects (each re-checked
 * against the address policy), a timeout and a body-size limit.
 *
 * @returns `not_modified` on HTTP 304, else the body with the validators to send next time
 * @throws GtfsFeedFetchError for a refused address, a network error, a timeout, a non-2xx status
 *   (with `retryAfterS` from a 429/503's Retry-After), or a body over `maxBytes`
 */
export async function fetchGtfsRealtimeFeed(
  url: string,
  opts: GtfsFeedFetchOptions = {},
): Promise<GtfsFeedFetchResult> {
  const timeoutMs = opts.timeoutMs ?? GTFS_FETCH_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? GTFS_MAX_FEED_BYTES;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const headers: Record<string, string> = {
    accept: "application/x-protobuf, application/octet-stream;q=0.9",
    "user-agent": "Fleetcore GTFS-realtime consumer",
  };
  // HTTP field names are case-insensitive: a feed's "Accept" replaces the default rather than joining it.
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = value;
  if (opts.etag) headers["if-none-match"] = opts.etag;
  if (opts.lastModified) headers["if-modified-since"] = opts.lastModified;

  let target = new URL(url);
  try {
    for (let hop = 0; ; hop++) {
      if (target.protocol !== "http:" && target.protocol !== "https:") {
        throw new GtfsFeedFetchError(`refused: ${target.protocol} URLs are not fetched`);
      }
      await assertPublicAddress(target);
      const res = await fetch(target, { headers, redirect: "manual", signal });
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && res.status !== 304 && location) {
        await res.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new GtfsFeedFetchError(`more than ${MAX_REDIRECTS} redirects`);
        target = new URL(location, target);
        continue;
      }
      if (res.status === 304) {
        await res.body?.cancel();
        return { status: "not_modified" };
      }
      if (!res.ok) {
        await res.body?.cancel();
        const retryAfter = Number(res.headers.get("retry-after"));
        throw new GtfsFeedFetchError(
          `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`,
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
        );
      }
      const bytes = await readLimited(res, maxBytes);
      return { status: "ok", bytes, etag: res.headers.get("etag"), lastModified: res.headers.get("last-modified") };
    }
  } catch (err) {
    if (err instanceof GtfsFeedFetchError) throw err;
    if (timeout.aborted) throw new GtfsFeedFetchError(`no complete answer within ${timeoutMs / 1000} s`);
    if (opts.signal?.aborted) throw new GtfsFeedFetchError("cancelled");
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new GtfsFeedFetchError(`fetch failed: ${cause?.code ?? cause?.message ?? protobufMessage(err)}`);
  }
}

/** The response body, refusing (and cancelling) it as soon as it exceeds `maxBytes`. */
async function readLimited(res: Response, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => new GtfsFeedFetchError(`response larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
