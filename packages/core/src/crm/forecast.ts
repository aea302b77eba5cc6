/**
 * The sales forecast: per calendar month of the expected close date and per currency, how many
 * open opportunities there are, their pipeline total, their weighted total and what was won — plus
 * the stage probabilities (crm_stage_probabilities) the weighting uses.
 *
 * Weighted pipeline ("expected revenue" in Salesforce's terms, the usual weighted-pipeline method):
 * for the open opportunities of one (month, currency) bucket,
 *
 *     weightedMinor = round_half_up( Σ valueMinor × probabilityPct / 100 )
 *
 * where probabilityPct is the opportunity's own override, else its stage's. The products are summed
 * exactly as integers (bigint) and divided once per bucket, so no per-opportunity rounding
 * accumulates: (Σ v×p + 50) div 100, exact since values and probabilities are non-negative.
 * Currencies are never mixed or converted. Won opportunities count as won in the month of their
 * close date (moving an opportunity to won sets its close date to that day) and are not in the
 * weighted pipeline; lost ones are in neither.
 */
import type { Db } from "@fleetcore/db";
import {
  CRM_OPEN_STAGES,
  CRM_PIPELINE_STAGES,
  type CrmForecast,
  type CrmForecastBucket,
  type CrmForecastRequest,
  type CrmPipelineStage,
  ZCrmForecastRequest,
  ZSetCrmStageProbabilityRequest,
} from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { parseInput } from "./shared";

/** Probability percent per stage. */
export type StageProbabilities = Record<CrmPipelineStage, number>;

/** Defaults if a stage's row were missing (the migration seeds the same values). */
export const DEFAULT_STAGE_PROBABILITIES: StageProbabilities = {
  prospecting: 10,
  qualified: 25,
  proposal_sent: 50,
  negotiation: 75,
  won: 100,
  lost: 0,
};

/** The stage probabilities in force (crm_stage_probabilities; defaults fill a missing stage). */
export async function loadStageProbabilities(db: Db): Promise<StageProbabilities> {
  const rows = await db.crmStageProbability.findMany();
  const out = { ...DEFAULT_STAGE_PROBABILITIES };
  for (const r of rows) out[r.stage] = r.probabilityPct;
  return out;
}

/** The stage probability rows in board order, for the editor. */
export async function listStageProbabilities(db: Db) {
  const rows = await db.crmStageProbability.findMany();
  const byStage = new Map(rows.map((r) => [r.stage, r]));
  return CRM_PIPELINE_STAGES.map((stage) => ({
    stage,
    probabilityPct: byStage.get(stage)?.probabilityPct ?? DEFAULT_STAGE_PROBABILITIES[stage],
    updatedAt: byStage.get(stage)?.updatedAt ?? new Date(0),
  }));
}

/**
 * Sets an open stage's default probability, percent 0–100 (won stays 100 and lost 0: closed stages
 * are not weighted). Audited `crm_stage_probability.updated`.
 * @throws DomainError("invalid") for a closed stage or a percent outside 0–100
 */
export async function setStageProbability(tx: Tx, input: { stage: string; probabilityPct: number }) {
  const { stage, probabilityPct } = parseInput(ZSetCrmStageProbabilityRequest, input);
  const before = await tx.db.crmStageProbability.findUnique({ where: { stage } });
  const row = await tx.db.crmStageProbability.upsert({
    where: { stage },
    create: { stage, probabilityPct },
    update: { probabilityPct },
  });
  await tx.audit.record({
    tenantId: null,
    entityType: "crm_stage_probability",
    entityId: null,
    action: "crm_stage_probability.updated",
    before: { stage, probabilityPct: before?.probabilityPct ?? DEFAULT_STAGE_PROBABILITIES[stage] },
    after: { stage, probabilityPct: row.probabilityPct },
    metadata: { stage },
  });
  return { stage: row.stage, probabilityPct: row.probabilityPct, updatedAt: row.updatedAt };
}

/** What the forecast needs of an opportunity. */
export interface ForecastOpportunity {
  stage: CrmPipelineStage;
  /** Minor units of `currency`, ≥ 0. */
  estimatedValueMinor: bigint;
  currency: string;
  /** A calendar day (UTC midnight). */
  closeDate: Date;
  /** The opportunity's override, percent; null → the stage's. */
  probabilityPct: number | null;
}

/** "YYYY-MM" of a date's UTC calendar month. */
export function yearMonthOf(d: Date): string {
  return d.toISOString().slice(0, 7);
}

/** `count` consecutive months starting at `fromMonth` ("YYYY-MM"). */
export function monthRange(fromMonth: string, count: number): string[] {
  const [y = 0, m = 1] = fromMonth.split("-").map(Number);
  return Array.from({ length: count }, (_, i) => yearMonthOf(new Date(Date.UTC(y, m - 1 + i, 1))));
}

/** Σ v×p / 100 rounded half up, for a non-negative sum of products (see the module comment). */
export function roundPercentHalfUp(sumOfValueTimesPct: bigint): bigint {
  return (sumOfValueTimesPct + 50n) / 100n;
}

/** The probability the forecast uses for one opportunity: its override, else its stage's. */
export function effectiveProbability(
  o: Pick<ForecastOpportunity, "stage" | "probabilityPct">,
  stages: StageProbabilities,
) {
  return o.probabilityPct ?? stages[o.stage];
}

/**
 * The forecast of `opportunities` over `months` (as from {@link monthRange}): one bucket per
 * (month, currency) that has an open or won opportunity, ordered by month then currency, and
 * per-currency totals over the range (weighted totals rounded once per currency, from the exact sum
 * of products). Opportunities closing outside the range are left out. Pure.
 */
export function computeForecast(
  opportunities: readonly ForecastOpportunity[],
  stages: StageProbabilities,
  months: readonly string[],
): CrmForecast {
  const inRange = new Set(months);
  type Acc = { openCount: number; pipelineMinor: bigint; weightedSum: bigint; wonCount: number; wonMinor: bigint };
  const empty = (): Acc => ({ openCount: 0, pipelineMinor: 0n, weightedSum: 0n, wonCount: 0, wonMinor: 0n });
  const buckets = new Map<string, Acc>();
  const totals = new Map<string, Acc>();
  for (const o of opportunities) {
    if (o.stage === "lost") continue;
    const month = yearMonthOf(o.closeDate);
    if (!inRange.has(month)) continue;
    const key = `${month} ${o.currency}`;
    const bucket = buckets.get(key) ?? empty();
    const total = totals.get(o.currency) ?? empty();
    for (const acc of [bucket, total]) {
      if (o.stage === "won") {
        acc.wonCount += 1;
        acc.wonMinor += o.estimatedValueMinor;
      } else {
        acc.openCount += 1;
        acc.pipelineMinor += o.estimatedValueMinor;
        acc.weightedSum += o.estimatedValueMinor * BigInt(effectiveProbability(o, stages));
      }
    }
    buckets.set(key, bucket);
    totals.set(o.currency, total);
  }
  const finish = (a: Acc) => ({
    openCount: a.openCount,
    pipelineMinor: a.pipelineMinor,
    weightedMinor: roundPercentHalfUp(a.weightedSum),
    wonCount: a.wonCount,
    wonMinor: a.wonMinor,
  });
  const currencies = [...totals.keys()].sort();
  const out: CrmForecastBucket[] = [];
  for (const month of months) {
    for (const currency of currencies) {
      const acc = buckets.get(`${month} ${currency}`);
      if (acc) out.push({ month, currency, ...finish(acc) });
    }
  }
  return {
    months: [...months],
    currencies,
    buckets: out,
    totals: currencies.map((currency) => ({ currency, ...finish(totals.get(currency) ?? empty()) })),
  };
}

/**
 * The forecast from the database: live open and won opportunities closing in `months` calendar
 * months from `fromMonth` (default: the UTC month of `now`), weighted with the stage probabilities
 * in force. See {@link computeForecast}.
 */
export async function getForecast(db: Db, input: CrmForecastRequest, now = new Date()): Promise<CrmForecast> {
  const q = parseInput(ZCrmForecastRequest, input);
  const months = monthRange(q.fromMonth ?? yearMonthOf(now), q.months);
  const first = `${months[0]}-01T00:00:00Z`;
  const afterLast = `${monthRange(months.at(-1) ?? months[0] ?? "", 2)[1]}-01T00:00:00Z`;
  const stages = await loadStageProbabilities(db);
  const rows = await db.crmOpportunity.findMany({
    where: {
      deletedAt: null,
      stage: { in: [...CRM_OPEN_STAGES, "won"] },
      closeDate: { gte: new Date(first), lt: new Date(afterLast) },
    },
    select: { stage: true, estimatedValueMinor: true, currency: true, closeDate: true, probabilityPct: true },
  });
  return computeForecast(rows, stages, months);
}
