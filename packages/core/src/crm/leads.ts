/**
 * Sales leads (crm_leads; fleetcore-data-model.md §11): prospects before they are opportunities.
 * Listing with filters, creation, editing, soft deletion, status moves by the table
 * `CRM_LEAD_TRANSITIONS` (@fleetcore/validators), and conversion into an opportunity — the only way
 * to `converted`. Every change is audited (`crm_lead.*`, tenant null: a lead belongs to no tenant).
 */
import type { Db, Prisma } from "@fleetcore/db";
import {
  type ConvertCrmLeadRequest,
  CRM_LEAD_CONVERTIBLE,
  CRM_LEAD_TRANSITIONS,
  type CreateCrmLeadRequest,
  type CrmLead,
  type CrmOpportunity,
  type ListCrmLeadsRequest,
  type UpdateCrmLeadRequest,
  ZConvertCrmLeadRequest,
  ZCreateCrmLeadRequest,
  ZListCrmLeadsRequest,
  ZSetCrmLeadStatusRequest,
  ZUpdateCrmLeadRequest,
} from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError } from "../errors";
import { searchWhere } from "../fleet/shared";
import { createOpportunity } from "./opportunities";
import { assertEmployee, EMPLOYEE_WITH_USER, lockKey, parseInput, personName } from "./shared";

const LEAD_INCLUDE = { owner: EMPLOYEE_WITH_USER } as const;
type LeadRow = Prisma.CrmLeadGetPayload<{ include: typeof LEAD_INCLUDE }>;

function toLead(row: LeadRow): CrmLead {
  return {
    id: row.id,
    companyName: row.companyName,
    contactName: row.contactName,
    contactEmail: row.contactEmail,
    contactPhone: row.contactPhone,
    source: row.source,
    status: row.status,
    priority: row.priority,
    fleetSize: row.fleetSize,
    countryCode: row.countryCode,
    notes: row.notes,
    ownerEmployeeId: row.ownerEmployeeId,
    ownerName: row.owner ? personName(row.owner.user) : null,
    convertedOpportunityId: row.convertedOpportunityId,
    convertedAt: row.convertedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const AUDITED = [
  "companyName",
  "contactName",
  "contactEmail",
  "contactPhone",
  "source",
  "status",
  "priority",
  "fleetSize",
  "countryCode",
  "notes",
  "ownerEmployeeId",
  "convertedOpportunityId",
] as const;

function snapshot(row: LeadRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of AUDITED) out[k] = row[k];
  return out;
}

async function findLive(db: Db, leadId: string): Promise<LeadRow> {
  const row = await db.crmLead.findFirst({ where: { id: leadId, deletedAt: null }, include: LEAD_INCLUDE });
  if (!row) throw new DomainError("not_found", "lead not found");
  return row;
}

/**
 * Why a lead may not go from `from` to `to` by hand (a sentence naming both), or null when it
 * may. See `CRM_LEAD_TRANSITIONS`. Pure.
 */
export function leadStatusProblem(from: CrmLead["status"], to: CrmLead["status"]): string | null {
  if (from === to) return `the lead is already ${to}`;
  if (to === "converted") return "a lead becomes converted only by converting it into an opportunity";
  if (CRM_LEAD_TRANSITIONS[from].includes(to)) return null;
  const allowed = CRM_LEAD_TRANSITIONS[from];
  return `a lead cannot go from ${from} to ${to}${allowed.length ? ` (from ${from}: ${allowed.join(", ")})` : ` (${from} is final)`}`;
}

/**
 * Live leads, newest first, filtered by status, priority, source, owner and free text (company,
 * contact name and email; every word must match).
 */
export async function listLeads(db: Db, input: ListCrmLeadsRequest): Promise<CrmLead[]> {
  const q = parseInput(ZListCrmLeadsRequest, input);
  const rows = await db.crmLead.findMany({
    where: {
      deletedAt: null,
      ...(q.status ? { status: q.status } : {}),
      ...(q.priority ? { priority: q.priority } : {}),
      ...(q.source ? { source: q.source } : {}),
      ...(q.ownerEmployeeId ? { ownerEmployeeId: q.ownerEmployeeId } : {}),
      AND: searchWhere(q.search, ["companyName", "contactName", "contactEmail"]),
    },
    include: LEAD_INCLUDE,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit,
  });
  return rows.map(toLead);
}

/** One live lead. @throws DomainError("not_found") */
export async function getLead(db: Db, leadId: string): Promise<CrmLead> {
  return toLead(await findLive(db, leadId));
}

/** Creates a lead (audited `crm_lead.created`). @throws DomainError("invalid") bad input or unknown owner */
export async function createLead(tx: Tx, input: CreateCrmLeadRequest): Promise<CrmLead> {
  const data = parseInput(ZCreateCrmLeadRequest, input);
  await assertEmployee(tx.db, data.ownerEmployeeId);
  const row = await tx.db.crmLead.create({
    data: {
      companyName: data.companyName,
      contactName: data.contactName,
      contactEmail: data.contactEmail ?? null,
      contactPhone: data.contactPhone ?? null,
      source: data.source,
      status: data.status,
      priority: data.priority,
      fleetSize: data.fleetSize ?? null,
      countryCode: data.countryCode ?? null,
      notes: data.notes || null,
      ownerEmployeeId: data.ownerEmployeeId ?? null,
    },
    include: LEAD_INCLUDE,
  });
  await tx.audit.record({
    tenantId: null,
    entityType: "crm_lead",
    entityId: row.id,
    action: "crm_lead.created",
    after: snapshot(row),
  });
  return toLead(row);
}

/**
 * Changes the given fields (not the status); audited `crm_lead.updated` with the difference.
 * A converted lead can still be edited (its contact details may change).
 * @throws DomainError("not_found"), ("invalid")
 */
export async function updateLead(tx: Tx, input: UpdateCrmLeadRequest): Promise<CrmLead> {
  const { leadId, ...data } = parseInput(ZUpdateCrmLeadRequest, input);
  const before = await findLive(tx.db, leadId);
  await assertEmployee(tx.db, data.ownerEmployeeId);
  const changes: Prisma.CrmLeadUncheckedUpdateInput = {};
  for (const [key, value] of Object.entries(data)) {
    if (value !== undefined) (changes as Record<string, unknown>)[key] = key === "notes" ? value || null : value;
  }
  const row = await tx.db.crmLead.update({ where: { id: leadId }, data: changes, include: LEAD_INCLUDE });
  const [b, a] = [snapshot(before), snapshot(row)];
  if (JSON.stringify(b) !== JSON.stringify(a)) {
    await tx.audit.record({
      tenantId: null,
      entityType: "crm_lead",
      entityId: leadId,
      action: "crm_lead.updated",
      before: b,
      after: a,
    });
  }
  return toLead(row);
}

/**
 * Moves a lead to another status by `CRM_LEAD_TRANSITIONS`; audited `crm_lead.status_changed`.
 * @throws DomainError("not_found"); ("invalid") a move the table does not allow, with the reason
 */
export async function setLeadStatus(tx: Tx, input: { leadId: string; status: CrmLead["status"] }): Promise<CrmLead> {
  const q = parseInput(ZSetCrmLeadStatusRequest, input);
  await lockKey(tx.db, `crm_leads:${q.leadId}`);
  const before = await findLive(tx.db, q.leadId);
  const problem = leadStatusProblem(before.status, q.status);
  if (problem) throw new DomainError("invalid", problem);
  const row = await tx.db.crmLead.update({
    where: { id: q.leadId },
    data: { status: q.status },
    include: LEAD_INCLUDE,
  });
  await tx.audit.record({
    tenantId: null,
    entityType: "crm_lead",
    entityId: q.leadId,
    action: "crm_lead.status_changed",
    before: { status: before.status },
    after: { status: row.status },
  });
  return toLead(row);
}

/** Soft-deletes a lead (audited `crm_lead.deleted`); an opportunity made from it keeps its link. @throws DomainError("not_found") */
export async function deleteLead(tx: Tx, leadId: string): Promise<void> {
  const before = await findLive(tx.db, leadId);
  await tx.db.crmLead.update({ where: { id: leadId }, data: { deletedAt: new Date() } });
  await tx.audit.record({
    tenantId: null,
    entityType: "crm_lead",
    entityId: leadId,
    action: "crm_lead.deleted",
    before: snapshot(before),
    after: null,
  });
}

/**
 * Converts a lead into an opportunity, in the caller's one transaction: the opportunity is created
 * with `leadId` (name defaulting to the company, account manager to the lead's owner, stage to
 * qualified), and the lead becomes `converted` with convertedOpportunityId and convertedAt.
 * Concurrent conversions of one lead are serialised by an advisory lock, so the second sees the
 * first's result. Audited `crm_opportunity.created` and `crm_lead.converted`.
 * @throws DomainError("not_found"); ("conflict") already converted; ("invalid") unqualified (reopen
 *   it first) or bad opportunity fields
 */
export async function convertLead(
  tx: Tx,
  input: ConvertCrmLeadRequest,
  now = new Date(),
): Promise<{ lead: CrmLead; opportunity: CrmOpportunity }> {
  const q = parseInput(ZConvertCrmLeadRequest, input);
  await lockKey(tx.db, `crm_leads:${q.leadId}`);
  const before = await findLive(tx.db, q.leadId);
  if (before.status === "converted" || before.convertedOpportunityId) {
    throw new DomainError("conflict", "this lead has already been converted into an opportunity");
  }
  if (!CRM_LEAD_CONVERTIBLE.includes(before.status)) {
    throw new DomainError("invalid", `an ${before.status} lead cannot be converted; reopen it (to contacted) first`);
  }
  const opportunity = await createOpportunity(tx, {
    name: q.name ?? before.companyName,
    leadId: before.id,
    tenantId: q.tenantId ?? null,
    stage: q.stage,
    estimatedValueMinor: q.estimatedValueMinor,
    currency: q.currency,
    closeDate: q.closeDate,
    probabilityPct: q.probabilityPct ?? null,
    accountManagerId: q.accountManagerId === undefined ? before.ownerEmployeeId : q.accountManagerId,
  });
  const row = await tx.db.crmLead.update({
    where: { id: before.id },
    data: { status: "converted", convertedOpportunityId: opportunity.id, convertedAt: now },
    include: LEAD_INCLUDE,
  });
  await tx.audit.record({
    tenantId: null,
    entityType: "crm_lead",
    entityId: before.id,
    action: "crm_lead.converted",
    before: { status: before.status, convertedOpportunityId: null, convertedAt: null },
    after: { status: row.status, convertedOpportunityId: opportunity.id, convertedAt: now },
  });
  return { lead: toLead(row), opportunity };
}
