/**
 * Customer contracts (crm_contracts; saas-provider-tables.md §5 "Contract") and their history
 * (crm_contract_events). Status machine — manual changes by `CRM_CONTRACT_TRANSITIONS`
 * (@fleetcore/validators):
 *
 *     active ⇄ pending_renewal         (renewal under negotiation, and back)
 *     pending_renewal → expired        (the renewal fell through)
 *     active | pending_renewal → terminated   (with a reason)
 *     active | pending_renewal → expired      (automatically, once the expiry date has passed: expireContracts)
 *     expired, terminated: terminal
 *
 * Renewal creates a new contract (renewsContractId = the old one) starting the day after the old
 * expiry; the old one keeps running (pending_renewal returns to active) and expires at its expiry
 * date through the automatic job. Every change writes a crm_contract_events row and an audit row
 * (`crm_contract.*`, with the contract's tenant). Dates are calendar days (UTC midnight); values
 * are integer minor units of the contract's currency.
 *
 * Documents: a PDF uploaded through `POST /api/files` (type recognised from the bytes, ≤ 10 MiB),
 * provider-only and owned by the contract's tenant, so row-level security keeps it from the tenant;
 * {@link attachContractDocument} links it, and it is downloaded from `GET /api/files/:id`.
 */
import { type Db, type Prisma, type PrismaClient, withScope } from "@fleetcore/db";
import {
  type AttachCrmContractDocumentRequest,
  CRM_CONTRACT_TRANSITIONS,
  type CreateCrmContractRequest,
  type CrmContract,
  type CrmContractStatus,
  type ListCrmContractsRequest,
  type RenewCrmContractRequest,
  type UpdateCrmContractRequest,
  ZAttachCrmContractDocumentRequest,
  ZChangeCrmContractStatusRequest,
  ZCreateCrmContractRequest,
  ZCrmRenewalsDueRequest,
  ZListCrmContractsRequest,
  ZRenewCrmContractRequest,
  ZUpdateCrmContractRequest,
} from "@fleetcore/validators";
import { AuditTrail, systemActor, type Tx } from "../audit/audit";
import { DomainError } from "../errors";
import { userEmails } from "../support/shared";
import { addUtcDays, assertTenant, daysBetween, isoDay, lockKey, parseInput, utcDay } from "./shared";

const CONTRACT_INCLUDE = {
  tenant: { select: { name: true } },
  document: { select: { id: true, fileName: true, sizeBytes: true } },
  renewals: { where: { status: { not: "terminated" } }, select: { id: true }, orderBy: { createdAt: "desc" } },
} as const satisfies Prisma.CrmContractInclude;

type ContractRow = Prisma.CrmContractGetPayload<{ include: typeof CONTRACT_INCLUDE }>;

const LIVE_STATUSES: CrmContractStatus[] = ["active", "pending_renewal"];

function toContract(row: ContractRow, now: Date): CrmContract {
  return {
    id: row.id,
    tenantId: row.tenantId,
    tenantName: row.tenant.name,
    opportunityId: row.opportunityId,
    planName: row.planName,
    effectiveDate: row.effectiveDate,
    expiryDate: row.expiryDate,
    annualValueMinor: row.annualValueMinor,
    currency: row.currency,
    terms: row.terms,
    document: row.document
      ? { fileId: row.document.id, fileName: row.document.fileName, sizeBytes: row.document.sizeBytes }
      : null,
    status: row.status,
    autoRenew: row.autoRenew,
    renewsContractId: row.renewsContractId,
    renewedByContractId: row.renewals[0]?.id ?? null,
    terminatedAt: row.terminatedAt,
    terminationReason: row.terminationReason,
    daysToExpiry: daysBetween(now, row.expiryDate),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The audited fields of a contract (dates as YYYY-MM-DD, amounts as decimal strings). */
function snapshot(row: ContractRow) {
  return {
    planName: row.planName,
    effectiveDate: isoDay(row.effectiveDate),
    expiryDate: isoDay(row.expiryDate),
    annualValueMinor: row.annualValueMinor?.toString() ?? null,
    currency: row.currency,
    terms: row.terms,
    documentFileId: row.documentFileId,
    status: row.status,
    autoRenew: row.autoRenew,
    terminationReason: row.terminationReason,
  };
}

async function findContract(db: Db, contractId: string): Promise<ContractRow> {
  const row = await db.crmContract.findUnique({ where: { id: contractId }, include: CONTRACT_INCLUDE });
  if (!row) throw new DomainError("not_found", "contract not found");
  return row;
}

/** Appends a history row for `contract`, by the audit trail's actor (null for jobs). */
async function recordEvent(
  tx: Tx,
  contract: { id: string; tenantId: string },
  event: {
    kind: "created" | "status_changed" | "renewed" | "updated";
    fromStatus?: CrmContractStatus | null;
    toStatus?: CrmContractStatus | null;
    details?: Record<string, unknown>;
  },
  occurredAt = new Date(),
): Promise<void> {
  await tx.db.crmContractEvent.createMany({
    data: {
      contractId: contract.id,
      tenantId: contract.tenantId,
      kind: event.kind,
      fromStatus: event.fromStatus ?? null,
      toStatus: event.toStatus ?? null,
      actorUserId: tx.audit.actor.userId,
      details: (event.details ?? {}) as Prisma.InputJsonValue,
      occurredAt,
    },
  });
}

/**
 * Why a contract may not go from `from` to `to` by hand (a sentence naming both), or null when
 * it may; terminating needs a reason. Pure. See `CRM_CONTRACT_TRANSITIONS`.
 */
export function contractStatusProblem(
  from: CrmContractStatus,
  to: CrmContractStatus,
  reason?: string | null,
): string | null {
  if (from === to) return `the contract is already ${to}`;
  if (!CRM_CONTRACT_TRANSITIONS[from].includes(to)) {
    const allowed = CRM_CONTRACT_TRANSITIONS[from];
    return `a contract cannot go from ${from} to ${to}${allowed.length ? ` (from ${from}: ${allowed.join(", ")})` : ` (${from} is final)`}`;
  }
  if (to === "terminated" && !reason?.trim()) return `terminating a ${from} contract needs a reason`;
  return null;
}

function assertValueHasCurrency(value: bigint | null | undefined, currency: string | null | undefined): void {
  if (value !== null && value !== undefined && !currency) {
    throw new DomainError("invalid", "currency: a contract value needs its currency");
  }
}

function assertDates(effectiveDate: Date, expiryDate: Date): void {
  if (expiryDate < effectiveDate) throw new DomainError("invalid", "expiryDate: the contract expires before it starts");
}

/**
 * Contracts, soonest expiry first, filtered by tenant, status and free text (plan or tenant name).
 */
export async function listContracts(db: Db, input: ListCrmContractsRequest, now = new Date()): Promise<CrmContract[]> {
  const q = parseInput(ZListCrmContractsRequest, input);
  const words = (q.search ?? "").split(/\s+/).filter(Boolean).slice(0, 8);
  const rows = await db.crmContract.findMany({
    where: {
      ...(q.tenantId ? { tenantId: q.tenantId } : {}),
      ...(q.status ? { status: q.status } : {}),
      AND: words.map((w) => ({
        OR: [
          { planName: { contains: w, mode: "insensitive" as const } },
          { tenant: { name: { contains: w, mode: "insensitive" as const } } },
        ],
      })),
    },
    include: CONTRACT_INCLUDE,
    orderBy: [{ expiryDate: "asc" }, { id: "asc" }],
    take: 500,
  });
  return rows.map((r) => toContract(r, now));
}

/** One contract with its history (oldest first; actor emails resolved). @throws DomainError("not_found") */
export async function getContract(db: Db, contractId: string, now = new Date()) {
  const row = await findContract(db, contractId);
  const events = await db.crmContractEvent.findMany({
    where: { contractId },
    orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
  });
  const emails = await userEmails(
    db,
    events.map((e) => e.actorUserId),
  );
  return {
    ...toContract(row, now),
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      actorUserId: e.actorUserId,
      actorEmail: e.actorUserId ? (emails.get(e.actorUserId) ?? null) : null,
      details: (e.details ?? {}) as Record<string, unknown>,
      occurredAt: e.occurredAt,
    })),
  };
}

/**
 * Creates an active contract for a tenant (event `created`, audit `crm_contract.created`).
 * @throws DomainError("invalid") bad input, unknown tenant or opportunity, expiry before the start,
 *   a value without currency
 */
export async function createContract(tx: Tx, input: CreateCrmContractRequest, now = new Date()): Promise<CrmContract> {
  const data = parseInput(ZCreateCrmContractRequest, input);
  await assertTenant(tx.db, data.tenantId);
  if (data.opportunityId) {
    const o = await tx.db.crmOpportunity.findFirst({
      where: { id: data.opportunityId, deletedAt: null },
      select: { id: true },
    });
    if (!o) throw new DomainError("invalid", "the opportunity does not exist");
  }
  const effectiveDate = utcDay(data.effectiveDate);
  const expiryDate = utcDay(data.expiryDate);
  assertDates(effectiveDate, expiryDate);
  assertValueHasCurrency(data.annualValueMinor, data.currency);
  const row = await tx.db.crmContract.create({
    data: {
      tenantId: data.tenantId,
      opportunityId: data.opportunityId ?? null,
      planName: data.planName,
      effectiveDate,
      expiryDate,
      annualValueMinor: data.annualValueMinor ?? null,
      currency: data.currency ?? null,
      terms: data.terms || null,
      autoRenew: data.autoRenew,
      status: "active",
      createdByUserId: tx.audit.actor.userId,
    },
    include: CONTRACT_INCLUDE,
  });
  await recordEvent(tx, row, { kind: "created", toStatus: "active" }, now);
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "crm_contract",
    entityId: row.id,
    action: "crm_contract.created",
    after: snapshot(row),
  });
  return toContract(row, now);
}

/**
 * Changes the given fields of an active or pending-renewal contract (event `updated` listing the
 * changed fields; audit `crm_contract.updated` with the difference). Nothing is written when
 * nothing changed.
 * @throws DomainError("not_found"); ("invalid") bad input, or an expired/terminated contract
 */
export async function updateContract(tx: Tx, input: UpdateCrmContractRequest, now = new Date()): Promise<CrmContract> {
  const { contractId, ...data } = parseInput(ZUpdateCrmContractRequest, input);
  await lockKey(tx.db, `crm_contracts:${contractId}`);
  const before = await findContract(tx.db, contractId);
  if (!LIVE_STATUSES.includes(before.status)) {
    throw new DomainError("invalid", `a ${before.status} contract can no longer be edited`);
  }
  const effectiveDate = data.effectiveDate ? utcDay(data.effectiveDate) : before.effectiveDate;
  const expiryDate = data.expiryDate ? utcDay(data.expiryDate) : before.expiryDate;
  assertDates(effectiveDate, expiryDate);
  const value = data.annualValueMinor === undefined ? before.annualValueMinor : data.annualValueMinor;
  const currency = data.currency === undefined ? before.currency : data.currency;
  assertValueHasCurrency(value, currency);
  const row = await tx.db.crmContract.update({
    where: { id: contractId },
    data: {
      ...(data.planName === undefined ? {} : { planName: data.planName }),
      effectiveDate,
      expiryDate,
      annualValueMinor: value,
      currency,
      ...(data.terms === undefined ? {} : { terms: data.terms || null }),
      ...(data.autoRenew === undefined ? {} : { autoRenew: data.autoRenew }),
    },
    include: CONTRACT_INCLUDE,
  });
  const [b, a] = [snapshot(before), snapshot(row)];
  const changed = Object.keys(a).filter(
    (k) => JSON.stringify(a[k as keyof typeof a]) !== JSON.stringify(b[k as keyof typeof b]),
  );
  if (changed.length > 0) {
    await recordEvent(tx, row, { kind: "updated", details: { fields: changed } }, now);
    await tx.audit.record({
      tenantId: row.tenantId,
      entityType: "crm_contract",
      entityId: row.id,
      action: "crm_contract.updated",
      before: b,
      after: a,
    });
  }
  return toContract(row, now);
}

/**
 * Moves a contract to another status by hand (see the module comment); terminating records
 * terminatedAt and the reason. Event `status_changed` (details: reason), audit
 * `crm_contract.status_changed`.
 * @throws DomainError("not_found"); ("invalid") a move the table does not allow, with the reason
 */
export async function changeContractStatus(
  tx: Tx,
  input: { contractId: string; status: CrmContractStatus; reason?: string },
  now = new Date(),
): Promise<CrmContract> {
  const q = parseInput(ZChangeCrmContractStatusRequest, input);
  await lockKey(tx.db, `crm_contracts:${q.contractId}`);
  const before = await findContract(tx.db, q.contractId);
  const problem = contractStatusProblem(before.status, q.status, q.reason);
  if (problem) throw new DomainError("invalid", problem);
  const reason = q.reason?.trim() || null;
  const row = await tx.db.crmContract.update({
    where: { id: before.id },
    data: {
      status: q.status,
      ...(q.status === "terminated" ? { terminatedAt: now, terminationReason: reason } : {}),
    },
    include: CONTRACT_INCLUDE,
  });
  await recordEvent(
    tx,
    row,
    { kind: "status_changed", fromStatus: before.status, toStatus: row.status, details: reason ? { reason } : {} },
    now,
  );
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "crm_contract",
    entityId: row.id,
    action: "crm_contract.status_changed",
    before: snapshot(before),
    after: snapshot(row),
    metadata: reason ? { reason } : {},
  });
  return toContract(row, now);
}

/**
 * Renews an active or pending-renewal contract: a new active contract from the day after the old
 * expiry to `expiryDate` (plan, value, currency, terms and auto-renew default to the old one's),
 * with renewsContractId. The old contract records a `renewed` event (pending_renewal returns to
 * active) and expires at its own expiry date through {@link expireContracts}. Audited
 * `crm_contract.created` (new) and `crm_contract.renewed` (old).
 * @returns the new contract
 * @throws DomainError("not_found"); ("invalid") expired/terminated, or the new expiry before the
 *   new start; ("conflict") already renewed
 */
export async function renewContract(tx: Tx, input: RenewCrmContractRequest, now = new Date()): Promise<CrmContract> {
  const q = parseInput(ZRenewCrmContractRequest, input);
  await lockKey(tx.db, `crm_contracts:${q.contractId}`);
  const old = await findContract(tx.db, q.contractId);
  if (!LIVE_STATUSES.includes(old.status)) {
    throw new DomainError(
      "invalid",
      `only an active or pending-renewal contract can be renewed; this one is ${old.status}`,
    );
  }
  if (old.renewals.length > 0) throw new DomainError("conflict", "this contract has already been renewed");
  const effectiveDate = addUtcDays(old.expiryDate, 1);
  const expiryDate = utcDay(q.expiryDate);
  if (expiryDate < effectiveDate) {
    throw new DomainError(
      "invalid",
      `expiryDate: the renewal starts on ${isoDay(effectiveDate)} (the day after the current expiry) and must end on or after it`,
    );
  }
  const value = q.annualValueMinor === undefined ? old.annualValueMinor : q.annualValueMinor;
  const currency = q.currency === undefined ? old.currency : q.currency;
  assertValueHasCurrency(value, currency);
  const renewal = await tx.db.crmContract.create({
    data: {
      tenantId: old.tenantId,
      opportunityId: old.opportunityId,
      planName: q.planName ?? old.planName,
      effectiveDate,
      expiryDate,
      annualValueMinor: value,
      currency,
      terms: q.terms === undefined ? old.terms : q.terms || null,
      autoRenew: q.autoRenew ?? old.autoRenew,
      status: "active",
      renewsContractId: old.id,
      createdByUserId: tx.audit.actor.userId,
    },
    include: CONTRACT_INCLUDE,
  });
  await recordEvent(tx, renewal, { kind: "created", toStatus: "active", details: { renewsContractId: old.id } }, now);
  await tx.audit.record({
    tenantId: renewal.tenantId,
    entityType: "crm_contract",
    entityId: renewal.id,
    action: "crm_contract.created",
    after: { ...snapshot(renewal), renewsContractId: old.id },
  });
  const oldAfter =
    old.status === "pending_renewal"
      ? await tx.db.crmContract.update({ where: { id: old.id }, data: { status: "active" }, include: CONTRACT_INCLUDE })
      : old;
  await recordEvent(
    tx,
    old,
    {
      kind: "renewed",
      fromStatus: old.status === oldAfter.status ? null : old.status,
      toStatus: old.status === oldAfter.status ? null : oldAfter.status,
      details: {
        renewalContractId: renewal.id,
        renewalEffectiveDate: isoDay(effectiveDate),
        renewalExpiryDate: isoDay(expiryDate),
      },
    },
    now,
  );
  await tx.audit.record({
    tenantId: old.tenantId,
    entityType: "crm_contract",
    entityId: old.id,
    action: "crm_contract.renewed",
    before: { status: old.status, renewedByContractId: null },
    after: { status: oldAfter.status, renewedByContractId: renewal.id },
  });
  return toContract(renewal, now);
}

/**
 * Active and pending-renewal contracts expiring from today (UTC) through today + `days` (30, 60 or
 * 90) that have not been renewed yet, soonest first.
 */
export async function listRenewalsDue(db: Db, input: { days?: number }, now = new Date()): Promise<CrmContract[]> {
  const q = parseInput(ZCrmRenewalsDueRequest, input);
  const today = utcDay(now);
  const rows = await db.crmContract.findMany({
    where: {
      status: { in: LIVE_STATUSES },
      expiryDate: { gte: today, lte: addUtcDays(today, q.days) },
      renewals: { none: { status: { not: "terminated" } } },
    },
    include: CONTRACT_INCLUDE,
    orderBy: [{ expiryDate: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => toContract(r, now));
}

/**
 * The automatic expiry job: in one system-scope transaction, every active or pending-renewal
 * contract whose expiry date is before today (the UTC date of `now`) becomes expired, with a
 * `status_changed` event (actor null, details {automatic: true}) and an audit row
 * `crm_contract.expired` by the system actor. Idempotent: a second run finds nothing to do, and a
 * concurrent run cannot expire a contract twice (the update is guarded by the status).
 * @returns how many contracts it expired
 */
export async function expireContracts(prisma: PrismaClient, now: Date): Promise<number> {
  const today = utcDay(now);
  return withScope(prisma, { kind: "system" }, async (db) => {
    const tx: Tx = { db, audit: new AuditTrail(db, systemActor()) };
    const due = await db.crmContract.findMany({
      where: { status: { in: LIVE_STATUSES }, expiryDate: { lt: today } },
      select: { id: true, tenantId: true, status: true, expiryDate: true },
      orderBy: { expiryDate: "asc" },
    });
    let expired = 0;
    for (const c of due) {
      const updated = await db.crmContract.updateMany({
        where: { id: c.id, status: c.status },
        data: { status: "expired" },
      });
      if (updated.count === 0) continue;
      expired += 1;
      await recordEvent(
        tx,
        c,
        { kind: "status_changed", fromStatus: c.status, toStatus: "expired", details: { automatic: true } },
        now,
      );
      await tx.audit.record({
        tenantId: c.tenantId,
        entityType: "crm_contract",
        entityId: c.id,
        action: "crm_contract.expired",
        before: { status: c.status },
        after: { status: "expired" },
        metadata: { automatic: true, expiryDate: isoDay(c.expiryDate) },
      });
    }
    return expired;
  });
}

/**
 * Links an uploaded PDF to a contract as its document, replacing any previous link (the old file is
 * kept). The file comes from `POST /api/files` (apps/server/src/http/files.ts), which checks size and
 * type from the bytes and stores provider staff's uploads provider-only; here it must be a PDF
 * uploaded by the acting user into the contract's tenant, provider-only and not linked to anything
 * yet. Event `updated` (details: document), audit `crm_contract.document_uploaded`.
 * @throws DomainError("not_found") unknown contract; ("invalid") a file that is unknown, someone
 *   else's, another tenant's, already linked, or not a PDF
 */
export async function attachContractDocument(
  tx: Tx,
  input: AttachCrmContractDocumentRequest,
  now = new Date(),
): Promise<CrmContract> {
  const q = parseInput(ZAttachCrmContractDocumentRequest, input);
  await lockKey(tx.db, `crm_contracts:${q.contractId}`);
  const before = await findContract(tx.db, q.contractId);
  const uploader = tx.audit.actor.userId;
  if (!uploader) throw new DomainError("invalid", "only a signed-in person can attach their upload");
  const file = await tx.db.docFile.findFirst({
    where: {
      id: q.fileId,
      tenantId: before.tenantId,
      providerOnly: true,
      uploadedByUserId: uploader,
      ticketAttachments: { none: {} },
      contracts: { none: {} },
    },
    select: { id: true, fileName: true, contentType: true, sizeBytes: true, sha256: true },
  });
  if (!file) {
    throw new DomainError(
      "invalid",
      "the file was not found, is not your upload for this contract's tenant, or is already attached; upload it again",
    );
  }
  if (file.contentType !== "application/pdf") {
    throw new DomainError("invalid", `the document must be a PDF; this file is ${file.contentType}`);
  }
  const row = await tx.db.crmContract.update({
    where: { id: before.id },
    data: { documentFileId: file.id },
    include: CONTRACT_INCLUDE,
  });
  const document = { fileId: file.id, fileName: file.fileName, sizeBytes: file.sizeBytes };
  await recordEvent(tx, row, { kind: "updated", details: { fields: ["document"], document } }, now);
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "crm_contract",
    entityId: row.id,
    action: "crm_contract.document_uploaded",
    before: { documentFileId: before.documentFileId },
    after: { documentFileId: file.id },
    metadata: { fileName: file.fileName, sizeBytes: file.sizeBytes, sha256: file.sha256 },
  });
  return toContract(row, now);
}
