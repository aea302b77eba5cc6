/**
 * The explorer's whole view as URL search parameters, so a link reopens the same chart:
 *
 * | param | meaning | example |
 * | --- | --- | --- |
 * | `m` | metric ids, comma-separated | `fleet.positions,support.ticketsOpen` |
 * | `g` | group by | `tenant` |
 * | `t` | tenant ids, comma-separated (empty = all) | `…` |
 * | `r` | range preset (`24h`, `7d`, `30d`, `90d`, `365d`) or `custom` | `90d` |
 * | `from`, `to` | custom range: first and last local day, inclusive | `2026-01-01` |
 * | `b` | bucket: `auto`, `hour`, `day`, `week`, `month` | `auto` |
 * | `cmp` | `1` = compare with the previous period | `1` |
 * | `c` | chart type: `line`, `area`, `bar` | `line` |
 * | `v` | `chart` or `table` | `chart` |
 * | `tz` | IANA time zone of buckets and day boundaries | `Europe/Paris` |
 *
 * Pure functions: parse, serialise, and turn a range into instants.
 */
import {
  EXPLORER_BUCKETS,
  EXPLORER_GROUP_BYS,
  EXPLORER_METRIC_IDS,
  type ExplorerBucketChoice,
  type ExplorerGroupBy,
  isValidTimeZone,
} from "@fleetcore/validators";

/** Range presets: relative to now, whole local days except `24h`. */
export const EXPLORER_RANGES = [
  { key: "24h", label: "Last 24 hours", days: 1 },
  { key: "7d", label: "Last 7 days", days: 7 },
  { key: "30d", label: "Last 30 days", days: 30 },
  { key: "90d", label: "Last 90 days", days: 90 },
  { key: "365d", label: "Last 12 months", days: 365 },
] as const;
/** A preset key or a custom range. */
export type ExplorerRange = (typeof EXPLORER_RANGES)[number]["key"] | "custom";

/** Chart types. */
export const EXPLORER_CHARTS = ["line", "area", "bar"] as const;
/** A chart type. */
export type ExplorerChartType = (typeof EXPLORER_CHARTS)[number];

/** Everything the page shows, as held in the URL. */
export interface ExplorerView {
  metrics: string[];
  groupBy: ExplorerGroupBy;
  tenantIds: string[];
  range: ExplorerRange;
  /** Custom range: first and last local day (YYYY-MM-DD), inclusive. */
  from: string | null;
  to: string | null;
  bucket: ExplorerBucketChoice;
  compare: boolean;
  chart: ExplorerChartType;
  view: "chart" | "table";
  timezone: string;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The browser's time zone (UTC when it has none). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const oneOf = <T extends string>(allowed: readonly T[], value: string | null, fallback: T): T =>
  (allowed as readonly string[]).includes(value ?? "") ? (value as T) : fallback;

/**
 * The view a URL describes; anything missing or invalid takes its default (fleet positions, not
 * grouped, all tenants, last 30 days, automatic buckets, line chart, `defaultTimeZone`).
 */
export function parseView(params: URLSearchParams, defaultTimeZone: string): ExplorerView {
  const metrics = (params.get("m") ?? "")
    .split(",")
    .filter((id, i, all) => (EXPLORER_METRIC_IDS as readonly string[]).includes(id) && all.indexOf(id) === i)
    .slice(0, 6);
  const from = params.get("from");
  const to = params.get("to");
  const custom = from !== null && to !== null && DAY_RE.test(from) && DAY_RE.test(to) && from <= to;
  const range = oneOf<ExplorerRange>([...EXPLORER_RANGES.map((r) => r.key), "custom"], params.get("r"), "30d");
  const tz = params.get("tz");
  return {
    metrics: metrics.length > 0 ? metrics : ["fleet.positions"],
    groupBy: oneOf(EXPLORER_GROUP_BYS, params.get("g"), "none"),
    tenantIds: (params.get("t") ?? "").split(",").filter((id) => UUID_RE.test(id)),
    range: range === "custom" && !custom ? "30d" : range,
    from: custom ? from : null,
    to: custom ? to : null,
    bucket: oneOf(EXPLORER_BUCKETS, params.get("b"), "auto"),
    compare: params.get("cmp") === "1",
    chart: oneOf(EXPLORER_CHARTS, params.get("c"), "line"),
    view: params.get("v") === "table" ? "table" : "chart",
    timezone: tz && isValidTimeZone(tz) ? tz : defaultTimeZone,
  };
}

/** The URL parameters of a view (every setting written out, so the link does not depend on defaults). */
export function viewToParams(view: ExplorerView): URLSearchParams {
  const p = new URLSearchParams();
  p.set("m", view.metrics.join(","));
  p.set("g", view.groupBy);
  if (view.tenantIds.length > 0) p.set("t", view.tenantIds.join(","));
  p.set("r", view.range);
  if (view.range === "custom" && view.from && view.to) {
    p.set("from", view.from);
    p.set("to", view.to);
  }
  p.set("b", view.bucket);
  if (view.compare) p.set("cmp", "1");
  p.set("c", view.chart);
  p.set("v", view.view);
  p.set("tz", view.timezone);
  return p;
}

/** Date parts of `instant` in `timeZone`. */
function partsIn(instant: Date, timeZone: string): Record<string, number> {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    hourCycle: "h23",
  }).formatToParts(instant);
  return Object.fromEntries(parts.filter((p) => p.type !== "literal").map((p) => [p.type, Number(p.value)]));
}

/** The local calendar day (YYYY-MM-DD) holding `instant` in `timeZone`. */
export function dayIn(instant: Date, timeZone: string): string {
  const p = partsIn(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** `day` (YYYY-MM-DD) plus `days` calendar days. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The instant of local midnight starting `day` in `timeZone` (two passes of the zone's offset). */
export function zonedMidnight(day: string, timeZone: string): Date {
  const guess = Date.parse(`${day}T00:00:00Z`);
  const offsetAt = (t: number) => {
    const p = partsIn(new Date(t), timeZone);
    return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
  };
  let t = guess - offsetAt(guess);
  t = guess - offsetAt(t);
  return new Date(t);
}

/**
 * The period [from, to) of a view at `now`: `24h` ends at the next full hour; day presets end at the
 * next local midnight and cover that many whole local days; custom covers its days inclusive.
 */
export function resolvePeriod(view: ExplorerView, now: Date): { from: Date; to: Date } {
  if (view.range === "custom" && view.from && view.to) {
    return { from: zonedMidnight(view.from, view.timezone), to: zonedMidnight(addDays(view.to, 1), view.timezone) };
  }
  if (view.range === "24h") {
    const to = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
    return { from: new Date(to.getTime() - 86_400_000), to };
  }
  const days = EXPLORER_RANGES.find((r) => r.key === view.range)?.days ?? 30;
  const tomorrow = addDays(dayIn(now, view.timezone), 1);
  return {
    from: zonedMidnight(addDays(tomorrow, -days), view.timezone),
    to: zonedMidnight(tomorrow, view.timezone),
  };
}
