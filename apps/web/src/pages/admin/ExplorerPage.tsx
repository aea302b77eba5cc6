/**
 * The analyst chart explorer (issue 8) for provider staff: pick metrics, a grouping, tenants, a
 * period and bucket, compare with the previous period, and read the result as line/area/bar charts
 * (one per metric), a table, or a CSV file. The whole view lives in the URL (see
 * components/explorer/viewState.ts), so a link reopens it. Data: `explorer.query` (definitions in
 * packages/core/src/analytics/explorer.ts).
 */
import {
  EXPLORER_BUCKETS,
  EXPLORER_GROUP_BYS,
  EXPLORER_METRICS,
  type ExploreRequest,
  type ExplorerGroupBy,
  type ExplorerMetric,
} from "@fleetcore/validators";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { explorerCsv } from "../../components/explorer/csv";
import { ExplorerChart } from "../../components/explorer/ExplorerChart";
import { ExplorerTable, ExplorerTotals } from "../../components/explorer/ExplorerTable";
import {
  browserTimeZone,
  dayIn,
  EXPLORER_CHARTS,
  EXPLORER_RANGES,
  type ExplorerView,
  parseView,
  resolvePeriod,
  viewToParams,
} from "../../components/explorer/viewState";
import { ErrorAlert } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { AdminNav } from "./AdminNav";
import "../../components/explorer/explorer.css";

const CATEGORIES: { key: ExplorerMetric["category"]; label: string }[] = [
  { key: "fleet", label: "Fleet (telemetry)" },
  { key: "activity", label: "Activity" },
  { key: "messages", label: "Messages" },
  { key: "support", label: "Support" },
  { key: "health", label: "Health" },
];
const GROUP_LABELS: Record<ExplorerGroupBy, string> = {
  none: "Nothing (all together)",
  tenant: "Tenant",
  plan: "Plan",
  segment: "Segment",
  vehicle: "Vehicle (one tenant)",
  driver: "Driver (one tenant)",
};
const MAX_METRICS = 6;

/** IANA zones this browser knows (a short list where it cannot enumerate them). */
function timeZones(current: string): string[] {
  const all = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return [...new Set(["UTC", browserTimeZone(), current, ...all])];
}

/** Saves `text` as a file download. */
function download(text: string, filename: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExplorerPage() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => parseView(params, browserTimeZone()), [params]);
  const [now, setNow] = useState(() => new Date());
  const setView = (changes: Partial<ExplorerView>) =>
    setParams(viewToParams({ ...view, ...changes }), { replace: true });

  // The URL always spells out the whole view (defaults included), so copying it shares this exact chart.
  useEffect(() => {
    const full = viewToParams(view);
    if (full.toString() !== params.toString()) setParams(full, { replace: true });
  }, [view, params, setParams]);

  const period = useMemo(() => resolvePeriod(view, now), [view, now]);
  const chosen = view.metrics.map((id) => EXPLORER_METRICS.find((m) => m.id === id)).filter((m) => m !== undefined);
  const oneTenant = view.groupBy !== "vehicle" && view.groupBy !== "driver" ? true : view.tenantIds.length === 1;
  const input: ExploreRequest = {
    metrics: view.metrics,
    groupBy: view.groupBy,
    tenantIds: view.tenantIds.length > 0 ? view.tenantIds : undefined,
    from: period.from,
    to: period.to,
    bucket: view.bucket,
    compare: view.compare,
    timezone: view.timezone,
  };
  const tenants = useQuery(trpc.provider.tenants.list.queryOptions({}));
  const result = useQuery(
    trpc.explorer.query.queryOptions(input, { enabled: oneTenant, placeholderData: keepPreviousData, retry: false }),
  );
  const data = result.data;

  const toggleMetric = (id: string, on: boolean) => {
    const metrics = on ? [...view.metrics, id] : view.metrics.filter((m) => m !== id);
    if (metrics.length === 0) return;
    const supported = metrics.every((m) => EXPLORER_METRICS.find((x) => x.id === m)?.groupBys.includes(view.groupBy));
    setView({ metrics, ...(supported ? {} : { groupBy: "none" }) });
  };

  return (
    <>
      <AdminNav />
      <section className="panel">
        <div className="panel-head">
          <h1>Chart explorer</h1>
          <div className="panel-actions">
            <button
              type="button"
              className="button-secondary"
              disabled={result.isFetching}
              onClick={() => setNow(new Date())}
            >
              {result.isFetching ? "Loading…" : "Refresh"}
            </button>
            <button
              type="button"
              disabled={!data}
              onClick={() =>
                data &&
                download(
                  explorerCsv(data, EXPLORER_METRICS),
                  `fleetcore-explorer-${dayIn(new Date(), view.timezone)}.csv`,
                )
              }
            >
              Export CSV
            </button>
          </div>
        </div>

        <fieldset className="explorer-metrics">
          <legend>Metrics</legend>
          {CATEGORIES.map((c) => (
            <div key={c.key} className="explorer-metric-group">
              <h3>{c.label}</h3>
              {EXPLORER_METRICS.filter((m) => m.category === c.key).map((m) => {
                const checked = view.metrics.includes(m.id);
                return (
                  <label key={m.id} title={m.description}>
                    <input
                      type="checkbox"
                      checked={checked}
                      disabled={checked ? view.metrics.length === 1 : view.metrics.length >= MAX_METRICS}
                      onChange={(e) => toggleMetric(m.id, e.target.checked)}
                    />
                    {m.label}
                  </label>
                );
              })}
            </div>
          ))}
        </fieldset>

        <fieldset className="analytics-presets">
          <legend className="sr-only">Period</legend>
          {EXPLORER_RANGES.map((r) => (
            <button
              key={r.key}
              type="button"
              className={view.range === r.key ? undefined : "button-secondary"}
              aria-pressed={view.range === r.key}
              onClick={() => {
                setNow(new Date());
                setView({ range: r.key, from: null, to: null });
              }}
            >
              {r.label}
            </button>
          ))}
          <button
            type="button"
            className={view.range === "custom" ? undefined : "button-secondary"}
            aria-pressed={view.range === "custom"}
            onClick={() =>
              setView({
                range: "custom",
                from: dayIn(period.from, view.timezone),
                to: dayIn(new Date(period.to.getTime() - 1), view.timezone),
              })
            }
          >
            Custom
          </button>
        </fieldset>

        <div className="filters analytics-filters">
          {view.range === "custom" && (
            <>
              <label>
                From
                <input
                  type="date"
                  value={view.from ?? ""}
                  max={view.to ?? undefined}
                  onChange={(e) => e.target.value && setView({ from: e.target.value })}
                />
              </label>
              <label>
                To (inclusive)
                <input
                  type="date"
                  value={view.to ?? ""}
                  min={view.from ?? undefined}
                  onChange={(e) => e.target.value && setView({ to: e.target.value })}
                />
              </label>
            </>
          )}
          <label>
            Group by
            <select value={view.groupBy} onChange={(e) => setView({ groupBy: e.target.value as ExplorerGroupBy })}>
              {EXPLORER_GROUP_BYS.map((g) => (
                <option key={g} value={g} disabled={!chosen.every((m) => m.groupBys.includes(g))}>
                  {GROUP_LABELS[g]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Tenants
            <select
              multiple
              size={4}
              aria-label="Tenants"
              value={view.tenantIds}
              onChange={(e) => setView({ tenantIds: [...e.target.selectedOptions].map((o) => o.value) })}
            >
              {tenants.data?.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            {view.tenantIds.length > 0 && (
              <button type="button" className="link-button" onClick={() => setView({ tenantIds: [] })}>
                All tenants
              </button>
            )}
          </label>
          <label>
            Bucket
            <select value={view.bucket} onChange={(e) => setView({ bucket: e.target.value as ExplorerView["bucket"] })}>
              {EXPLORER_BUCKETS.map((b) => (
                <option key={b} value={b}>
                  {b === "auto" ? "Automatic" : b}
                </option>
              ))}
            </select>
          </label>
          <label>
            Time zone
            <select value={view.timezone} onChange={(e) => setView({ timezone: e.target.value })}>
              {timeZones(view.timezone).map((tz) => (
                <option key={tz} value={tz}>
                  {tz}
                </option>
              ))}
            </select>
          </label>
          <label className="explorer-inline">
            <input type="checkbox" checked={view.compare} onChange={(e) => setView({ compare: e.target.checked })} />
            Compare with previous period
          </label>
        </div>

        <div className="explorer-toggles">
          <fieldset className="analytics-presets">
            <legend className="sr-only">Chart type</legend>
            {EXPLORER_CHARTS.map((c) => (
              <button
                key={c}
                type="button"
                className={view.chart === c ? undefined : "button-secondary"}
                aria-pressed={view.chart === c}
                onClick={() => setView({ chart: c, view: "chart" })}
              >
                {c[0]?.toUpperCase()}
                {c.slice(1)}
              </button>
            ))}
            <button
              type="button"
              className={view.view === "table" ? undefined : "button-secondary"}
              aria-pressed={view.view === "table"}
              onClick={() => setView({ view: view.view === "table" ? "chart" : "table" })}
            >
              Table
            </button>
          </fieldset>
        </div>

        {!oneTenant && <p className="muted">Choose exactly one tenant to group by vehicle or driver.</p>}
        <ErrorAlert error={result.error} />
        {result.isPending && oneTenant && <p className="muted">Loading…</p>}
        {data && (
          <p className="muted hint" data-testid="explorer-summary">
            {data.bucket} buckets · {data.timezone} · {data.from.toLocaleString()} – {data.to.toLocaleString()}
            {data.previous &&
              ` · compared with ${data.previous.from.toLocaleDateString()} – ${data.previous.to.toLocaleDateString()}`}
          </p>
        )}
      </section>

      {data && view.view === "chart" && (
        <div className="analytics-charts">
          {chosen.map((m) => (
            <ExplorerChart key={m.id} result={data} metric={m} chart={view.chart} />
          ))}
        </div>
      )}
      {data && view.view === "table" && (
        <section className="panel">
          <h2>Data</h2>
          <ExplorerTable result={data} catalog={EXPLORER_METRICS} />
        </section>
      )}
      {data && (
        <section className="panel">
          <h2>Totals</h2>
          <ExplorerTotals result={data} catalog={EXPLORER_METRICS} />
        </section>
      )}
    </>
  );
}
