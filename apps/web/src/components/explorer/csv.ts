/**
 * CSV export of an explorer answer (RFC 4180: https://www.rfc-editor.org/rfc/rfc4180): CRLF line
 * breaks, fields holding a comma, double quote, CR or LF enclosed in double quotes with inner quotes
 * doubled, a header row. Pure; the page turns the text into a download.
 */
import type { ExploreResult, ExplorerMetric } from "@fleetcore/validators";

/** A cell: text as is, numbers in plain JavaScript notation, null/undefined as an empty field. */
export type CsvValue = string | number | null | undefined;

/** One field, quoted when RFC 4180 requires it. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to CSV text: fields joined by commas, records by CRLF, ending with a CRLF. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(",")}\r\n`).join("");
}

/** "YYYY-MM-DD HH:mm" of `t` in `timeZone`. */
function localStamp(t: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/**
 * The explorer's answer as a wide table: one row per bucket; columns `bucket_start_utc` (ISO 8601),
 * `bucket_start_local` (in the answer's time zone), then one column per series headed
 * "<metric label> [<unit>] | <group label>" and, when compared, the previous period's value of the
 * same bucket position headed "… | previous period". Empty buckets of gauges are empty fields.
 */
export function explorerCsv(result: ExploreResult, catalog: readonly ExplorerMetric[]): string {
  const metricOf = new Map(catalog.map((m) => [m.id, m]));
  const heading = (metric: string, groupLabel: string) => {
    const m = metricOf.get(metric);
    return `${m?.label ?? metric} [${m?.unit ?? ""}] | ${groupLabel}`;
  };
  const columns = result.series.map((s) => ({ head: heading(s.metric, s.groupLabel), points: s.points }));
  for (const s of result.previous?.series ?? []) {
    columns.push({ head: `${heading(s.metric, s.groupLabel)} | previous period`, points: s.points });
  }
  const times = result.series[0]?.points.map((p) => p.t) ?? [];
  const rows: CsvValue[][] = [
    ["bucket_start_utc", `bucket_start_local (${result.timezone})`, ...columns.map((c) => c.head)],
    ...times.map((t, i) => [
      t.toISOString(),
      localStamp(t, result.timezone),
      ...columns.map((c) => c.points[i]?.value ?? null),
    ]),
  ];
  return toCsv(rows);
}
