/**
 * Building blocks of the analytics pages (message analytics, support metrics, billing): a headline
 * figure and a titled chart panel.
 */
import type { ReactNode } from "react";
import { ResponsiveContainer } from "recharts";

/** A headline figure with its label; `hint` shows as a tooltip (how it is computed). */
export function Kpi({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div className="analytics-kpi" title={hint}>
      <span className="analytics-kpi-value">{value}</span>
      <span className="muted">{label}</span>
    </div>
  );
}

/** A chart (one recharts chart as `children`) under a heading, 240 px high and as wide as its column. */
export function ChartPanel({ title, note, children }: { title: string; note?: string; children: ReactNode }) {
  return (
    <figure className="panel analytics-chart">
      <figcaption>
        <h2>{title}</h2>
        {note && <p className="muted hint">{note}</p>}
      </figcaption>
      <ResponsiveContainer width="100%" height={240}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}
