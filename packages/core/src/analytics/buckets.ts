/**
 * Bucket arithmetic of the chart explorer: the bucket size for a period, and a period's bounds as
 * local calendar days (the daily hypertables store a tenant's local day as a DATE).
 */
import { EXPLORER_MAX_POINTS, type ExplorerBucket, type ExplorerBucketChoice } from "@fleetcore/validators";

/** Bucket sizes from finest to widest. */
export const EXPLORER_BUCKET_ORDER: readonly ExplorerBucket[] = ["hour", "day", "week", "month"];

/** The SQL interval of each bucket size. */
export const EXPLORER_BUCKET_INTERVAL: Record<ExplorerBucket, string> = {
  hour: "1 hour",
  day: "1 day",
  week: "1 week",
  month: "1 month",
};

/** Nominal lengths, ms, for counting buckets up front (a month as 28 days: the most buckets). */
const BUCKET_MS: Record<ExplorerBucket, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 28 * 86_400_000,
};

/** How {@link chooseBucket} picks: sizes, the cap, and the defaults by period length. */
export interface BucketChoice<B extends ExplorerBucket> {
  /** The sizes the caller offers, finest first (e.g. day, week, month). */
  order: readonly B[];
  /** Most buckets an answer may hold (a partial first bucket counts: bucket count + 1). */
  maxBuckets: number;
  /** The size asked for; without one, the first of `defaults` whose period bound is ≥ the period. */
  asked?: B;
  /** Never finer than this (the coarsest grain of the data). */
  finest?: B;
  /** [longest period, ms, size] pairs, shortest first; without a match (or any), the finest size. */
  defaults?: readonly (readonly [number, B])[];
}

/**
 * The bucket size for [from, to) — the one rule of the explorer, message analytics and support
 * metrics: the size asked for, else the default for the period's length; never finer than `finest`;
 * then widened along `order` while the period would need more than `maxBuckets` buckets (counted
 * with nominal lengths: a month as 28 days, so the count never falls short).
 */
export function chooseBucket<B extends ExplorerBucket>(from: Date, to: Date, choice: BucketChoice<B>): B {
  const { order, maxBuckets } = choice;
  const periodMs = to.getTime() - from.getTime();
  const start = choice.asked ?? choice.defaults?.find(([upToMs]) => periodMs <= upToMs)?.[1] ?? order[0];
  let i = Math.max(0, start === undefined ? 0 : order.indexOf(start));
  if (choice.finest !== undefined) i = Math.max(i, order.indexOf(choice.finest));
  while (i < order.length - 1) {
    const bucket = order[i];
    if (bucket === undefined || Math.ceil(periodMs / BUCKET_MS[bucket]) + 1 <= maxBuckets) break;
    i += 1;
  }
  const chosen = order[i] ?? order[order.length - 1];
  if (chosen === undefined) throw new Error("chooseBucket: no bucket sizes");
  return chosen;
}

/**
 * The explorer's bucket size for [from, to): the one asked for (hour for `auto`), never finer than
 * `finest` (the coarsest grain among the chosen metrics' data: "day" as soon as one metric is daily),
 * then widened (hour → day → week → month) while a series would hold more than
 * {@link EXPLORER_MAX_POINTS} points ({@link chooseBucket}).
 */
export function explorerBucket(
  from: Date,
  to: Date,
  asked: ExplorerBucketChoice,
  finest: "hour" | "day",
): ExplorerBucket {
  return chooseBucket(from, to, {
    order: EXPLORER_BUCKET_ORDER,
    maxBuckets: EXPLORER_MAX_POINTS,
    asked: asked === "auto" ? undefined : asked,
    finest,
  });
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The local calendar day (YYYY-MM-DD) in `timeZone` that holds `instant` — or, with `ceil`, the
 * first local day starting at or after it (the same day when `instant` is local midnight).
 */
export function explorerLocalDay(instant: Date, timeZone: string, ceil = false): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    dayFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  const atMidnight =
    parts.hour === "00" && parts.minute === "00" && parts.second === "00" && instant.getUTCMilliseconds() === 0;
  if (!ceil || atMidnight) return day;
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at instant `ms` (local wall time − UTC), ms. */
function zoneOffsetMs(ms: number, timeZone: string): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    offsetFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The start of the comparison period of [from, to): for hour buckets `from − (to − from)` in real
 * time; for day, week and month buckets the same span of LOCAL wall-clock time in `timeZone` — a
 * period holding a DST change (a 25-hour day) is compared with the same number of calendar days, so
 * its buckets line up day for day instead of starting an hour (a local day) early.
 */
export function explorerPreviousFrom(from: Date, to: Date, bucket: ExplorerBucket, timeZone: string): Date {
  const lengthMs = to.getTime() - from.getTime();
  if (bucket === "hour") return new Date(from.getTime() - lengthMs);
  const wallFrom = from.getTime() + zoneOffsetMs(from.getTime(), timeZone);
  const wallTo = to.getTime() + zoneOffsetMs(to.getTime(), timeZone);
  const wallPrev = wallFrom - (wallTo - wallFrom);
  // Local wall time → instant: two passes settle the offset on either side of a change.
  let guess = wallPrev - zoneOffsetMs(wallPrev, timeZone);
  guess = wallPrev - zoneOffsetMs(guess, timeZone);
  return new Date(guess);
}
