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

/**
 * The bucket size for [from, to): the one asked for (hour for `auto`), never finer than `finest`
 * (the coarsest grain among the chosen metrics' data: "day" as soon as one metric is daily), then
 * widened (hour → day → week → month) while a series would hold more than
 * {@link EXPLORER_MAX_POINTS} points (bucket count + 1 for a partial first bucket).
 */
export function explorerBucket(
  from: Date,
  to: Date,
  asked: ExplorerBucketChoice,
  finest: "hour" | "day",
): ExplorerBucket {
  const periodMs = to.getTime() - from.getTime();
  let i = Math.max(EXPLORER_BUCKET_ORDER.indexOf(asked === "auto" ? "hour" : asked), finest === "day" ? 1 : 0);
  while (i < EXPLORER_BUCKET_ORDER.length - 1) {
    const bucket = EXPLORER_BUCKET_ORDER[i] ?? "month";
    if (Math.ceil(periodMs / BUCKET_MS[bucket]) + 1 <= EXPLORER_MAX_POINTS) break;
    i += 1;
  }
  return EXPLORER_BUCKET_ORDER[i] ?? "month";
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
