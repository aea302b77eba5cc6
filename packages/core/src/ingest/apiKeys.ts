/**
 * Per-tenant keys for the batch ingest API. A key is `fck_` + a random token (tokens.ts); only its
 * SHA-256 is stored, with the first 12 characters kept as a visible prefix to tell keys apart.
 */
import { type Db, type PgPool, withPgScope } from "@fleetcore/db";
import type { IngestApiKey } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError } from "../errors";
import { generateToken, hashToken } from "../identity/tokens";

const KEY_PREFIX = "fck_";

function toKey(r: {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): IngestApiKey {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
    createdBy: null,
  };
}

/** The tenant's keys, newest first (revoked ones included, flagged). */
export async function listIngestApiKeys(db: Db, tenantId: string): Promise<IngestApiKey[]> {
  const rows = await db.ingestApiKey.findMany({ where: { tenantId }, orderBy: { createdAt: "desc" } });
  return rows.map(toKey);
}

/** Creates a key; the key itself is returned this once. */
export async function createIngestApiKey(
  tx: Tx,
  tenantId: string,
  name: string,
): Promise<{ key: string; apiKey: IngestApiKey }> {
  const key = `${KEY_PREFIX}${generateToken()}`;
  const row = await tx.db.ingestApiKey.create({
    data: {
      tenantId,
      name: name.trim(),
      keyHash: hashToken(key),
      prefix: key.slice(0, 12),
      createdByUserId: tx.audit.actor.userId,
    },
  });
  await tx.audit.record({
    tenantId,
    entityType: "ingest_api_key",
    entityId: row.id,
    action: "ingest_api_key.created",
    after: { name: row.name, prefix: row.prefix },
  });
  return { key, apiKey: toKey(row) };
}

/** Revokes a key. @throws DomainError not_found (unknown, another tenant's, or already revoked) */
export async function revokeIngestApiKey(tx: Tx, tenantId: string, id: string): Promise<void> {
  const now = new Date();
  const updated = await tx.db.ingestApiKey.updateMany({
    where: { id, tenantId, revokedAt: null },
    data: { revokedAt: now },
  });
  if (updated.count !== 1) throw new DomainError("not_found", "API key not found or already revoked");
  await tx.audit.record({
    tenantId,
    entityType: "ingest_api_key",
    entityId: id,
    action: "ingest_api_key.revoked",
    before: { revokedAt: null },
    after: { revokedAt: now },
  });
}

/**
 * The tenant a presented key belongs to, or null (unknown, malformed or revoked). Marks it used
 * (at most once a minute). Runs in the system scope: the tenant is not known before.
 */
export async function authenticateIngestApiKey(
  pool: PgPool,
  key: string,
): Promise<{ tenantId: string; keyId: string } | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 100) return null;
  const row = await withPgScope(pool, { kind: "system" }, async (client) => {
    const { rows } = await client.query<{ id: string; tenant_id: string }>(
      `UPDATE tel_ingest_api_keys SET last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < now() - interval '1 minute'
                                                         THEN now() ELSE last_used_at END
        WHERE key_hash = $1 AND revoked_at IS NULL RETURNING id, tenant_id`,
      [hashToken(key)],
    );
    return rows[0];
  });
  return row ? { tenantId: row.tenant_id, keyId: row.id } : null;
}
