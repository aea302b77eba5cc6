/**
 * Building blocks of the analytics pages (message analytics, support metrics, billing, the explorer,
 * the portfolio): a headline figure, a titled chart panel and the time-bucket label formatter.
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

/**
 * A chart (one recharts chart as `children`) under a heading, `height` px high (240 by default) and as
 * wide as its column; named by `label` (else its title, when a string) for assistive technology.
 * `message` shows between the heading and the chart (an error, "no data").
 */
export function ChartPanel({
  title,
  label,
  note,
  height = 240,
  message,
  children,
}: {
  title: ReactNode;
  label?: string;
  note?: ReactNode;
  height?: number;
  message?: ReactNode;
  children: ReactNode;
}) {
  return (
    <figure className="panel analytics-chart" aria-label={label ?? (typeof title === "string" ? title : undefined)}>
      <figcaption>
        <h2>{title}</h2>
        {note && <p className="muted hint">{note}</p>}
      </figcaption>
      {message}
      <ResponsiveContainer width="100%" height={height}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

/**
 * Labels of time buckets in `timeZone` (the zone the buckets were cut in): "Mar 5, 14:00" for hours,
 * "Mar 5" for days, "Week of Mar 2" for weeks (the bucket's Monday), "Mar 2026" for months. With
 * `year`, days and weeks carry a two-digit year too (for periods that span years).
 */
export function bucketFormatter(
  bucket: "hour" | "day" | "week" | "month",
  timeZone: string,
  opts: { year?: boolean } = {},
): (t: Date) => string {
  const options: Intl.DateTimeFormatOptions =
    bucket === "hour"
      ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
      : bucket === "month"
        ? { month: "short", year: "numeric" }
        : { month: "short", day: "numeric", ...(opts.year ? { year: "2-digit" as const } : {}) };
  const format = new Intl.DateTimeFormat(undefined, { ...options, timeZone });
  return bucket === "week" ? (t) => `Week of ${format.format(t)}` : (t) => format.format(t);
}
