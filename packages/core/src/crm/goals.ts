/**
 * Customer-success goals (crm_goals; customer-health.md "Goal Setting"): a metric with a current
 * and a target value, a unit, a measurement period, a target date and a status.
 *
 * Status rule: a goal is `achieved` exactly when current ≥ target and a completion date is set —
 * set automatically, never by hand. {@link refreshGoals} (the server's housekeeping) measures the
 * metrics Fleetcore knows (health score, NPS, seats), marks goals achieved when they reach their
 * target, and missed when their target date passes without it. Otherwise the status is the person's choice (on_track,
 * at_risk, missed); a goal that stops qualifying as achieved falls back to on_track unless a
 * status is given. Progress = current / target × 100 (one decimal, not capped; a zero target counts
 * as 100 %, a negative current as 0 %); the web caps the bar at 100. Values are numeric(16,2):
 * exact to the cent, sent as numbers (|v| ≤ 10¹², so exact in a double).
 */
import { type Db, type Prisma, type PrismaClient, withScope } from "@fleetcore/db";
import {
  type CreateCrmGoalRequest,
  type CrmGoal,
  type CrmGoalStatus,
  MEASURED_GOAL_METRIC_TYPES,
  type UpdateCrmGoalRequest,
  ZCreateCrmGoalRequest,
  ZUpdateCrmGoalRequest,
} from "@fleetcore/validators";
import { AuditTrail, systemActor, type Tx } from "../audit/audit";
import { DomainError } from "../errors";
import { assertTenant, isoDay, parseInput, utcDay } from "./shared";

type GoalRow = Prisma.CrmGoalModel;

/** Progress in percent, one decimal (see the module comment). Pure. */
export function goalProgressPct(currentValue: number, targetValue: number): number {
  if (targetValue <= 0) return 100;
  return Math.max(0, Math.round((currentValue / targetValue) * 1000) / 10);
}

/**
 * The status a goal gets: achieved when current ≥ target with a completion date; otherwise the
 * requested status, else the stored one (a stored `achieved` that no longer holds → on_track). Pure.
 */
export function goalStatus(
  goal: { currentValue: number; targetValue: number; completionDate: Date | null },
  requested: Exclude<CrmGoalStatus, "achieved"> | undefined,
  stored: CrmGoalStatus = "on_track",
): CrmGoalStatus {
  if (goal.completionDate && goal.currentValue >= goal.targetValue) return "achieved";
  return requested ?? (stored === "achieved" ? "on_track" : stored);
}

/** numeric(16,2) → number (exact: ≤ 10¹² with two decimals). */
function num(d: Prisma.Decimal): number {
  return Number(d.toString());
}

/** A number with at most two decimals as the exact decimal string Prisma stores. */
function decimal(v: number): string {
  return v.toFixed(2);
}

function toGoal(row: GoalRow): CrmGoal {
  const currentValue = num(row.currentValue);
  const targetValue = num(row.targetValue);
  return {
    id: row.id,
    tenantId: row.tenantId,
    title: row.title,
    description: row.description,
    metricType: row.metricType,
    currentValue,
    targetValue,
    unit: row.unit,
    measurementPeriod: row.measurementPeriod,
    status: row.status,
    targetDate: row.targetDate,
    completionDate: row.completionDate,
    progressPct: goalProgressPct(currentValue, targetValue),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function snapshot(g: CrmGoal) {
  return {
    title: g.title,
    description: g.description,
    metricType: g.metricType,
    currentValue: g.currentValue,
    targetValue: g.targetValue,
    unit: g.unit,
    measurementPeriod: g.measurementPeriod,
    status: g.status,
    targetDate: g.targetDate ? isoDay(g.targetDate) : null,
    completionDate: g.completionDate ? isoDay(g.completionDate) : null,
  };
}

async function findLive(db: Db, goalId: string): Promise<GoalRow> {
  const row = await db.crmGoal.findFirst({ where: { id: goalId, deletedAt: null } });
  if (!row) throw new DomainError("not_found", "goal not found");
  return row;
}

/** A tenant's live goals: open ones first (by target date), achieved and missed last. */
export async function listGoals(db: Db, tenantId: string): Promise<CrmGoal[]> {
  const rows = await db.crmGoal.findMany({
    where: { tenantId, deletedAt: null },
    orderBy: [{ targetDate: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
  });
  const rank = (s: CrmGoalStatus) => (s === "achieved" || s === "missed" ? 1 : 0);
  return rows.map(toGoal).sort((a, b) => rank(a.status) - rank(b.status));
}

/** Creates a goal for a tenant (status by {@link goalStatus}; audited `crm_goal.created`). @throws DomainError("invalid") */
export async function createGoal(tx: Tx, input: CreateCrmGoalRequest): Promise<CrmGoal> {
  const data = parseInput(ZCreateCrmGoalRequest, input);
  await assertTenant(tx.db, data.tenantId);
  const completionDate = data.completionDate ? utcDay(data.completionDate) : null;
  const row = await tx.db.crmGoal.create({
    data: {
      tenantId: data.tenantId,
      title: data.title,
      description: data.description || null,
      metricType: data.metricType,
      currentValue: decimal(data.currentValue),
      targetValue: decimal(data.targetValue),
      unit: data.unit || null,
      measurementPeriod: data.measurementPeriod,
      status: goalStatus({ ...data, completionDate }, data.status),
      targetDate: data.targetDate ? utcDay(data.targetDate) : null,
      completionDate,
      createdByUserId: tx.audit.actor.userId,
    },
  });
  const goal = toGoal(row);
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "crm_goal",
    entityId: row.id,
    action: "crm_goal.created",
    after: snapshot(goal),
  });
  return goal;
}

/**
 * Changes the given fields and re-derives the status ({@link goalStatus}); audited
 * `crm_goal.updated` with the difference. @throws DomainError("not_found"), ("invalid")
 */
export async function updateGoal(tx: Tx, input: UpdateCrmGoalRequest): Promise<CrmGoal> {
  const { goalId, status, ...data } = parseInput(ZUpdateCrmGoalRequest, input);
  const beforeRow = await findLive(tx.db, goalId);
  const before = toGoal(beforeRow);
  const currentValue = data.currentValue ?? before.currentValue;
  const targetValue = data.targetValue ?? before.targetValue;
  const completionDate =
    data.completionDate === undefined
      ? before.completionDate
      : data.completionDate
        ? utcDay(data.completionDate)
        : null;
  const row = await tx.db.crmGoal.update({
    where: { id: goalId },
    data: {
      ...(data.title === undefined ? {} : { title: data.title }),
      ...(data.description === undefined ? {} : { description: data.description || null }),
      ...(data.metricType === undefined ? {} : { metricType: data.metricType }),
      currentValue: decimal(currentValue),
      targetValue: decimal(targetValue),
      ...(data.unit === undefined ? {} : { unit: data.unit || null }),
      ...(data.measurementPeriod === undefined ? {} : { measurementPeriod: data.measurementPeriod }),
      ...(data.targetDate === undefined ? {} : { targetDate: data.targetDate ? utcDay(data.targetDate) : null }),
      completionDate,
      status: goalStatus({ currentValue, targetValue, completionDate }, status, before.status),
    },
  });
  const goal = toGoal(row);
  const [b, a] = [snapshot(before), snapshot(goal)];
  if (JSON.stringify(b) !== JSON.stringify(a)) {
    await tx.audit.record({
      tenantId: row.tenantId,
      entityType: "crm_goal",
      entityId: row.id,
      action: "crm_goal.updated",
      before: b,
      after: a,
    });
  }
  return goal;
}

/** Soft-deletes a goal (audited `crm_goal.deleted`). @throws DomainError("not_found") */
export async function deleteGoal(tx: Tx, goalId: string): Promise<void> {
  const before = toGoal(await findLive(tx.db, goalId));
  await tx.db.crmGoal.update({ where: { id: goalId }, data: { deletedAt: new Date() } });
  await tx.audit.record({
    tenantId: before.tenantId,
    entityType: "crm_goal",
    entityId: goalId,
    action: "crm_goal.deleted",
    before: snapshot(before),
    after: null,
  });
}

/** Days of feedback an NPS goal's value covers, by its measurement period. */
const PERIOD_DAYS: Record<CrmGoal["measurementPeriod"], number> = {
  daily: 1,
  weekly: 7,
  monthly: 30,
  quarterly: 91,
  yearly: 365,
};

/**
 * Net Promoter Score of 0–10 ratings (Reichheld, "The One Number You Need to Grow", HBR 2003):
 * % promoters (9–10) − % detractors (0–6), rounded to an integer; null without ratings. Pure.
 */
export function netPromoterScore(ratings: readonly number[]): number | null {
  if (ratings.length === 0) return null;
  const promoters = ratings.filter((r) => r >= 9).length;
  const detractors = ratings.filter((r) => r <= 6).length;
  return Math.round(((promoters - detractors) * 100) / ratings.length);
}

/** What {@link refreshGoals} changed. */
export interface GoalRefresh {
  measured: number;
  achieved: number;
  missed: number;
}

/**
 * Keeps open goals (not achieved or missed) true without anyone typing: the current value of
 * measured metrics ({@link MEASURED_GOAL_METRIC_TYPES}) is read from the platform — `health_score` the
 * tenant's latest daily score, `nps` the {@link netPromoterScore} of NPS answers over the goal's
 * measurement period, `seat_count` its active members — and then a goal whose current value reached
 * its target becomes `achieved` (completion date = today), and one whose target date has passed
 * without it becomes `missed`. Status changes are audited `crm_goal.updated` by the system; value
 * refreshes are not (they would flood the log). Idempotent; one system-scope transaction under an
 * advisory lock, so concurrent passes (several server processes) run one after the other.
 * @param now the clock (today = its UTC date)
 */
export async function refreshGoals(prisma: PrismaClient, now = new Date()): Promise<GoalRefresh> {
  const today = utcDay(now);
  return withScope(prisma, { kind: "system" }, async (db) => {
    // One pass at a time across server processes (each would otherwise audit the same change).
    await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleetcore.crm.goals.refresh', 0))`;
    const goals = await db.crmGoal.findMany({
      where: { deletedAt: null, status: { in: ["on_track", "at_risk"] } },
    });
    const result: GoalRefresh = { measured: 0, achieved: 0, missed: 0 };
    const audit = new AuditTrail(db, systemActor());
    for (const row of goals) {
      const before = toGoal(row);
      let currentValue = before.currentValue;
      if (MEASURED_GOAL_METRIC_TYPES.includes(row.metricType)) {
        const measured = await measureGoal(db, row, now);
        if (measured !== null && measured !== currentValue) {
          currentValue = measured;
          result.measured += 1;
        }
      }
      let status: CrmGoalStatus = before.status;
      let completionDate = before.completionDate;
      if (currentValue >= before.targetValue) {
        status = "achieved";
        completionDate = today;
      } else if (before.targetDate && before.targetDate < today) {
        status = "missed";
      }
      if (currentValue === before.currentValue && status === before.status) continue;
      const updated = toGoal(
        await db.crmGoal.update({
          where: { id: row.id },
          data: { currentValue: decimal(currentValue), status, completionDate },
        }),
      );
      if (status !== before.status) {
        if (status === "achieved") result.achieved += 1;
        else result.missed += 1;
        await audit.record({
          tenantId: row.tenantId,
          entityType: "crm_goal",
          entityId: row.id,
          action: "crm_goal.updated",
          before: snapshot(before),
          after: snapshot(updated),
          metadata: { automatic: true },
        });
      }
    }
    return result;
  });
}

/** The measured value of a goal's metric now, or null when there is nothing to measure yet. */
async function measureGoal(db: Db, goal: GoalRow, now: Date): Promise<number | null> {
  switch (goal.metricType) {
    case "health_score": {
      const latest = await db.tenantHealthScore.findFirst({
        where: { tenantId: goal.tenantId, day: { lte: now } },
        orderBy: { day: "desc" },
        select: { score: true },
      });
      return latest?.score ?? null;
    }
    case "nps": {
      const since = new Date(now.getTime() - PERIOD_DAYS[goal.measurementPeriod] * 86_400_000);
      const answers = await db.supCustomerFeedback.findMany({
        where: { tenantId: goal.tenantId, kind: "nps", respondedAt: { gte: since, lte: now }, rating: { not: null } },
        select: { rating: true },
      });
      return netPromoterScore(answers.map((a) => a.rating as number));
    }
    case "seat_count":
      return db.member.count({ where: { tenantId: goal.tenantId, status: "active", deletedAt: null } });
    default:
      return null;
  }
}
