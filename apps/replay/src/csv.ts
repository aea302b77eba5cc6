/**
 * Reading CapMetrics-format CSV (`vehicle_id,timestamp,speed,route_id,trip_id,latitude,longitude,trip_headsign`,
 * see ../shared/data/README.md) into time-ordered fixes. Bad rows are counted and skipped, never thrown.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { parse } from "csv-parse";

/** One parsed CSV row: a GPS fix of one vehicle at its original (un-rebased) time. */
export interface ReplayFix {
  /** 1-based line of the row in the file (the header is line 1). */
  line: number;
  /** The feed's vehicle id, as written (no prefix). */
  vehicleId: string;
  /** Original fix time, Unix epoch milliseconds. */
  timeMs: number;
  /** Speed over ground, m/s; null when the cell is empty. */
  speedMps: number | null;
  /** WGS 84 degrees. */
  latitude: number;
  /** WGS 84 degrees. */
  longitude: number;
  routeId: string | null;
  tripId: string | null;
  tripHeadsign: string | null;
}

/** A row that was skipped, with why. */
export interface BadRow {
  line: number;
  reason: string;
}

/** What {@link parseReplayCsv} returns. */
export interface ParsedCsv {
  /** Good rows sorted by `timeMs` (ties keep file order). */
  fixes: ReplayFix[];
  /** Data rows seen (good + bad), header excluded. */
  rowCount: number;
  /** How many rows were skipped. */
  badRowCount: number;
  /** The {@link BAD_ROW_SAMPLES} skipped rows with the lowest line numbers, in file order. */
  badRows: BadRow[];
}

/** How many skipped rows {@link parseReplayCsv} keeps with their line numbers. */
export const BAD_ROW_SAMPLES = 10;

/** Columns a file must have (others, e.g. trip_headsign, are optional). */
export const REQUIRED_COLUMNS = ["vehicle_id", "timestamp", "speed", "latitude", "longitude"] as const;

// ISO 8601 date-time with an explicit offset: without one, Date.parse would read local time.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function num(value: string | undefined): number | null {
  if (value === undefined) return null;
  const s = value.trim();
  return DECIMAL.test(s) ? Number(s) : null;
}

function optional(value: string | undefined): string | null {
  const s = value?.trim();
  return s ? s : null;
}

/**
 * Validates one row (an object keyed by header name) into a fix, or says why it can't be one:
 * missing vehicle id, timestamp not ISO 8601 with an offset, non-numeric or negative speed,
 * latitude/longitude missing or out of range. An empty speed cell is allowed (speed unknown).
 */
export function parseRow(row: Record<string, string | undefined>, line: number): ReplayFix | BadRow {
  const vehicleId = row.vehicle_id?.trim();
  if (!vehicleId) return { line, reason: "missing vehicle_id" };

  const ts = row.timestamp?.trim() ?? "";
  const timeMs = ISO_WITH_OFFSET.test(ts) ? Date.parse(ts) : Number.NaN;
  if (!Number.isFinite(timeMs)) return { line, reason: `bad timestamp ${JSON.stringify(ts)}` };

  let speedMps: number | null = null;
  if (row.speed !== undefined && row.speed.trim() !== "") {
    speedMps = num(row.speed);
    if (speedMps === null || speedMps < 0) return { line, reason: `bad speed ${JSON.stringify(row.speed)}` };
  }

  const latitude = num(row.latitude);
  if (latitude === null || latitude < -90 || latitude > 90) {
    return { line, reason: `bad latitude ${JSON.stringify(row.latitude ?? "")}` };
  }
  const longitude = num(row.longitude);
  if (longitude === null || longitude < -180 || longitude > 180) {
    return { line, reason: `bad longitude ${JSON.stringify(row.longitude ?? "")}` };
  }

  return {
    line,
    vehicleId,
    timeMs,
    speedMps,
    latitude,
    longitude,
    routeId: optional(row.route_id),
    tripId: optional(row.trip_id),
    tripHeadsign: optional(row.trip_headsign),
  };
}

/**
 * Parses CapMetrics-format CSV text or a byte stream into fixes sorted by time (the files are grouped
 * per vehicle, not sorted). The header row names the columns (order free; {@link REQUIRED_COLUMNS}
 * must be present, else it throws). Rows with bad values, missing fields or broken quoting are counted,
 * the first {@link BAD_ROW_SAMPLES} kept with their line numbers, and skipped.
 */
export async function parseReplayCsv(source: string | Readable): Promise<ParsedCsv> {
  const badRows: BadRow[] = [];
  let badRowCount = 0;
  let rowCount = 0;
  // Keep the lowest line numbers: csv-parse reports broken quoting before it yields the records it buffered.
  const bad = (b: BadRow) => {
    badRowCount++;
    const last = badRows.at(-1);
    if (badRows.length >= BAD_ROW_SAMPLES && last && last.line <= b.line) return;
    badRows.push(b);
    badRows.sort((x, y) => x.line - y.line);
    if (badRows.length > BAD_ROW_SAMPLES) badRows.pop();
  };

  let header: string[] | null = null;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    trim: false,
    info: true,
    on_skip: (err) => {
      rowCount++;
      const line = typeof err?.lines === "number" ? err.lines : 0;
      bad({ line, reason: err ? `unreadable CSV (${err.code})` : "unreadable CSV" });
      return undefined;
    },
  });
  const input = typeof source === "string" ? Readable.from([source]) : source;
  input.on("error", (e) => parser.destroy(e));
  input.pipe(parser);

  const fixes: ReplayFix[] = [];
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!header) {
      header = record.map((h) => h.trim().toLowerCase());
      const missing = REQUIRED_COLUMNS.filter((c) => !header?.includes(c));
      if (missing.length) throw new Error(`CSV header lacks column(s) ${missing.join(", ")}: ${record.join(",")}`);
      continue;
    }
    rowCount++;
    if (record.length < header.length) {
      // A short row: name what is missing rather than report a confusing empty value.
      const absent = REQUIRED_COLUMNS.filter((c) => (header?.indexOf(c) ?? 0) >= record.length);
      if (absent.length) {
        bad({ line: info.lines, reason: `missing field(s) ${absent.join(", ")}` });
        continue;
      }
    }
    const row: Record<string, string | undefined> = {};
    header.forEach((name, i) => {
      row[name] = record[i];
    });
    const parsed = parseRow(row, info.lines);
    if ("reason" in parsed) bad(parsed);
    else fixes.push(parsed);
  }
  if (!header) throw new Error("CSV is empty (no header row)");

  // Array.prototype.sort is stable (ES2019), so equal times keep file order.
  fixes.sort((a, b) => a.timeMs - b.timeMs);
  return { fixes, rowCount, badRowCount, badRows };
}

/** {@link parseReplayCsv} over a file on disk (streamed; throws if the file can't be read). */
export function readReplayCsvFile(path: string): Promise<ParsedCsv> {
  return parseReplayCsv(createReadStream(path));
}
