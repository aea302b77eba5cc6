/**
 * Support metrics for provider staff (issue 6): tickets opened/resolved/closed, backlog, median first
 * response and resolution, SLA attainment, CSAT and NPS — per bucket as charts, per tenant as a
 * table, overall as figures. Data: `supportMetrics.summary` (definitions in
 * packages/core/src/support/metrics.ts). Period, tenant and bucket live in the URL
 * (`?period=90d&tenant=…&bucket=week`) so a view can be shared.
 */
import { SUPPORT_METRICS_BUCKETS, type SupportMetrics, type SupportMetricsBucket } from "@fleetcore/validators";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { bucketFormatter, ChartPanel, Kpi } from "../../components/analytics";
import { DataTable, ErrorAlert } from "../../components/ui";
import { useSearchParamsUpdater } from "../../lib/searchParams";
import { formatMinutes } from "../../lib/support";
import { useTRPC } from "../../lib/trpc";
import { AdminNav } from "./AdminNav";
import { SupportNav } from "./SupportNav";

const DAY_MS = 86_400_000;
const PRESETS = [
  { key: "30d", label: "Last 30 days", days: 30 },
  { key: "90d", label: "Last 90 days", days: 90 },
  { key: "365d", label: "Last 12 months", days: 365 },
] as const;
const COLORS = {
  opened: "#2563eb",
  resolved: "#0f766e",
  closed: "#64748b",
  backlog: "#f59e0b",
  fr: "#7c3aed",
  res: "#0f766e",
  sla: "#2563eb",
  csat: "#0f766e",
  nps: "#b42318",
};

/** SLA-clock minutes for display; "—" where nothing was measured. */
const minutes = (m: number | null | undefined) => (m === null || m === undefined ? "—" : formatMinutes(m));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${v.toFixed(1)} %`);
const num1 = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toFixed(1));

function isBucket(value: string | null): value is SupportMetricsBucket {
  return (SUPPORT_METRICS_BUCKETS as readonly string[]).includes(value ?? "");
}

export function SupportMetricsPage() {
  const trpc = useTRPC();
  const [params, update] = useSearchParamsUpdater();
  const [refreshed, setRefreshed] = useState(() => Date.now());
  const preset = PRESETS.find((p) => p.key === params.get("period")) ?? PRESETS[1];
  const tenantId = params.get("tenant") ?? "";
  const bucketParam = params.get("bucket");
  const bucket = isBucket(bucketParam) ? bucketParam : undefined;
  const period = useMemo(() => {
    const to = new Date(Math.ceil(refreshed / 60_000) * 60_000);
    return { from: new Date(to.getTime() - preset.days * DAY_MS), to };
  }, [preset, refreshed]);

  const tenants = useQuery(trpc.provider.tenants.list.queryOptions({}));
  const metrics = useQuery(
    trpc.supportMetrics.summary.queryOptions(
      { ...period, bucket, tenantId: tenantId || undefined },
      { placeholderData: keepPreviousData, retry: false },
    ),
  );

  const data = metrics.data;
  return (
    <>
      <AdminNav />
      <SupportNav />
      <section className="panel">
        <div className="panel-head">
          <h1>Support metrics</h1>
          <button
            type="button"
            className="button-secondary"
            disabled={metrics.isFetching}
            onClick={() => setRefreshed(Date.now())}
          >
            {metrics.isFetching ? "Loading…" : "Refresh"}
          </button>
        </div>
        <fieldset className="analytics-presets">
          <legend className="sr-only">Period</legend>
          {PRESETS.map((p) => (
            <button
              key={p.key}
              type="button"
              className={preset.key === p.key ? undefined : "button-secondary"}
              aria-pressed={preset.key === p.key}
              onClick={() => {
                setRefreshed(Date.now());
                update({ period: p.key });
              }}
            >
              {p.label}
            </button>
          ))}
        </fieldset>
        <div className="filters analytics-filters">
          <label>
            Tenant
            <select value={tenantId} onChange={(e) => update({ tenant: e.target.value || null })}>
              <option value="">All tenants</option>
              {tenants.data?.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Buckets
            <select value={bucket ?? ""} onChange={(e) => update({ bucket: e.target.value || null })}>
              <option value="">Automatic</option>
              {SUPPORT_METRICS_BUCKETS.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorAlert error={metrics.error} />
        {metrics.isPending && <p className="muted">Loading…</p>}
        {data && <Totals data={data} />}
      </section>
      {data && <Charts data={data} />}
      {data && !tenantId && <TenantTable data={data} onPick={(id) => update({ tenant: id })} />}
    </>
  );
}

function Totals({ data }: { data: SupportMetrics }) {
  const t = data.total;
  return (
    <>
      <p className="muted hint">
        {data.bucket} buckets · times in {data.timezone} · response and resolution times on the SLA clock (business
        minutes where the policy counts business hours)
      </p>
      <div className="analytics-kpis">
        <Kpi label="Opened" value={t.opened} />
        <Kpi label="Resolved" value={t.resolved} />
        <Kpi label="Closed" value={t.closed} />
        <Kpi label="Backlog" value={t.backlog} hint="Tickets neither resolved nor closed at the end of the period" />
        <Kpi label="Median first response" value={minutes(t.medianFirstResponseMinutes)} />
        <Kpi label="Median resolution" value={minutes(t.medianResolutionMinutes)} />
        <Kpi
          label="SLA attainment"
          value={pct(t.slaAttainmentPct)}
          hint={`${t.slaMet} of ${t.slaTargets} first-response and resolution targets met`}
        />
        <Kpi
          label="CSAT"
          value={t.csatAverage === null ? "—" : `${t.csatAverage.toFixed(2)} / 5`}
          hint={`${t.csatResponses} ratings; ${pct(t.csatSatisfiedPct)} rated 4 or 5`}
        />
        <Kpi label="NPS" value={t.nps === null ? "—" : Math.round(t.nps)} hint={`${t.npsResponses} answers`} />
      </div>
    </>
  );
}

function Charts({ data }: { data: SupportMetrics }) {
  const rows = useMemo(() => {
    const label = bucketFormatter(data.bucket, data.timezone);
    // Averages and rates stay null where nothing was measured: the lines break instead of dropping to 0.
    return data.buckets.map((b) => ({ ...b, label: label(b.start) }));
  }, [data]);
  return (
    <div className="analytics-charts">
      <ChartPanel
        title="Tickets"
        note={`Opened, resolved and closed per ${data.bucket}; backlog at each ${data.bucket}'s end`}
      >
        <ComposedChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={16} />
          <YAxis allowDecimals={false} width={40} />
          <Tooltip />
          <Legend />
          <Bar dataKey="opened" name="Opened" fill={COLORS.opened} />
          <Bar dataKey="resolved" name="Resolved" fill={COLORS.resolved} />
          <Bar dataKey="closed" name="Closed" fill={COLORS.closed} />
          <Line dataKey="backlog" name="Backlog" stroke={COLORS.backlog} dot={false} />
        </ComposedChart>
      </ChartPanel>
      <ChartPanel title="Response and resolution" note="Median minutes on the SLA clock">
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={16} />
          <YAxis width={48} tickFormatter={(v: number) => (v >= 120 ? `${Math.round(v / 60)} h` : `${v} min`)} />
          <Tooltip formatter={(v) => (typeof v === "number" ? minutes(v) : "—")} />
          <Legend />
          <Line dataKey="medianFirstResponseMinutes" name="First response" stroke={COLORS.fr} connectNulls={false} />
          <Line dataKey="medianResolutionMinutes" name="Resolution" stroke={COLORS.res} connectNulls={false} />
        </LineChart>
      </ChartPanel>
      <ChartPanel title="SLA attainment" note="Share of first-response and resolution targets met">
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={16} />
          <YAxis domain={[0, 100]} unit=" %" width={48} />
          <Tooltip formatter={(v) => (typeof v === "number" ? pct(v) : "—")} />
          <Legend />
          <Line dataKey="slaAttainmentPct" name="SLA attainment" stroke={COLORS.sla} connectNulls={false} />
        </LineChart>
      </ChartPanel>
      <ChartPanel title="Satisfaction" note="CSAT average (1–5, left) and NPS (−100…100, right)">
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={16} />
          <YAxis yAxisId="csat" domain={[1, 5]} width={32} />
          <YAxis yAxisId="nps" orientation="right" domain={[-100, 100]} width={40} />
          <Tooltip formatter={(v) => (typeof v === "number" ? num1(v) : "—")} />
          <Legend />
          <Line yAxisId="csat" dataKey="csatAverage" name="CSAT" stroke={COLORS.csat} connectNulls={false} />
          <Line yAxisId="nps" dataKey="nps" name="NPS" stroke={COLORS.nps} connectNulls={false} />
        </LineChart>
      </ChartPanel>
    </div>
  );
}

function TenantTable({ data, onPick }: { data: SupportMetrics; onPick: (tenantId: string) => void }) {
  return (
    <section className="panel">
      <h2>Per tenant</h2>
      <DataTable
        rows={data.tenants}
        label="Support metrics per tenant"
        empty="No tickets or feedback in this period."
        head={
          <>
            <th>Tenant</th>
            <th>Opened</th>
            <th>Resolved</th>
            <th>Closed</th>
            <th>Backlog</th>
            <th>Median first response</th>
            <th>Median resolution</th>
            <th>SLA</th>
            <th>CSAT</th>
            <th>NPS</th>
          </>
        }
      >
        {(rows) =>
          rows.map((t) => (
            <tr key={t.tenantId}>
              <td>
                <button type="button" className="link-button" onClick={() => onPick(t.tenantId)}>
                  {t.tenantName}
                </button>{" "}
                <Link to={`/admin/tenants/${t.tenantId}`} className="muted">
                  (tenant)
                </Link>
              </td>
              <td>{t.opened}</td>
              <td>{t.resolved}</td>
              <td>{t.closed}</td>
              <td>{t.backlog}</td>
              <td>{minutes(t.medianFirstResponseMinutes)}</td>
              <td>{minutes(t.medianResolutionMinutes)}</td>
              <td>{pct(t.slaAttainmentPct)}</td>
              <td>{t.csatAverage === null ? "—" : `${t.csatAverage.toFixed(2)} (${t.csatResponses})`}</td>
              <td>{t.nps === null ? "—" : `${Math.round(t.nps)} (${t.npsResponses})`}</td>
            </tr>
          ))
        }
      </DataTable>
    </section>
  );
}
