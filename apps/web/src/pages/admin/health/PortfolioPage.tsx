/**
 * `/admin/portfolio`: the account manager's portfolio (issue 8 "Account manager screens") — every
 * tenant in scope with its health score and band, the 7-day trend (▲▼ with the change), churn risk,
 * ARR, renewal date, last engagement and open alerts, sortable; the score distribution (bars
 * coloured by band), the at-risk list with each tenant's top churn driver, and the renewal bubble
 * chart (x = renewal date, y = score, bubble size = ARR). Account managers start on their own
 * tenants, other staff on all. The view lives in the URL (`?scope=all&sort=churnRisk&dir=desc&band=red&q=…`).
 * Data: `portfolio.overview` — the table and the three panels from one read of the portfolio. The
 * header links to the scoring profiles (`/admin/health/profiles`).
 */
import {
  PORTFOLIO_BANDS,
  PORTFOLIO_SCOPES,
  PORTFOLIO_SORTS,
  type PortfolioBand,
  type PortfolioOverview,
  type PortfolioRenewalPoint,
  type PortfolioScope,
  type PortfolioSort,
} from "@fleetcore/validators";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { Bar, BarChart, CartesianGrid, Legend, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from "recharts";
import { ChartPanel } from "../../../components/analytics";
import { QueryTable } from "../../../components/ui";
import { formatCalendarDate, formatDate } from "../../../lib/format";
import { formatMoney, minorToChartNumber } from "../../../lib/money";
import { useSearchParamsUpdater } from "../../../lib/searchParams";
import { useTRPC } from "../../../lib/trpc";
import { AdminNav } from "../AdminNav";
import { Money } from "../crm/shared";
import { BAND_COLORS, BandChip, churnText, TrendArrow } from "./shared";

const SORT_LABELS: Partial<Record<PortfolioSort, string>> = {
  score: "Score",
  trend: "Trend (7 d)",
  churnRisk: "Churn risk",
  arr: "ARR",
  renewal: "Renewal",
};

function pick<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.find((v) => v === value);
}

/** The page's view from the URL; the scope stays undefined until chosen (the server's default applies). */
function useView() {
  const [params, set] = useSearchParamsUpdater();
  const view = {
    scope: pick(PORTFOLIO_SCOPES, params.get("scope")),
    sort: pick(PORTFOLIO_SORTS, params.get("sort")) ?? "score",
    dir: params.get("dir") === "desc" ? ("desc" as const) : ("asc" as const),
    band: pick(PORTFOLIO_BANDS, params.get("band")),
    search: params.get("q") ?? "",
  };
  return { view, set };
}

export function PortfolioPage() {
  const trpc = useTRPC();
  const { view, set } = useView();
  const list = useQuery(
    trpc.portfolio.overview.queryOptions(
      {
        scope: view.scope,
        sort: view.sort,
        dir: view.dir,
        band: view.band,
        search: view.search.trim() || undefined,
      },
      { placeholderData: keepPreviousData },
    ),
  );
  const scope: PortfolioScope | undefined = view.scope ?? list.data?.scope;
  const sortBy = (key: PortfolioSort) =>
    set({ sort: key, dir: view.sort === key && view.dir === "asc" ? "desc" : "asc" });
  const sortHeader = (key: PortfolioSort, className?: string): ReactNode => (
    <th
      className={className}
      aria-sort={view.sort === key ? (view.dir === "asc" ? "ascending" : "descending") : undefined}
    >
      <button type="button" className="health-sort" onClick={() => sortBy(key)}>
        {SORT_LABELS[key]} {view.sort === key ? (view.dir === "asc" ? "↑" : "↓") : ""}
      </button>
    </th>
  );
  return (
    <>
      <AdminNav />
      <section className="panel">
        <div className="panel-head">
          <h1>Portfolio</h1>
          <Link to="/admin/health/profiles" className="health-profiles-link">
            Health profiles
          </Link>
          <fieldset className="health-scope">
            <legend className="sr-only">Whose tenants</legend>
            {(["mine", "all"] as const).map((s) => (
              <button
                key={s}
                type="button"
                aria-pressed={scope === s}
                className={scope === s ? undefined : "button-secondary"}
                onClick={() => set({ scope: s })}
              >
                {s === "mine" ? "My tenants" : "All tenants"}
              </button>
            ))}
          </fieldset>
        </div>
        <search className="filters">
          <label>
            Tenant
            <input
              type="search"
              value={view.search}
              placeholder="Name…"
              onChange={(e) => set({ q: e.target.value || undefined })}
            />
          </label>
          <label>
            Band
            <select value={view.band ?? ""} onChange={(e) => set({ band: e.target.value || undefined })}>
              <option value="">All</option>
              {PORTFOLIO_BANDS.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </label>
        </search>
        <QueryTable
          query={{ ...list, data: list.data?.rows }}
          label="Portfolio"
          empty={scope === "mine" ? "No tenants are assigned to you." : "No tenants match."}
          head={
            <>
              <th>Tenant</th>
              {sortHeader("score")}
              {sortHeader("trend")}
              {sortHeader("churnRisk")}
              {sortHeader("arr", "num")}
              {sortHeader("renewal")}
              <th>Last engagement</th>
              <th className="num">Open alerts</th>
              <th>Account managers</th>
            </>
          }
        >
          {(rows) =>
            rows.map((r) => (
              <tr key={r.tenantId}>
                <td>
                  <Link to={`/admin/portfolio/${r.tenantId}`}>{r.name}</Link>
                  <div className="muted">
                    {[r.segment?.replaceAll("_", " "), r.status !== "active" ? r.status : null]
                      .filter(Boolean)
                      .join(" · ")}
                  </div>
                </td>
                <td>
                  <BandChip band={r.band} score={r.score} />
                </td>
                <td>
                  <TrendArrow delta={r.trend7} />
                  {r.trend30 !== null && (
                    <div className="muted nowrap">30 d: {r.trend30 > 0 ? `+${r.trend30}` : r.trend30}</div>
                  )}
                </td>
                <td className="nowrap">{churnText(r.churnRisk, r.churnHorizonDays)}</td>
                <td className="num">
                  <Money minor={r.arrMinor} currency={r.currency} />
                </td>
                <td className="nowrap">{formatCalendarDate(r.renewalDate)}</td>
                <td className="nowrap">{formatDate(r.lastEngagementAt)}</td>
                <td className="num">{r.openAlerts || "—"}</td>
                <td>{r.accountManagers.map((m) => m.name).join(", ") || "—"}</td>
              </tr>
            ))
          }
        </QueryTable>
      </section>
      {list.data && (
        <div className="analytics-charts">
          <Distribution distribution={list.data.distribution} />
          <AtRisk rows={list.data.atRisk} />
        </div>
      )}
      {list.data && <Renewals renewals={list.data.renewals} />}
    </>
  );
}

function Distribution({ distribution: d }: { distribution: PortfolioOverview["distribution"] }) {
  const data = d.bins.map((b) => ({ ...b, label: `${b.from}–${b.to}` }));
  return (
    <ChartPanel
      title="Score distribution"
      note={`${d.bands.red} red · ${d.bands.yellow} yellow · ${d.bands.green} green${
        d.unscored ? ` · ${d.unscored} without a recent score` : ""
      }`}
    >
      <BarChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" />
        <YAxis allowDecimals={false} width={36} />
        <Tooltip />
        <Legend />
        {PORTFOLIO_BANDS.map((b) => (
          <Bar key={b} dataKey={b} name={b} stackId="band" fill={BAND_COLORS[b]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartPanel>
  );
}

function AtRisk({ rows }: { rows: PortfolioOverview["atRisk"] }) {
  return (
    <section className="panel" aria-label="At risk">
      <h2>At risk</h2>
      {rows.length === 0 && <p className="muted">No tenant is red or above its churn-risk threshold.</p>}
      <ul className="health-risk-list">
        {rows.map((r) => (
          <li key={r.tenantId}>
            <Link to={`/admin/portfolio/${r.tenantId}`}>{r.name}</Link> <BandChip band={r.band} score={r.score} />{" "}
            <TrendArrow delta={r.trend7} />
            <div>Churn risk {churnText(r.churnRisk, r.churnHorizonDays)}</div>
            {r.topDriver && <div className="muted">{r.topDriver.reason || r.topDriver.driver}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}

type Bubble = PortfolioRenewalPoint & { x: number; y: number; z: number };

function BubbleTooltip({ active, payload }: { active?: boolean; payload?: { payload?: Bubble }[] }) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  return (
    <div className="panel" style={{ padding: 8, margin: 0 }}>
      <strong>{p.name}</strong>
      <div>Renews {formatCalendarDate(p.renewalDate)}</div>
      <div>
        Score {p.score} ({p.band})
      </div>
      <div>ARR {p.arrMinor !== null && p.currency ? formatMoney(p.arrMinor, p.currency) : "—"}</div>
    </div>
  );
}

function Renewals({ renewals }: { renewals: PortfolioRenewalPoint[] }) {
  const points: Bubble[] = renewals.map((p) => ({
    ...p,
    x: p.renewalDate.getTime(),
    y: p.score,
    z: p.arrMinor !== null && p.currency ? minorToChartNumber(p.arrMinor, p.currency) : 0,
  }));
  const byBand = (band: PortfolioBand) => points.filter((p) => p.band === band);
  return (
    <ChartPanel
      title="Renewals"
      note="Upcoming renewal date against health score; the bubble's size is the ARR."
      height={300}
      message={points.length === 0 && <p className="muted">No scored tenant has an upcoming renewal.</p>}
    >
      <ScatterChart margin={{ top: 10, right: 20, bottom: 10, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          type="number"
          dataKey="x"
          name="Renewal date"
          domain={["dataMin - 604800000", "dataMax + 604800000"]}
          tickFormatter={(ms: number) => formatCalendarDate(new Date(ms))}
        />
        <YAxis type="number" dataKey="y" name="Score" domain={[0, 100]} width={36} />
        <ZAxis type="number" dataKey="z" name="ARR" range={[40, 800]} />
        <Tooltip content={<BubbleTooltip />} />
        <Legend />
        {PORTFOLIO_BANDS.map((b) => (
          <Scatter
            key={b}
            name={b}
            data={byBand(b)}
            fill={BAND_COLORS[b]}
            fillOpacity={0.6}
            isAnimationActive={false}
          />
        ))}
      </ScatterChart>
    </ChartPanel>
  );
}
