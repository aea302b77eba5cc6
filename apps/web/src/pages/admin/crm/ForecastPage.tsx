/**
 * `/admin/crm/forecast`: the sales forecast per month of expected close date — for each currency
 * (never mixed or converted): open opportunities, pipeline total, weighted total (Σ value ×
 * probability / 100, rounded once per month and currency, half up: packages/core/src/crm/forecast.ts)
 * and what was won. A stacked bar chart per currency (won + weighted + the rest of the pipeline)
 * and the exact table. The range (first month, number of months) lives in the URL
 * (`?from=2026-12&months=12`). Admins edit the stage probabilities here; other staff see them.
 */
import { CRM_OPEN_STAGES, type CrmForecast } from "@fleetcore/validators";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { DataTable, ErrorAlert } from "../../../components/ui";
import { monthLabel, utcMonth } from "../../../lib/billing";
import { formatChartMoney, formatMoney, minorToChartNumber } from "../../../lib/money";
import { useSearchParamsUpdater } from "../../../lib/searchParams";
import { useTRPC } from "../../../lib/trpc";
import { AdminNav } from "../AdminNav";
import { Money, STAGE_LABELS, useCrmAdmin } from "./shared";

const MONTH_CHOICES = [3, 6, 12, 24, 36];
const COLORS = { won: "#067647", weighted: "#0f766e", rest: "#99d5cc" };

export function ForecastPage() {
  const trpc = useTRPC();
  const [params, update] = useSearchParamsUpdater();
  const from = /^\d{4}-\d{2}$/.test(params.get("from") ?? "") ? (params.get("from") as string) : utcMonth();
  const monthsParam = Number.parseInt(params.get("months") ?? "", 10);
  const months = MONTH_CHOICES.includes(monthsParam) ? monthsParam : 12;
  const forecast = useQuery(
    trpc.crm.forecast.get.queryOptions({ fromMonth: from, months }, { placeholderData: keepPreviousData }),
  );
  return (
    <>
      <AdminNav />
      <section className="panel">
        <div className="panel-head">
          <h1>Forecast</h1>
        </div>
        <search className="filters">
          <label>
            From month
            <input type="month" value={from} onChange={(e) => e.target.value && update({ from: e.target.value })} />
          </label>
          <label>
            Months
            <select value={months} onChange={(e) => update({ months: e.target.value })}>
              {MONTH_CHOICES.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
        </search>
        <p className="muted">
          Weighted = Σ value × probability ÷ 100 (the opportunity's own probability, else its stage's), rounded once per
          month and currency. Currencies are never added together.
        </p>
        <ErrorAlert error={forecast.error} />
      </section>
      {forecast.data && forecast.data.currencies.length === 0 && (
        <section className="panel">
          <p className="muted">No open or won opportunities close in this range.</p>
        </section>
      )}
      {forecast.data?.currencies.map((currency) => (
        <CurrencyChart key={currency} forecast={forecast.data} currency={currency} />
      ))}
      {forecast.data && forecast.data.buckets.length > 0 && <ForecastTable forecast={forecast.data} />}
      <StageProbabilities />
    </>
  );
}

function CurrencyChart({ forecast, currency }: { forecast: CrmForecast; currency: string }) {
  const data = useMemo(
    () =>
      forecast.months.map((month) => {
        const b = forecast.buckets.find((x) => x.month === month && x.currency === currency);
        return {
          label: monthLabel(month),
          won: b ? minorToChartNumber(b.wonMinor, currency) : 0,
          weighted: b ? minorToChartNumber(b.weightedMinor, currency) : 0,
          rest: b ? minorToChartNumber(b.pipelineMinor - b.weightedMinor, currency) : 0,
        };
      }),
    [forecast, currency],
  );
  const axis = (v: number) => formatChartMoney(v, currency, { compact: true });
  const tooltip = (v: unknown) => formatChartMoney(v, currency);
  return (
    <figure className="panel crm-chart-panel" aria-label={`Forecast chart, ${currency}`}>
      <figcaption>
        <h2>{currency}</h2>
        <p className="muted hint">Per month of expected close: won, weighted pipeline and the rest of the pipeline.</p>
      </figcaption>
      <div className="crm-chart">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" minTickGap={8} />
            <YAxis tickFormatter={axis} width={72} />
            <Tooltip formatter={tooltip} />
            <Legend />
            <Bar dataKey="won" name="Won" stackId="value" fill={COLORS.won} />
            <Bar dataKey="weighted" name="Weighted pipeline" stackId="value" fill={COLORS.weighted} />
            <Bar dataKey="rest" name="Rest of pipeline" stackId="value" fill={COLORS.rest} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

function ForecastTable({ forecast }: { forecast: CrmForecast }) {
  return (
    <section className="panel">
      <h2>By month</h2>
      <DataTable
        rows={forecast.buckets}
        label="Forecast"
        head={
          <>
            <th>Month</th>
            <th>Currency</th>
            <th className="num">Open</th>
            <th className="num">Pipeline</th>
            <th className="num">Weighted</th>
            <th className="num">Won</th>
          </>
        }
      >
        {(rows) => (
          <>
            {rows.map((b) => (
              <tr key={`${b.month}-${b.currency}`}>
                <td>{monthLabel(b.month)}</td>
                <td>{b.currency}</td>
                <td className="num">{b.openCount}</td>
                <td className="num">
                  <Money minor={b.pipelineMinor} currency={b.currency} />
                </td>
                <td className="num">
                  <Money minor={b.weightedMinor} currency={b.currency} />
                </td>
                <td className="num">
                  {b.wonCount > 0 ? (
                    <>
                      <Money minor={b.wonMinor} currency={b.currency} /> ({b.wonCount})
                    </>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
            {forecast.totals.map((t) => (
              <tr key={`total-${t.currency}`} className="current">
                <th scope="row">Total</th>
                <td>{t.currency}</td>
                <td className="num">{t.openCount}</td>
                <td className="num">{formatMoney(t.pipelineMinor, t.currency)}</td>
                <td className="num">{formatMoney(t.weightedMinor, t.currency)}</td>
                <td className="num">{t.wonCount > 0 ? formatMoney(t.wonMinor, t.currency) : "—"}</td>
              </tr>
            ))}
          </>
        )}
      </DataTable>
    </section>
  );
}

/** The stage probabilities: a form for admins, a table for everyone else. */
function StageProbabilities() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const isAdmin = useCrmAdmin();
  const stages = useQuery(trpc.crm.forecast.stageProbabilities.queryOptions());
  const [edits, setEdits] = useState<Record<string, string>>({});
  const save = useMutation(trpc.crm.forecast.setStageProbability.mutationOptions());
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    for (const stage of CRM_OPEN_STAGES) {
      const text = edits[stage];
      const current = stages.data?.find((s) => s.stage === stage)?.probabilityPct;
      if (text === undefined || text === "" || Number(text) === current) continue;
      await save.mutateAsync({ stage, probabilityPct: Number.parseInt(text, 10) }).catch(() => {});
    }
    setEdits({});
    await queryClient.invalidateQueries({ queryKey: trpc.crm.forecast.pathKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.crm.opportunities.board.queryKey() });
  };
  return (
    <section className="panel">
      <h2>Stage probabilities</h2>
      <ErrorAlert error={stages.error} />
      {isAdmin ? (
        <form className="grid-form" aria-label="Stage probabilities" onSubmit={onSubmit}>
          {CRM_OPEN_STAGES.map((stage) => {
            const current = stages.data?.find((s) => s.stage === stage)?.probabilityPct;
            return (
              <label key={stage}>
                {STAGE_LABELS[stage]} probability (%)
                <input
                  type="number"
                  min={0}
                  max={100}
                  required
                  value={edits[stage] ?? current ?? ""}
                  onChange={(e) => setEdits((x) => ({ ...x, [stage]: e.target.value }))}
                />
              </label>
            );
          })}
          <div className="actions">
            <button type="submit" disabled={save.isPending || Object.keys(edits).length === 0}>
              {save.isPending ? "Saving…" : "Save probabilities"}
            </button>
          </div>
          <p className="muted span-all">Won counts as 100 % and lost as 0 %; neither is in the weighted pipeline.</p>
          <ErrorAlert error={save.error} />
        </form>
      ) : (
        <DataTable
          rows={stages.data ?? []}
          label="Stage probabilities"
          head={
            <>
              <th>Stage</th>
              <th className="num">Probability</th>
            </>
          }
        >
          {(rows) =>
            rows.map((s) => (
              <tr key={s.stage}>
                <td>{STAGE_LABELS[s.stage]}</td>
                <td className="num">{s.probabilityPct} %</td>
              </tr>
            ))
          }
        </DataTable>
      )}
    </section>
  );
}
