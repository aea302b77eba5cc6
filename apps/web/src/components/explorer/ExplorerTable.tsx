/**
 * The explorer's table view: one row per bucket, one column per series (and its previous period),
 * headed with the metric's unit and the group; and the totals of every series.
 */
import type { ExploreResult, ExplorerMetric } from "@fleetcore/validators";
import { bucketFormatter } from "../analytics";
import { formatValue } from "./ExplorerChart";

/** Bucket × series values. */
export function ExplorerTable({ result, catalog }: { result: ExploreResult; catalog: readonly ExplorerMetric[] }) {
  const metricOf = new Map(catalog.map((m) => [m.id, m]));
  const label = bucketFormatter(result.bucket, result.timezone, { year: true });
  const columns = [
    ...result.series.map((s) => ({ ...s, prev: false })),
    ...(result.previous?.series ?? []).map((s) => ({ ...s, prev: true })),
  ];
  const times = result.series[0]?.points.map((p) => p.t) ?? [];
  return (
    <div className="table-scroll explorer-table">
      <table aria-label="Explorer data">
        <thead>
          <tr>
            <th>Bucket ({result.timezone})</th>
            {columns.map((c) => {
              const m = metricOf.get(c.metric);
              return (
                <th key={`${c.metric}|${c.group}|${c.prev}`}>
                  {m?.label ?? c.metric} <span className="muted">[{m?.unit}]</span>
                  <br />
                  {c.groupLabel}
                  {c.prev ? " (previous period)" : ""}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {times.map((t, i) => (
            <tr key={t.getTime()}>
              <td>{label(t)}</td>
              {columns.map((c) => (
                <td key={`${c.metric}|${c.group}|${c.prev}`} className="explorer-num">
                  {formatValue(c.points[i]?.value, metricOf.get(c.metric)?.unit ?? "")}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Each series' total over the period (and the previous one, with the change). */
export function ExplorerTotals({ result, catalog }: { result: ExploreResult; catalog: readonly ExplorerMetric[] }) {
  const metricOf = new Map(catalog.map((m) => [m.id, m]));
  const labelOf = new Map(result.series.map((s) => [`${s.metric}|${s.group}`, s.groupLabel]));
  const compared = result.previous !== null;
  return (
    <div className="table-scroll">
      <table aria-label="Explorer totals">
        <thead>
          <tr>
            <th>Metric</th>
            <th>Group</th>
            <th>Total</th>
            {compared && <th>Previous period</th>}
            {compared && <th>Change</th>}
          </tr>
        </thead>
        <tbody>
          {result.totals.map((t) => {
            const m = metricOf.get(t.metric);
            const unit = m?.unit ?? "";
            const change =
              t.value !== null && t.previousValue !== null && t.previousValue !== 0
                ? ((t.value - t.previousValue) / Math.abs(t.previousValue)) * 100
                : null;
            return (
              <tr key={`${t.metric}|${t.group}`}>
                <td>
                  {m?.label ?? t.metric}
                  {m && m.kind === "gauge" && (
                    <span className="muted">
                      {m.aggregation === "max" ? " (largest bucket)" : " (mean of buckets)"}
                    </span>
                  )}
                </td>
                <td>{labelOf.get(`${t.metric}|${t.group}`) ?? t.group}</td>
                <td className="explorer-num">{formatValue(t.value, unit)}</td>
                {compared && <td className="explorer-num">{formatValue(t.previousValue, unit)}</td>}
                {compared && (
                  <td className="explorer-num">
                    {change === null ? "—" : `${change > 0 ? "+" : ""}${change.toFixed(1)} %`}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
