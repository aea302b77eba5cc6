import { z } from "zod";

export const AUDIT_ACTOR_TYPES = ["user", "provider", "display", "system"] as const;

/** One audit log entry (adm_audit_logs). `changes` maps a field to its { before, after }. */
export const ZAuditLogEntry = z.object({
  id: z.uuid(),
  tenantId: z.uuid().nullable(),
  tenantName: z.string().nullable(),
  actorType: z.enum(AUDIT_ACTOR_TYPES),
  actorUserId: z.uuid().nullable(),
  actorEmail: z.string().nullable(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  action: z.string(),
  changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
  metadata: z.record(z.string(), z.unknown()),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.date(),
});
export type AuditLogEntry = z.infer<typeof ZAuditLogEntry>;

/**
 * Filters of `audit.list` (tenant admins: their tenant) and `provider.audit.list` (all tenants,
 * optionally one). Results are newest first; pass the last entry's id as `cursor` for the next page.
 */
export const ZListAuditLogRequest = z.object({
  tenantId: z.uuid().optional(),
  entityType: z.string().trim().max(64).optional(),
  action: z.string().trim().max(128).optional(),
  actorEmail: z.string().trim().max(254).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListAuditLogRequest = z.input<typeof ZListAuditLogRequest>;

export const ZAuditLogPage = z.object({
  entries: z.array(ZAuditLogEntry),
  nextCursor: z.uuid().nullable(),
});
