/**
 * Pieces shared by the account manager screens: band colours and chips, the trend arrow, churn
 * risk text and chart colours.
 */
import type { PortfolioBand } from "@fleetcore/validators";
import "./health.css";

/** Chart colours of the bands (the chips use the same hues in health.css). */
export const BAND_COLORS: Record<PortfolioBand, string> = { red: "#d92d20", yellow: "#f79009", green: "#12b76a" };

/** Chart colours of the score and its four components. */
export const COMPONENT_COLORS = {
  score: "#101828",
  productUsage: "#2563eb",
  support: "#7c3aed",
  engagement: "#0f766e",
  business: "#b54708",
} as const;

/** Component keys as people read them. */
export const COMPONENT_LABELS: Record<string, string> = {
  productUsage: "Product usage",
  support: "Support",
  engagement: "Engagement",
  business: "Business",
};

/** A band chip with the score inside ("42 red"); "no score" without one. */
export function BandChip({ band, score }: { band: PortfolioBand | null; score?: number | null }) {
  if (!band) return <span className="health-chip health-chip-none">no score</span>;
  return (
    <span className={`health-chip health-chip-${band}`} title={`Health band: ${band}`}>
      {score !== undefined && score !== null && <strong>{score}</strong>} {band}
    </span>
  );
}

/** ▲/▼ with the signed change in points (▬ when unchanged, — without a comparison). */
export function TrendArrow({ delta, days = 7 }: { delta: number | null; days?: number }) {
  if (delta === null) return <span className="muted">—</span>;
  const dir = delta > 0 ? "up" : delta < 0 ? "down" : "flat";
  const arrow = delta > 0 ? "▲" : delta < 0 ? "▼" : "▬";
  const text = delta > 0 ? `+${delta}` : String(delta);
  return (
    <span className={`health-trend health-trend-${dir} nowrap`} title={`${text} points vs ${days} days ago`}>
      {arrow} {text}
    </span>
  );
}

/**
 * "72/100 within 60 days" for a churn risk and its horizon, "—" without one. The risk is a 0–100
 * ranking of churn signals, not a probability (docs/health-score.md "Limitations"): never a "%".
 */
export function churnText(risk: number | null, horizonDays: number | null): string {
  if (risk === null) return "—";
  return horizonDays ? `${risk}/100 within ${horizonDays} days` : `${risk}/100`;
}
