/**
 * One explorer chart per metric (metrics have different units): a line, area or bar per group,
 * the previous period dashed (lines, areas) or faded (bars). Gauges' empty buckets are null and
 * break the line (`connectNulls={false}`); counts' are 0.
 */
import type { ExploreResult, ExplorerMetric, ExploreSeries } from "@fleetcore/validators";
import { useMemo } from "react";
import { Area, Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from "recharts";
import { bucketFormatter, ChartPanel } from "../analytics";
import type { ExplorerChartType } from "./viewState";

/** Series colours, in group order (Other is always grey). */
export const EXPLORER_COLORS = [
  "#2563eb",
  "#0f766e",
  "#f59e0b",
  "#7c3aed",
  "#b42318",
  "#0891b2",
  "#65a30d",
  "#db2777",
  "#ea580c",
  "#4f46e5",
  "#15803d",
  "#a16207",
];
const OTHER_COLOR = "#94a3b8";

/** A value with its unit for tooltips and tables ("—" for a gap). */
export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return "—";
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) < 10 ? 2 : 1;
  const text = value.toLocaleString(undefined, { maximumFractionDigits: digits });
  return unit === "count" ? text : `${text} ${unit}`;
}

const colorOf = (s: ExploreSeries, i: number) =>
  s.group === "__other__" ? OTHER_COLOR : (EXPLORER_COLORS[i % EXPLORER_COLORS.length] ?? "#2563eb");

/** The chart of `metric` in `result`. */
export function ExplorerChart({
  result,
  metric,
  chart,
}: {
  result: ExploreResult;
  metric: ExplorerMetric;
  chart: ExplorerChartType;
}) {
  const series = result.series.filter((s) => s.metric === metric.id);
  const previous = result.previous?.series.filter((s) => s.metric === metric.id) ?? [];
  const rows = useMemo(() => {
    const label = bucketFormatter(result.bucket, result.timezone, { year: true });
    const times = series[0]?.points.map((p) => p.t) ?? [];
    return times.map((t, i) => {
      const row: Record<string, number | string | null> = { label: label(t) };
      series.forEach((s, j) => {
        row[`s${j}`] = s.points[i]?.value ?? null;
      });
      previous.forEach((s, j) => {
        row[`p${j}`] = s.points[i]?.value ?? null;
      });
      return row;
    });
  }, [result, series, previous]);

  const element = (key: string, name: string, color: string, prev: boolean) => {
    if (chart === "bar") {
      return (
        <Bar
          key={key}
          dataKey={key}
          name={name}
          fill={color}
          fillOpacity={prev ? 0.35 : 0.9}
          isAnimationActive={false}
        />
      );
    }
    const common = {
      key,
      dataKey: key,
      name,
      stroke: color,
      strokeDasharray: prev ? "5 4" : undefined,
      strokeOpacity: prev ? 0.7 : 1,
      dot: false,
      connectNulls: false,
      isAnimationActive: false,
      type: "linear" as const,
    };
    return chart === "area" ? <Area {...common} fill={color} fillOpacity={prev ? 0.05 : 0.15} /> : <Line {...common} />;
  };

  return (
    <ChartPanel
      title={
        <>
          {metric.label} <span className="muted">({metric.unit})</span>
        </>
      }
      label={`${metric.label} chart`}
      note={`${metric.description} ${metric.kind === "count" ? "Empty buckets count 0." : "Empty buckets are gaps."}`}
      height={300}
      message={series.length === 0 && <p className="muted">No data in this period.</p>}
    >
      <ComposedChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" minTickGap={24} />
        <YAxis width={64} tickFormatter={(v: number) => v.toLocaleString(undefined, { notation: "compact" })} />
        <Tooltip formatter={(v) => formatValue(typeof v === "number" ? v : null, metric.unit)} />
        <Legend />
        {series.map((s, j) => element(`s${j}`, s.groupLabel, colorOf(s, j), false))}
        {previous.map((s, j) => element(`p${j}`, `${s.groupLabel} (previous period)`, colorOf(s, j), true))}
      </ComposedChart>
    </ChartPanel>
  );
}
