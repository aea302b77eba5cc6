/**
 * Message analytics (customer-portal spec §4): sent and received messages per time bucket, how often
 * and how fast dispatchers answer drivers, delivery failures, the busiest hours and weekdays, and one
 * row per driver — for the last 7/30/90 days or a custom period, the whole fleet or one driver.
 * Data: `messageAnalytics.summary` (definitions in packages/core/src/messaging/analytics.ts). The
 * period, driver and bucket live in the URL (`?period=30d&driver=…&bucket=day`, or
 * `?period=custom&from=2026-10-01&to=2026-10-31`), so a view can be shared.
 */
import {
  MESSAGE_ANALYTICS_BUCKETS,
  MESSAGE_ANALYTICS_MAX_DAYS,
  type MessageAnalytics,
  type MessageAnalyticsBucket,
} from "@fleetcore/validators";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { bucketFormatter, ChartPanel, Kpi } from "../components/analytics";
import { useSignedIn } from "../components/Guards";
import { DataTable, ErrorAlert } from "../components/ui";
import { todayInputValue } from "../lib/format";
import { formatDurationS } from "../lib/replay";
import { useSearchParamsUpdater } from "../lib/searchParams";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

const DAY_MS = 86_400_000;
const PRESETS = [
  { key: "7d", label: "Last 7 days", days: 7 },
  { key: "30d", label: "Last 30 days", days: 30 },
  { key: "90d", label: "Last 90 days", days: 90 },
] as const;
const DEFAULT_PRESET = "30d";
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const COLORS = { sent: "#0f766e", received: "#7c3aed", median: "#2563eb", p90: "#f59e0b", bad: "#b42318" };
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

type Period = { from: Date; to: Date } | { error: string };

/** `YYYY-MM-DD` (an `<input type="date">` value) → local midnight of that day, or null. */
function localMidnight(value: string | null, addDays = 0): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00`);
  if (Number.isNaN(d.getTime())) return null;
  d.setDate(d.getDate() + addDays);
  return d;
}

/**
 * The period the URL asks for: a preset ends now (rounded up to the minute, so re-renders keep one
 * query key); a custom one runs from local midnight of `from` to the end of `to`, both included.
 */
function periodOf(params: URLSearchParams, now: Date): Period {
  if (params.get("period") === "custom") {
    const from = localMidnight(params.get("from"));
    const to = localMidnight(params.get("to"), 1);
    if (!from || !to) return { error: "Choose both dates of the period." };
    if (from >= to) return { error: "The period must end on or after the day it starts." };
    if (to.getTime() - from.getTime() > MESSAGE_ANALYTICS_MAX_DAYS * DAY_MS) {
      return { error: `A period may cover at most ${MESSAGE_ANALYTICS_MAX_DAYS} days.` };
    }
    return { from, to };
  }
  const preset = PRESETS.find((p) => p.key === params.get("period")) ?? PRESETS[1];
  const to = new Date(Math.ceil(now.getTime() / 60_000) * 60_000);
  return { from: new Date(to.getTime() - preset.days * DAY_MS), to };
}

/** A Date's local calendar day as an `<input type="date">` value. */
function dateInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function isBucket(value: string | null): value is MessageAnalyticsBucket {
  return (MESSAGE_ANALYTICS_BUCKETS as readonly string[]).includes(value ?? "");
}

const formatRate = (r: number | null | undefined) => (r === null || r === undefined ? "—" : percent.format(r));
const formatSeconds = (s: number | null | undefined) => (s === null || s === undefined ? "—" : formatDurationS(s));
/** Tooltip values: minutes for the response-time chart, percents for rates. */
const tooltipMinutes = (v: unknown) => (typeof v === "number" ? formatDurationS(v * 60) : "—");
const tooltipPercent = (v: unknown) => (typeof v === "number" ? `${v.toFixed(1)} %` : "—");

export function MessageAnalyticsPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const [params, update] = useSearchParamsUpdater();
  // "Now" moves when the period changes or on Refresh, not on every render.
  const [refreshed, setRefreshed] = useState(() => Date.now());
  const periodKey = params.get("period") ?? DEFAULT_PRESET;
  const period = useMemo(() => periodOf(params, new Date(refreshed)), [params, refreshed]);
  const driverId = params.get("driver") ?? "";
  const bucketParam = params.get("bucket");
  const bucket = isBucket(bucketParam) ? bucketParam : undefined;

  const drivers = useQuery(trpc.driver.list.queryOptions({}, { enabled: can(me, "fleet", "read") }));
  const analytics = useQuery(
    trpc.messageAnalytics.summary.queryOptions(
      "error" in period
        ? { from: new Date(0), to: new Date(1) }
        : { from: period.from, to: period.to, bucket, driverId: driverId || undefined },
      { enabled: !("error" in period), placeholderData: keepPreviousData, retry: false },
    ),
  );

  /** Changes some URL parameters (empty values removed), keeping the others. */
  const choosePreset = (key: string) => {
    setRefreshed(Date.now());
    update({ period: key, from: null, to: null });
  };

  const data = analytics.data;
  return (
    <>
      <section className="panel">
        <div className="panel-head">
          <h1>{me.activeTenant?.name} — message analytics</h1>
          <button
            type="button"
            className="button-secondary"
            disabled={analytics.isFetching}
            onClick={() => setRefreshed(Date.now())}
          >
            {analytics.isFetching ? "Loading…" : "Refresh"}
          </button>
        </div>
        <fieldset className="analytics-presets">
          <legend className="sr-only">Period</legend>
          {PRESETS.map((p) => (
            <button
              key={p.key}
              type="button"
              className={periodKey === p.key ? undefined : "button-secondary"}
              aria-pressed={periodKey === p.key}
              onClick={() => choosePreset(p.key)}
            >
              {p.label}
            </button>
          ))}
          <button
            type="button"
            className={periodKey === "custom" ? undefined : "button-secondary"}
            aria-pressed={periodKey === "custom"}
            onClick={() =>
              // Start from the period on screen: its first and last days.
              "error" in period
                ? update({ period: "custom" })
                : update({
                    period: "custom",
                    from: dateInputValue(period.from),
                    to: dateInputValue(new Date(period.to.getTime() - 1)),
                  })
            }
          >
            Custom
          </button>
        </fieldset>
        {periodKey === "custom" && (
          <CustomPeriodForm
            key={`${params.get("from")}/${params.get("to")}`}
            from={params.get("from") ?? ""}
            to={params.get("to") ?? ""}
            onApply={(from, to) => update({ period: "custom", from, to })}
          />
        )}
        <div className="filters analytics-filters">
          <label>
            Driver
            <select value={driverId} onChange={(e) => update({ driver: e.target.value || null })}>
              <option value="">All drivers</option>
              {drivers.data?.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
              {driverId && drivers.data && !drivers.data.some((d) => d.id === driverId) && (
                <option value={driverId}>
                  {data?.drivers.find((d) => d.driverId === driverId)?.driverName ?? "Driver from the link"}
                </option>
              )}
            </select>
          </label>
          <label>
            Buckets
            <select value={bucket ?? ""} onChange={(e) => update({ bucket: e.target.value || null })}>
              <option value="">Automatic</option>
              {MESSAGE_ANALYTICS_BUCKETS.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </label>
        </div>
        {"error" in period ? (
          <p className="error" role="alert">
            {period.error}
          </p>
        ) : (
          <ErrorAlert error={analytics.error} />
        )}
        {analytics.isPending && !("error" in period) && <p className="muted">Loading…</p>}
        {data && <Totals data={data} />}
      </section>
      {data && <Charts data={data} />}
      {data && <DriverTable data={data} />}
    </>
  );
}

/** Custom period: two dates, applied together (the URL changes once). */
function CustomPeriodForm(props: { from: string; to: string; onApply: (from: string, to: string) => void }) {
  const today = todayInputValue();
  const [from, setFrom] = useState(props.from || today);
  const [to, setTo] = useState(props.to || today);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    props.onApply(from, to);
  };
  return (
    <form className="grid-form analytics-custom" onSubmit={onSubmit} aria-label="Custom period">
      <label>
        From
        <input type="date" required value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To (included)
        <input type="date" required value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
      </label>
      <div className="actions">
        <button type="submit">Apply</button>
      </div>
    </form>
  );
}

function Totals({ data }: { data: MessageAnalytics }) {
  const t = data.totals;
  const range = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  return (
    <>
      <p className="muted hint">
        {range.formatRange(data.from, data.to)} · {data.bucket} buckets · times in {data.timezone}
      </p>
      <div className="analytics-kpis">
        <Kpi label="Sent" value={t.sent} hint="Outbound messages, blocked ones excluded" />
        <Kpi label="Received" value={t.received} hint="Messages from drivers" />
        <Kpi
          label="Response rate"
          value={formatRate(t.responseRate)}
          hint={`${t.answered} of ${t.threads} driver threads answered by a dispatcher within 24 h`}
        />
        <Kpi label="Median response" value={formatSeconds(t.medianResponseS)} hint="From a thread's first message" />
        <Kpi label="90th percentile" value={formatSeconds(t.p90ResponseS)} hint="90 % of answers came faster" />
        <Kpi
          label="Delivery failures"
          value={formatRate(t.failureRate)}
          hint={`${t.failed} failed of ${t.deliveryAttempts} messages handed to the provider`}
        />
      </div>
    </>
  );
}

function Charts({ data }: { data: MessageAnalytics }) {
  const buckets = useMemo(() => {
    const label = bucketFormatter(data.bucket, data.timezone);
    return data.buckets.map((b) => ({
      label: label(b.start),
      sent: b.sent,
      received: b.received,
      // Minutes read better on an axis; null stays null so the line breaks where nothing was answered.
      medianMin: b.medianResponseS === null ? null : b.medianResponseS / 60,
      p90Min: b.p90ResponseS === null ? null : b.p90ResponseS / 60,
      responsePct: b.responseRate === null ? null : b.responseRate * 100,
      failurePct: b.failureRate === null ? null : b.failureRate * 100,
    }));
  }, [data]);
  const weekdays = data.weekdays.map((w) => ({ ...w, label: WEEKDAYS[w.isoWeekday - 1] }));
  return (
    <div className="analytics-charts">
      <ChartPanel title="Messages" note={`Sent and received per ${data.bucket}`}>
        <BarChart data={buckets}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={16} />
          <YAxis allowDecimals={false} width={40} />
          <Tooltip />
          <Legend />
          <Bar dataKey="sent" name="Sent" fill={COLORS.sent} />
          <Bar dataKey="received" name="Received" fill={COLORS.received} />
        </BarChart>
      </ChartPanel>
      <ChartPanel title="Response time" note="Minutes from a driver's first message to the answer">
        <LineChart data={buckets}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={16} />
          <YAxis width={40} />
          <Tooltip formatter={tooltipMinutes} />
          <Legend />
          <Line dataKey="medianMin" name="Median" stroke={COLORS.median} connectNulls={false} dot={false} />
          <Line dataKey="p90Min" name="90th percentile" stroke={COLORS.p90} connectNulls={false} dot={false} />
        </LineChart>
      </ChartPanel>
      <ChartPanel title="Response and failure rates" note="Threads answered within 24 h; deliveries that failed">
        <LineChart data={buckets}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={16} />
          <YAxis domain={[0, 100]} unit=" %" width={48} />
          <Tooltip formatter={tooltipPercent} />
          <Legend />
          <Line dataKey="responsePct" name="Response rate" stroke={COLORS.sent} connectNulls={false} dot={false} />
          <Line dataKey="failurePct" name="Failure rate" stroke={COLORS.bad} connectNulls={false} dot={false} />
        </LineChart>
      </ChartPanel>
      <ChartPanel title="Busiest hours" note={`Messages by hour of day, ${data.timezone}`}>
        <BarChart data={data.hours}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="hour" tickFormatter={(h: number) => String(h).padStart(2, "0")} />
          <YAxis allowDecimals={false} width={40} />
          <Tooltip labelFormatter={(h) => `${String(h).padStart(2, "0")}:00–${String(h).padStart(2, "0")}:59`} />
          <Legend />
          <Bar dataKey="sent" name="Sent" stackId="m" fill={COLORS.sent} />
          <Bar dataKey="received" name="Received" stackId="m" fill={COLORS.received} />
        </BarChart>
      </ChartPanel>
      <ChartPanel title="Busiest weekdays" note={`Messages by day of week, ${data.timezone}`}>
        <BarChart data={weekdays}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" />
          <YAxis allowDecimals={false} width={40} />
          <Tooltip />
          <Legend />
          <Bar dataKey="sent" name="Sent" stackId="m" fill={COLORS.sent} />
          <Bar dataKey="received" name="Received" stackId="m" fill={COLORS.received} />
        </BarChart>
      </ChartPanel>
    </div>
  );
}

function DriverTable({ data }: { data: MessageAnalytics }) {
  return (
    <section className="panel">
      <h2>Drivers</h2>
      <DataTable
        rows={data.drivers}
        label="Messages per driver"
        empty="No messages in this period."
        head={
          <>
            <th>Driver</th>
            <th className="num">Sent</th>
            <th className="num">Received</th>
            <th className="num" title="Driver threads answered by a dispatcher within 24 h">
              Response rate
            </th>
            <th className="num">Median response</th>
            <th className="num" title="Failed of the messages handed to the provider">
              Failures
            </th>
          </>
        }
      >
        {(rows) =>
          rows.map((d) => (
            <tr key={d.driverId}>
              <td>{d.driverName}</td>
              <td className="num">{d.sent}</td>
              <td className="num">{d.received}</td>
              <td className="num" title={`${d.answered} of ${d.threads} threads`}>
                {formatRate(d.responseRate)}
              </td>
              <td className="num">{formatSeconds(d.medianResponseS)}</td>
              <td className="num">
                {d.failed}
                {d.failed > 0 && <span className="muted"> ({formatRate(d.failureRate)})</span>}
              </td>
            </tr>
          ))
        }
      </DataTable>
    </section>
  );
}
