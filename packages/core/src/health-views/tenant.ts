/**
 * Read models of one tenant's health detail page (issue 8 "Tenant detail"): the latest score with
 * its components (the reason sentences, weights, inputs and references the daily scoring stored)
 * and churn drivers, the daily score history with the four component lines, the daily activity
 * series (adm_tenant_activity_metrics), health alerts and customer-success tasks — and completing
 * a task (audited). Range reads go through the hypertables' (tenant_id, day|period_start) primary
 * keys with both ends bounded, so only the chunks of the range are scanned (a 2-year history is
 * ~730 rows from 9 chunks: well inside the 50 ms budget). Needs a provider or system scope.
 */
import type { Db } from "@fleetcore/db";
import {
  PORTFOLIO_ALERT_OPEN_DAYS,
  type PortfolioActivityPoint,
  type PortfolioAlert,
  type PortfolioAlertsRequest,
  type PortfolioComponent,
  type PortfolioRangeRequest,
  type PortfolioScorePoint,
  type PortfolioTask,
  type PortfolioTasksRequest,
  type PortfolioTenant,
  type PortfolioTenantRequest,
  ZCompletePortfolioTaskRequest,
  ZHealthComponent,
  ZPortfolioAlertsRequest,
  ZPortfolioRangeRequest,
  ZPortfolioTasksRequest,
  ZPortfolioTenantRequest,
} from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { isoDay, parseInput, utcDay } from "../crm/shared";
import { DomainError } from "../errors";
import { loadPortfolioRows, type PortfolioViewer, toChurnDriver } from "./portfolio";

/**
 * The stored components JSON (an array of {@link ZHealthComponent}), validated; entries that do not
 * match (hand-edited rows) are left out rather than shown as made-up numbers. A component without
 * data keeps `score: null`.
 */
function toComponents(v: unknown): PortfolioComponent[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((c) => {
    const parsed = ZHealthComponent.safeParse(c);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * `portfolio.tenant`: the tenant's portfolio row (latest score, trends, churn risk, ARR, renewal…)
 * with the latest score's components and every churn driver (largest contribution first).
 * @throws DomainError("not_found") when the tenant does not exist
 */
export async function getTenantHealth(
  db: Db,
  viewer: PortfolioViewer,
  input: PortfolioTenantRequest,
  now = new Date(),
): Promise<PortfolioTenant> {
  const { tenantId } = parseInput(ZPortfolioTenantRequest, input);
  const [row] = await loadPortfolioRows(db, viewer, { scope: "all", tenantId }, now);
  if (!row) throw new DomainError("not_found", "tenant not found");
  if (!row.day) return { row, components: [], churnDrivers: [] };
  const latest = await db.tenantHealthScore.findUnique({
    where: { tenantId_day: { tenantId, day: row.day } },
    select: { components: true, churnDrivers: true },
  });
  const components = toComponents(latest?.components);
  const churnDrivers = (Array.isArray(latest?.churnDrivers) ? latest.churnDrivers : [])
    .map(toChurnDriver)
    .filter((d) => d !== null)
    .sort((a, b) => b.contribution - a.contribution);
  return { row, components, churnDrivers };
}

/**
 * `portfolio.scoreHistory`: one point per scored day in [from, to] (UTC days), oldest first. A
 * component without data that day is null (its column is null, like `components[].score`).
 */
export async function tenantScoreHistory(db: Db, input: PortfolioRangeRequest): Promise<PortfolioScorePoint[]> {
  const q = parseInput(ZPortfolioRangeRequest, input);
  const rows = await db.tenantHealthScore.findMany({
    where: { tenantId: q.tenantId, day: { gte: utcDay(q.from), lte: utcDay(q.to) } },
    select: {
      day: true,
      score: true,
      band: true,
      productUsageScore: true,
      supportScore: true,
      engagementScore: true,
      businessScore: true,
      churnRisk: true,
    },
    orderBy: { day: "asc" },
  });
  return rows.map((r) => ({
    day: r.day,
    score: r.score,
    band: r.band === "red" || r.band === "yellow" ? r.band : "green",
    productUsage: r.productUsageScore,
    support: r.supportScore,
    engagement: r.engagementScore,
    business: r.businessScore,
    churnRisk: r.churnRisk,
  }));
}

/** `portfolio.activity`: the daily activity metrics in [from, to] (UTC days), oldest first; missing days are absent. */
export async function tenantActivity(db: Db, input: PortfolioRangeRequest): Promise<PortfolioActivityPoint[]> {
  const q = parseInput(ZPortfolioRangeRequest, input);
  const rows = await db.tenantActivityMetric.findMany({
    where: { tenantId: q.tenantId, periodStart: { gte: utcDay(q.from), lte: utcDay(q.to) } },
    select: {
      periodStart: true,
      activeUsers: true,
      logins: true,
      activeVehicles: true,
      positions: true,
      distanceM: true,
      messagesSent: true,
      messagesReceived: true,
      ticketsOpened: true,
      ticketsOpen: true,
      featureCount: true,
    },
    orderBy: { periodStart: "asc" },
  });
  return rows.map(({ periodStart, positions, distanceM, ...r }) => ({
    day: periodStart,
    ...r,
    positions: Number(positions),
    distanceM: Number(distanceM),
  }));
}

/** `portfolio.alerts`: the tenant's health alerts, newest first, each with whether it is still open. */
export async function listTenantAlerts(
  db: Db,
  input: PortfolioAlertsRequest,
  now = new Date(),
): Promise<PortfolioAlert[]> {
  const q = parseInput(ZPortfolioAlertsRequest, input);
  const alerts = await db.healthAlert.findMany({
    where: { tenantId: q.tenantId },
    orderBy: [{ day: "desc" }, { createdAt: "desc" }],
    take: q.limit,
  });
  const taskIds = alerts.flatMap((a) => (a.taskId ? [a.taskId] : []));
  const tasks = taskIds.length
    ? await db.crmTask.findMany({ where: { id: { in: taskIds } }, select: { id: true, status: true } })
    : [];
  const openTasks = new Set(tasks.filter((t) => t.status === "open").map((t) => t.id));
  const openSince = isoDay(new Date(utcDay(now).getTime() - PORTFOLIO_ALERT_OPEN_DAYS * 86_400_000));
  return alerts.map((a) => ({
    id: a.id,
    tenantId: a.tenantId,
    day: a.day,
    kind: a.kind,
    message: a.message,
    taskId: a.taskId,
    open: a.taskId ? openTasks.has(a.taskId) : isoDay(a.day) > openSince,
    createdAt: a.createdAt,
  }));
}

type TaskRow = {
  id: string;
  tenantId: string;
  title: string;
  description: string | null;
  source: string;
  status: string;
  dueDate: Date | null;
  assigneeEmployeeId: string | null;
  completedAt: Date | null;
  createdAt: Date;
};

async function toTasks(db: Db, rows: TaskRow[]): Promise<PortfolioTask[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.assigneeEmployeeId ? [r.assigneeEmployeeId] : [])))];
  const employees = ids.length
    ? await db.providerEmployee.findMany({
        where: { id: { in: ids } },
        select: { id: true, user: { select: { fullName: true, email: true } } },
      })
    : [];
  const names = new Map(employees.map((e) => [e.id, e.user.fullName ?? e.user.email]));
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenantId,
    title: r.title,
    description: r.description,
    source: r.source,
    status: r.status === "done" ? "done" : "open",
    dueDate: r.dueDate,
    assigneeEmployeeId: r.assigneeEmployeeId,
    assigneeName: r.assigneeEmployeeId ? (names.get(r.assigneeEmployeeId) ?? null) : null,
    completedAt: r.completedAt,
    createdAt: r.createdAt,
  }));
}

/** `portfolio.tasks.list`: the tenant's tasks, open ones first (by due date), then the newest done. */
export async function listTenantTasks(db: Db, input: PortfolioTasksRequest): Promise<PortfolioTask[]> {
  const q = parseInput(ZPortfolioTasksRequest, input);
  const rows = await db.crmTask.findMany({
    where: { tenantId: q.tenantId, ...(q.status ? { status: q.status } : {}) },
    orderBy: [{ status: "desc" }, { dueDate: { sort: "asc", nulls: "last" } }, { createdAt: "desc" }],
    take: 200,
  });
  return toTasks(db, rows);
}

/**
 * Marks a task done (completedAt = now); audited `crm_task.completed` with the status change.
 * Completing a done task changes nothing and returns it as it is.
 * @throws DomainError("not_found")
 */
export async function completeTenantTask(tx: Tx, input: { taskId: string }, now = new Date()): Promise<PortfolioTask> {
  const { taskId } = parseInput(ZCompletePortfolioTaskRequest, input);
  const task = await tx.db.crmTask.findUnique({ where: { id: taskId } });
  if (!task) throw new DomainError("not_found", "task not found");
  if (task.status === "done") return (await toTasks(tx.db, [task]))[0] as PortfolioTask;
  // Guarded by the status, so two concurrent completions cannot both record one.
  const updated = await tx.db.crmTask.updateMany({
    where: { id: taskId, status: "open" },
    data: { status: "done", completedAt: now },
  });
  const row = await tx.db.crmTask.findUniqueOrThrow({ where: { id: taskId } });
  if (updated.count === 1) {
    await tx.audit.record({
      tenantId: row.tenantId,
      entityType: "crm_task",
      entityId: row.id,
      action: "crm_task.completed",
      before: { status: "open", completedAt: null },
      after: { status: "done", completedAt: now.toISOString() },
      metadata: { title: row.title, source: row.source },
    });
  }
  return (await toTasks(tx.db, [row]))[0] as PortfolioTask;
}
