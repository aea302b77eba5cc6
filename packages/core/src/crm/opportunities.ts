/**
 * Sales opportunities (crm_opportunities; saas-provider-tables.md §5 "SalesOpportunity") and the
 * pipeline board. Stage state machine:
 *
 *     prospecting ⇄ qualified ⇄ proposal_sent ⇄ negotiation   (any open stage to any other open stage)
 *     any open stage → won
 *     any open stage → lost          (needs a lost reason)
 *     won | lost → negotiation       (only by `reopenOpportunity`, which the API gives to admins)
 *
 * A board lets a card be dropped on any column, so moves between open stages go either way; won and
 * lost are terminal for everyone but an explicit, audited reopen. Every move sets stageChangedAt;
 * won/lost set closedAt and the close date to the day it closed (the forecast counts won value in
 * the month of the close date), and every move is audited `crm_opportunity.stage_changed` with the
 * stage before and after. Values are integer minor units of the opportunity's currency.
 */
import type { Db, Prisma } from "@fleetcore/db";
import {
  CRM_PIPELINE_STAGES,
  type CreateCrmOpportunityRequest,
  type CrmBoard,
  type CrmOpportunity,
  type CrmPipelineStage,
  type CurrencyTotal,
  type ListCrmOpportunitiesRequest,
  type MoveCrmOpportunityRequest,
  type UpdateCrmOpportunityRequest,
  ZCreateCrmOpportunityRequest,
  ZCrmBoardRequest,
  ZListCrmOpportunitiesRequest,
  ZMoveCrmOpportunityRequest,
  ZReopenCrmOpportunityRequest,
  ZUpdateCrmOpportunityRequest,
} from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError } from "../errors";
import { searchWhere } from "../fleet/shared";
import { effectiveProbability, loadStageProbabilities, type StageProbabilities } from "./forecast";
import {
  assertEmployee,
  assertTenant,
  DAY_MS,
  EMPLOYEE_WITH_USER,
  lockKey,
  parseInput,
  personName,
  utcDay,
} from "./shared";

const OPPORTUNITY_INCLUDE = {
  lead: { select: { companyName: true } },
  // A lead that records the conversion even where the opportunity's leadId was not set.
  convertedFrom: { select: { companyName: true } },
  tenant: { select: { name: true } },
  accountManager: EMPLOYEE_WITH_USER,
} as const;

type OpportunityRow = Prisma.CrmOpportunityGetPayload<{ include: typeof OPPORTUNITY_INCLUDE }>;

const CLOSED: readonly CrmPipelineStage[] = ["won", "lost"];

/** True for won and lost. */
export function isClosedStage(stage: CrmPipelineStage): boolean {
  return CLOSED.includes(stage);
}

function toOpportunity(row: OpportunityRow, stages: StageProbabilities): CrmOpportunity {
  return {
    id: row.id,
    name: row.name,
    leadId: row.leadId,
    leadCompanyName: row.lead?.companyName ?? row.convertedFrom?.companyName ?? null,
    tenantId: row.tenantId,
    tenantName: row.tenant?.name ?? null,
    stage: row.stage,
    estimatedValueMinor: row.estimatedValueMinor,
    currency: row.currency,
    closeDate: row.closeDate,
    probabilityPct: row.probabilityPct,
    effectiveProbabilityPct: effectiveProbability(row, stages),
    accountManagerId: row.accountManagerId,
    accountManagerName: row.accountManager ? personName(row.accountManager.user) : null,
    boardRank: row.boardRank,
    stageChangedAt: row.stageChangedAt,
    closedAt: row.closedAt,
    lostReason: row.lostReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The audited fields of an opportunity. */
function snapshot(o: CrmOpportunity | OpportunityRow) {
  return {
    name: o.name,
    tenantId: o.tenantId,
    leadId: o.leadId,
    stage: o.stage,
    estimatedValueMinor: o.estimatedValueMinor.toString(),
    currency: o.currency,
    closeDate: o.closeDate,
    probabilityPct: o.probabilityPct,
    accountManagerId: o.accountManagerId,
    closedAt: o.closedAt,
    lostReason: o.lostReason,
  };
}

/**
 * Why a move from `from` to `to` is not allowed (a sentence naming both stages), or null when it
 * is. Reopening a closed opportunity is not a move (see {@link reopenOpportunity}). Pure.
 */
export function stageMoveProblem(from: CrmPipelineStage, to: CrmPipelineStage, lostReason?: string | null) {
  if (from === to) return `the opportunity is already in ${to}`;
  if (isClosedStage(from)) {
    return `cannot move from ${from} to ${to}: ${from} is a closed stage (only an admin can reopen it to negotiation)`;
  }
  if (to === "lost" && !lostReason?.trim()) return `moving from ${from} to lost needs a lost reason`;
  return null;
}

async function findLive(db: Db, opportunityId: string): Promise<OpportunityRow> {
  const row = await db.crmOpportunity.findFirst({
    where: { id: opportunityId, deletedAt: null },
    include: OPPORTUNITY_INCLUDE,
  });
  if (!row) throw new DomainError("not_found", "opportunity not found");
  return row;
}

/** The rank after the last card of `stage`'s column. */
async function endOfColumn(db: Db, stage: CrmPipelineStage): Promise<number> {
  const last = await db.crmOpportunity.aggregate({
    where: { stage, deletedAt: null },
    _max: { boardRank: true },
  });
  return (last._max.boardRank ?? -1) + 1;
}

/** The rank that puts a card just above `beforeId` in `stage`'s column (cards from there move down one). */
async function rankBefore(db: Db, stage: CrmPipelineStage, beforeId: string): Promise<number> {
  const before = await db.crmOpportunity.findFirst({
    where: { id: beforeId, stage, deletedAt: null },
    select: { boardRank: true },
  });
  if (!before) throw new DomainError("invalid", `the card to place it before is not in ${stage}`);
  await db.crmOpportunity.updateMany({
    where: { stage, deletedAt: null, boardRank: { gte: before.boardRank } },
    data: { boardRank: { increment: 1 } },
  });
  return before.boardRank;
}

/**
 * Live opportunities, open ones only unless `includeClosed`, filtered by stage, tenant, account
 * manager and free text (name, lead company), by close date then name.
 */
export async function listOpportunities(db: Db, input: ListCrmOpportunitiesRequest): Promise<CrmOpportunity[]> {
  const q = parseInput(ZListCrmOpportunitiesRequest, input);
  const stages = await loadStageProbabilities(db);
  const rows = await db.crmOpportunity.findMany({
    where: {
      deletedAt: null,
      ...(q.stage ? { stage: q.stage } : q.includeClosed ? {} : { stage: { notIn: [...CLOSED] } }),
      ...(q.tenantId ? { tenantId: q.tenantId } : {}),
      ...(q.accountManagerId ? { accountManagerId: q.accountManagerId } : {}),
      AND: searchWhere(q.search, ["name"]),
    },
    include: OPPORTUNITY_INCLUDE,
    orderBy: [{ closeDate: "asc" }, { name: "asc" }, { id: "asc" }],
    take: q.limit,
  });
  return rows.map((r) => toOpportunity(r, stages));
}

/** One live opportunity. @throws DomainError("not_found") */
export async function getOpportunity(db: Db, opportunityId: string): Promise<CrmOpportunity> {
  return toOpportunity(await findLive(db, opportunityId), await loadStageProbabilities(db));
}

/**
 * Creates an opportunity in an open stage, at the end of its board column; audited
 * `crm_opportunity.created`. Also used by lead conversion (with `leadId`).
 * @throws DomainError("invalid") bad input, unknown tenant, lead or account manager
 */
export async function createOpportunity(tx: Tx, input: CreateCrmOpportunityRequest): Promise<CrmOpportunity> {
  const data = parseInput(ZCreateCrmOpportunityRequest, input);
  await assertTenant(tx.db, data.tenantId);
  await assertEmployee(tx.db, data.accountManagerId);
  if (data.leadId) {
    const lead = await tx.db.crmLead.findFirst({ where: { id: data.leadId, deletedAt: null }, select: { id: true } });
    if (!lead) throw new DomainError("invalid", "the lead does not exist");
  }
  const row = await tx.db.crmOpportunity.create({
    data: {
      name: data.name,
      tenantId: data.tenantId ?? null,
      leadId: data.leadId ?? null,
      stage: data.stage,
      estimatedValueMinor: data.estimatedValueMinor,
      currency: data.currency,
      closeDate: utcDay(data.closeDate),
      probabilityPct: data.probabilityPct ?? null,
      accountManagerId: data.accountManagerId ?? null,
      boardRank: await endOfColumn(tx.db, data.stage),
    },
    include: OPPORTUNITY_INCLUDE,
  });
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "crm_opportunity",
    entityId: row.id,
    action: "crm_opportunity.created",
    after: snapshot(row),
  });
  return toOpportunity(row, await loadStageProbabilities(tx.db));
}

/**
 * Changes the given fields (not the stage: {@link moveOpportunityStage}); audited
 * `crm_opportunity.updated` with the field-level difference.
 * @throws DomainError("not_found"), ("invalid")
 */
export async function updateOpportunity(tx: Tx, input: UpdateCrmOpportunityRequest): Promise<CrmOpportunity> {
  const { opportunityId, ...data } = parseInput(ZUpdateCrmOpportunityRequest, input);
  const before = await findLive(tx.db, opportunityId);
  await assertTenant(tx.db, data.tenantId);
  await assertEmployee(tx.db, data.accountManagerId);
  const row = await tx.db.crmOpportunity.update({
    where: { id: opportunityId },
    data: {
      ...(data.name === undefined ? {} : { name: data.name }),
      ...(data.tenantId === undefined ? {} : { tenantId: data.tenantId }),
      ...(data.estimatedValueMinor === undefined ? {} : { estimatedValueMinor: data.estimatedValueMinor }),
      ...(data.currency === undefined ? {} : { currency: data.currency }),
      ...(data.closeDate === undefined ? {} : { closeDate: utcDay(data.closeDate) }),
      ...(data.probabilityPct === undefined ? {} : { probabilityPct: data.probabilityPct }),
      ...(data.accountManagerId === undefined ? {} : { accountManagerId: data.accountManagerId }),
    },
    include: OPPORTUNITY_INCLUDE,
  });
  const [b, a] = [snapshot(before), snapshot(row)];
  if (JSON.stringify(b) !== JSON.stringify(a)) {
    await tx.audit.record({
      tenantId: row.tenantId,
      entityType: "crm_opportunity",
      entityId: row.id,
      action: "crm_opportunity.updated",
      before: b,
      after: a,
    });
  }
  return toOpportunity(row, await loadStageProbabilities(tx.db));
}

/** Soft-deletes an opportunity (audited `crm_opportunity.deleted`). @throws DomainError("not_found") */
export async function deleteOpportunity(tx: Tx, opportunityId: string): Promise<void> {
  const before = await findLive(tx.db, opportunityId);
  await tx.db.crmOpportunity.update({ where: { id: opportunityId }, data: { deletedAt: new Date() } });
  await tx.audit.record({
    tenantId: before.tenantId,
    entityType: "crm_opportunity",
    entityId: opportunityId,
    action: "crm_opportunity.deleted",
    before: snapshot(before),
    after: null,
  });
}

/**
 * Moves an opportunity to another stage (the board's drag and drop), or — same stage with
 * `beforeOpportunityId` — reorders it within its column. A stage move sets stageChangedAt; to
 * won/lost also closedAt and the close date (that day); lost keeps the reason. Placed above
 * `beforeOpportunityId` or at the end of the column. Audited `crm_opportunity.stage_changed`
 * (before/after stage, closedAt, closeDate, lostReason), or `crm_opportunity.reordered`.
 * @throws DomainError("not_found"); ("invalid") an illegal move, with {@link stageMoveProblem}'s reason
 */
export async function moveOpportunityStage(
  tx: Tx,
  input: MoveCrmOpportunityRequest,
  now = new Date(),
): Promise<CrmOpportunity> {
  const q = parseInput(ZMoveCrmOpportunityRequest, input);
  await lockKey(tx.db, `crm_opportunities:${q.opportunityId}`);
  const before = await findLive(tx.db, q.opportunityId);
  if (q.stage === before.stage && q.beforeOpportunityId && q.beforeOpportunityId !== before.id) {
    const boardRank = await rankBefore(tx.db, q.stage, q.beforeOpportunityId);
    const row = await tx.db.crmOpportunity.update({
      where: { id: before.id },
      data: { boardRank },
      include: OPPORTUNITY_INCLUDE,
    });
    await tx.audit.record({
      tenantId: row.tenantId,
      entityType: "crm_opportunity",
      entityId: row.id,
      action: "crm_opportunity.reordered",
      before: { boardRank: before.boardRank },
      after: { boardRank: row.boardRank },
    });
    return toOpportunity(row, await loadStageProbabilities(tx.db));
  }
  const problem = stageMoveProblem(before.stage, q.stage, q.lostReason);
  if (problem) throw new DomainError("invalid", problem);
  const closing = isClosedStage(q.stage);
  const boardRank = q.beforeOpportunityId
    ? await rankBefore(tx.db, q.stage, q.beforeOpportunityId)
    : await endOfColumn(tx.db, q.stage);
  const row = await tx.db.crmOpportunity.update({
    where: { id: before.id },
    data: {
      stage: q.stage,
      stageChangedAt: now,
      boardRank,
      closedAt: closing ? now : null,
      ...(closing ? { closeDate: utcDay(now) } : {}),
      lostReason: q.stage === "lost" ? (q.lostReason?.trim() ?? null) : null,
    },
    include: OPPORTUNITY_INCLUDE,
  });
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "crm_opportunity",
    entityId: row.id,
    action: "crm_opportunity.stage_changed",
    before: snapshot(before),
    after: snapshot(row),
    metadata: { fromStage: before.stage, toStage: row.stage },
  });
  return toOpportunity(row, await loadStageProbabilities(tx.db));
}

/**
 * Reopens a won or lost opportunity to negotiation (the API lets admins only), clearing closedAt
 * and the lost reason. Audited `crm_opportunity.reopened` with the reason.
 * @throws DomainError("not_found"); ("invalid") when it is not won or lost
 */
export async function reopenOpportunity(
  tx: Tx,
  input: { opportunityId: string; reason: string },
  now = new Date(),
): Promise<CrmOpportunity> {
  const q = parseInput(ZReopenCrmOpportunityRequest, input);
  await lockKey(tx.db, `crm_opportunities:${q.opportunityId}`);
  const before = await findLive(tx.db, q.opportunityId);
  if (!isClosedStage(before.stage)) {
    throw new DomainError("invalid", `only a won or lost opportunity can be reopened; this one is in ${before.stage}`);
  }
  const row = await tx.db.crmOpportunity.update({
    where: { id: before.id },
    data: {
      stage: "negotiation",
      stageChangedAt: now,
      closedAt: null,
      lostReason: null,
      boardRank: await endOfColumn(tx.db, "negotiation"),
    },
    include: OPPORTUNITY_INCLUDE,
  });
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "crm_opportunity",
    entityId: row.id,
    action: "crm_opportunity.reopened",
    before: snapshot(before),
    after: snapshot(row),
    metadata: { fromStage: before.stage, toStage: row.stage, reason: q.reason },
  });
  return toOpportunity(row, await loadStageProbabilities(tx.db));
}

/** Totals per currency of `cards`, by currency code. */
export function totalsByCurrency(cards: readonly { currency: string; estimatedValueMinor: bigint }[]): CurrencyTotal[] {
  const totals = new Map<string, CurrencyTotal>();
  for (const c of cards) {
    const t = totals.get(c.currency) ?? { currency: c.currency, totalMinor: 0n, count: 0 };
    t.totalMinor += c.estimatedValueMinor;
    t.count += 1;
    totals.set(c.currency, t);
  }
  return [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/**
 * The pipeline board: a column per stage in order, cards by board rank, each column's count and
 * total value per currency. Won and lost columns hold those closed in the last `closedWithinDays`.
 */
export async function getBoard(
  db: Db,
  input: { closedWithinDays?: number; accountManagerId?: string },
  now = new Date(),
): Promise<CrmBoard> {
  const q = parseInput(ZCrmBoardRequest, input);
  const stages = await loadStageProbabilities(db);
  const rows = await db.crmOpportunity.findMany({
    where: {
      deletedAt: null,
      ...(q.accountManagerId ? { accountManagerId: q.accountManagerId } : {}),
      OR: [
        { stage: { notIn: [...CLOSED] } },
        { closedAt: { gte: new Date(now.getTime() - q.closedWithinDays * DAY_MS) } },
      ],
    },
    include: OPPORTUNITY_INCLUDE,
    orderBy: [{ boardRank: "asc" }, { createdAt: "asc" }, { id: "asc" }],
  });
  const cards = rows.map((r) => toOpportunity(r, stages));
  return {
    columns: CRM_PIPELINE_STAGES.map((stage) => {
      const inColumn = cards.filter((c) => c.stage === stage);
      return {
        stage,
        probabilityPct: stages[stage],
        count: inColumn.length,
        totals: totalsByCurrency(inColumn),
        cards: inColumn,
      };
    }),
  };
}
