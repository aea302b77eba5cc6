/**
 * A tenant's messaging and telematics integrations (msg_integrations): WhatsApp Cloud API (a
 * business phone number id, the Meta app secret that signs webhooks, the verify token of the
 * handshake, an access token to send) and Samsara (the org id and the webhook's secret). Secrets are
 * write-only: what this module returns says whether each is set, never its value, and audit rows
 * carry the same flags. The app/webhook secret and the access token are stored sealed
 * (AES-256-GCM, identity/secrets.ts); the verify token stays plain, since the GET handshake looks
 * integrations up by it (it only proves that a subscription request comes from the tenant's Meta app
 * configuration, and Meta shows it in that configuration anyway).
 */
import type { Db, IntegrationProvider } from "@fleetcore/db";
import type { Tx } from "../audit/audit";
import { DomainError, isUniqueViolation } from "../errors";
import { openSecret, sealSecret } from "../identity/secrets";

/** An integration as tenants see it (no secret values). */
export interface IntegrationSummary {
  id: string;
  provider: IntegrationProvider;
  /** WhatsApp: the business phone number id; Samsara: the org id. */
  externalId: string;
  displayName: string | null;
  enabled: boolean;
  hasSecret: boolean;
  hasVerifyToken: boolean;
  hasAccessToken: boolean;
  /** When its last webhook was stored, or null. */
  lastEventAt: Date | null;
  createdAt: Date;
  /** Path of the webhook to configure at the provider: /webhooks/whatsapp or /webhooks/samsara. */
  webhookPath: string;
}

/** Fields to create an integration with; on update, omitted = unchanged, null clears an optional secret. */
export interface IntegrationInput {
  provider: IntegrationProvider;
  externalId: string;
  displayName?: string | null;
  /** WhatsApp: the Meta app secret; Samsara: the webhook secret as Samsara shows it (base64). */
  secret?: string | null;
  /** WhatsApp only: the verify token typed into Meta's webhook settings. */
  verifyToken?: string | null;
  /** WhatsApp only: a system-user access token with whatsapp_business_messaging. */
  accessToken?: string | null;
  enabled?: boolean;
}

type Row = {
  id: string;
  provider: IntegrationProvider;
  externalId: string;
  displayName: string | null;
  secret: string | null;
  verifyToken: string | null;
  accessToken: string | null;
  enabled: boolean;
  lastEventAt: Date | null;
  createdAt: Date;
};

function toSummary(r: Row): IntegrationSummary {
  return {
    id: r.id,
    provider: r.provider,
    externalId: r.externalId,
    displayName: r.displayName,
    enabled: r.enabled,
    hasSecret: !!r.secret,
    hasVerifyToken: !!r.verifyToken,
    hasAccessToken: !!r.accessToken,
    lastEventAt: r.lastEventAt,
    createdAt: r.createdAt,
    webhookPath: `/webhooks/${r.provider}`,
  };
}

/** What an audit row may say about an integration. */
function snapshot(s: IntegrationSummary): Record<string, unknown> {
  const { id, provider, externalId, displayName, enabled, hasSecret, hasVerifyToken, hasAccessToken } = s;
  return { id, provider, externalId, displayName, enabled, hasSecret, hasVerifyToken, hasAccessToken };
}

/** The tenant's integrations, oldest first. */
export async function listIntegrations(db: Db, tenantId: string): Promise<IntegrationSummary[]> {
  const rows = await db.integration.findMany({ where: { tenantId }, orderBy: { createdAt: "asc" } });
  return rows.map(toSummary);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function check(v: Row | (IntegrationInput & { secret: string | null; verifyToken: string | null })): void {
  if (v.provider === "whatsapp") {
    if (!/^\d{5,20}$/.test(v.externalId)) {
      throw new DomainError(
        "invalid",
        "WhatsApp phone number id must be the numeric id Meta shows (not the phone number)",
      );
    }
    if (!v.secret)
      throw new DomainError("invalid", "WhatsApp needs the Meta app secret (to verify webhook signatures)");
    if (!v.verifyToken || v.verifyToken.length < 8) {
      throw new DomainError("invalid", "WhatsApp needs a verify token of at least 8 characters");
    }
  } else {
    if (!/^[\w-]{1,64}$/.test(v.externalId))
      throw new DomainError("invalid", "Samsara org id must be 1–64 letters, digits, - or _");
    if (!v.secret || !BASE64.test(v.secret) || Buffer.from(v.secret, "base64").length < 16) {
      throw new DomainError(
        "invalid",
        "Samsara webhook secret must be the base64 secret Samsara shows (at least 16 bytes)",
      );
    }
    if (v.verifyToken || ("accessToken" in v && v.accessToken)) {
      throw new DomainError("invalid", "Samsara integrations take an org id and a webhook secret only");
    }
  }
}

/**
 * Adds an integration (audited `integration.created`, flags only).
 * @throws DomainError("invalid") missing or malformed fields (see {@link IntegrationInput});
 * ("conflict") the phone number id / org id is already connected (to any tenant)
 */
export async function createIntegration(
  tx: Tx,
  tenantId: string,
  input: IntegrationInput,
): Promise<IntegrationSummary> {
  const data = {
    provider: input.provider,
    externalId: input.externalId.trim(),
    displayName: input.displayName?.trim() || null,
    secret: input.secret?.trim() || null,
    verifyToken: input.verifyToken?.trim() || null,
    accessToken: input.accessToken?.trim() || null,
    enabled: input.enabled ?? true,
  };
  check(data);
  try {
    const row = await tx.db.integration.create({
      data: { tenantId, ...data, secret: sealSecret(data.secret), accessToken: sealSecret(data.accessToken) },
    });
    const summary = toSummary(row);
    await tx.audit.record({
      tenantId,
      entityType: "integration",
      entityId: row.id,
      action: "integration.created",
      after: snapshot(summary),
    });
    return summary;
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new DomainError(
        "conflict",
        `this ${data.provider === "whatsapp" ? "phone number id" : "org id"} is already connected`,
      );
    }
    throw err;
  }
}

/**
 * Changes an integration: omitted fields stay, `secret`/`verifyToken`/`accessToken` are replaced
 * only when given (null clears the access token). Audited `integration.updated` (flags only).
 * @throws DomainError("not_found") unknown id or another tenant's; ("invalid") as on create
 */
export async function updateIntegration(
  tx: Tx,
  tenantId: string,
  id: string,
  patch: Omit<Partial<IntegrationInput>, "provider">,
): Promise<IntegrationSummary> {
  const stored = await tx.db.integration.findFirst({ where: { id, tenantId } });
  if (!stored) throw new DomainError("not_found", "integration not found");
  const before: Row = { ...stored, secret: openSecret(stored.secret), accessToken: openSecret(stored.accessToken) };
  const next: Row = {
    ...before,
    ...(patch.externalId !== undefined ? { externalId: patch.externalId.trim() } : {}),
    ...(patch.displayName !== undefined ? { displayName: patch.displayName?.trim() || null } : {}),
    ...(patch.secret ? { secret: patch.secret.trim() } : {}),
    ...(patch.verifyToken ? { verifyToken: patch.verifyToken.trim() } : {}),
    ...(patch.accessToken !== undefined ? { accessToken: patch.accessToken?.trim() || null } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
  };
  check(next);
  try {
    const row = await tx.db.integration.update({
      where: { id },
      data: {
        externalId: next.externalId,
        displayName: next.displayName,
        secret: sealSecret(next.secret),
        verifyToken: next.verifyToken,
        accessToken: sealSecret(next.accessToken),
        enabled: next.enabled,
      },
    });
    const summary = toSummary(row);
    await tx.audit.record({
      tenantId,
      entityType: "integration",
      entityId: id,
      action: "integration.updated",
      before: snapshot(toSummary(before)),
      after: snapshot(summary),
      metadata: {
        secretReplaced: !!patch.secret,
        verifyTokenReplaced: !!patch.verifyToken,
        accessTokenChanged: patch.accessToken !== undefined,
      },
    });
    return summary;
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError("conflict", "this id is already connected");
    throw err;
  }
}

/**
 * Removes an integration: its webhooks are refused from then on (audited `integration.deleted`).
 * When it was the WhatsApp integration replies go through, the tenant falls back to the local outbox.
 * @throws DomainError("not_found")
 */
export async function deleteIntegration(tx: Tx, tenantId: string, id: string): Promise<void> {
  const before = await tx.db.integration.findFirst({ where: { id, tenantId } });
  if (!before) throw new DomainError("not_found", "integration not found");
  await tx.db.integration.delete({ where: { id } });
  if (before.provider === "whatsapp") {
    const left = await tx.db.integration.count({ where: { tenantId, provider: "whatsapp", enabled: true } });
    if (left === 0) await tx.db.messagingSettings.updateMany({ where: { tenantId }, data: { transport: "local" } });
  }
  await tx.audit.record({
    tenantId,
    entityType: "integration",
    entityId: id,
    action: "integration.deleted",
    before: snapshot(toSummary(before)),
  });
}
