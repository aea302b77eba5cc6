/**
 * Inbound webhooks (main port):
 * - `GET /webhooks/whatsapp`: Meta's verification handshake (`hub.mode=subscribe`,
 *   `hub.verify_token` = a tenant's WhatsApp integration verify token → `hub.challenge` echoed).
 * - `POST /webhooks/whatsapp`: WhatsApp Cloud API notifications. The business phone number id in
 *   each change finds the tenant's integration; `X-Hub-Signature-256` must be the HMAC-SHA256 of the
 *   raw body under that integration's app secret.
 * - `POST /webhooks/samsara`: Samsara Webhooks 2.0 events. The envelope's `orgId` finds the tenant's
 *   integration; `X-Samsara-Signature` / `X-Samsara-Timestamp` are checked with its webhook secret.
 * - `POST /webhooks/stripe`: Stripe's events (stripeWebhook.ts), in the same raw-body scope.
 *
 * Every body is checked before anything is stored; a bad one gets 4xx with a reason and stores
 * nothing. Storing is idempotent per provider id (msg_webhook_deliveries) and the 200 is sent after
 * COMMIT, so a provider's retry of a delivery we answered 2xx stores nothing twice. Stored messages
 * and events then go out on the live feed.
 */
import {
  applyWhatsAppStatuses,
  findIntegration,
  type InboundResult,
  isWhatsAppVerifyToken,
  parseSamsaraEvent,
  parseWhatsAppWebhook,
  storeSamsaraEvent,
  storeWhatsAppMessages,
  touchIntegration,
  verifySamsaraSignature,
  verifyWhatsAppSignature,
  whatsAppVerificationChallenge,
} from "@fleetcore/core";
import { type PrismaClient, withScope } from "@fleetcore/db";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { LiveFanout } from "./live";
import { registerStripeWebhookRoute, type StripeWebhookDeps } from "./stripeWebhook";

/** Largest webhook body accepted, bytes (Meta batches at most a few hundred KB). */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw.toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

const refuse = (reply: FastifyReply, code: number, reason: string) => reply.code(code).send({ error: reason });

/**
 * Registers the webhook routes; `fanout` publishes what they stored; `services` carries Stripe's
 * client, secret, the billing email and the rooms for `/webhooks/stripe`.
 */
export function registerWebhookRoutes(
  app: FastifyInstance,
  deps: { db: PrismaClient; fanout: LiveFanout; services: StripeWebhookDeps["services"] },
): void {
  const { db, fanout } = deps;
  app.register(async (scope) => {
    // Signatures cover the exact bytes: keep the raw body, parse it ourselves.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: MAX_WEBHOOK_BYTES }, (_req, body, done) => {
      done(null, body);
    });
    const rawBody = (body: unknown): Buffer => (Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    registerStripeWebhookRoute(scope, { db, services: deps.services }, { rawBody, refuse });

    scope.get("/webhooks/whatsapp", async (req, reply) => {
      const query = req.query as Record<string, unknown>;
      const token = typeof query["hub.verify_token"] === "string" ? query["hub.verify_token"] : "";
      const known = token !== "" && (await withScope(db, { kind: "system" }, (tx) => isWhatsAppVerifyToken(tx, token)));
      if (!known) return refuse(reply, 403, "hub.verify_token matches no WhatsApp integration");
      const check = whatsAppVerificationChallenge(query, token);
      if (!check.ok) return refuse(reply, 403, check.reason);
      return reply.code(200).type("text/plain").send(check.challenge);
    });

    scope.post("/webhooks/whatsapp", async (req, reply) => {
      const raw = rawBody(req.body);
      const json = parseJson(raw);
      if (!json.ok) return refuse(reply, 400, "body is not JSON");
      const parsed = parseWhatsAppWebhook(json.value);
      if (!parsed.ok) return refuse(reply, 400, parsed.reason);
      const changes = parsed.value.changes;
      // Every change's phone number must belong to an integration whose secret signed the body.
      const integrations = new Map<string, { tenantId: string }>();
      for (const change of changes) {
        if (integrations.has(change.phoneNumberId)) continue;
        const integration = await withScope(db, { kind: "system" }, (tx) =>
          findIntegration(tx, "whatsapp", change.phoneNumberId),
        );
        if (!integration)
          return refuse(reply, 404, `no WhatsApp integration for phone number id ${change.phoneNumberId}`);
        if (!integration.secret) return refuse(reply, 401, "the WhatsApp integration has no app secret configured");
        const signature = verifyWhatsAppSignature(
          raw,
          req.headers["x-hub-signature-256"] as string | undefined,
          integration.secret,
        );
        if (!signature.ok) return refuse(reply, 401, signature.reason);
        integrations.set(change.phoneNumberId, { tenantId: integration.tenantId });
      }
      const stored = await withScope(db, { kind: "system" }, async (tx) => {
        const total: InboundResult = { messages: [], events: [], duplicates: 0 };
        for (const change of changes) {
          const tenantId = integrations.get(change.phoneNumberId)?.tenantId as string;
          await touchIntegration(tx, "whatsapp", change.phoneNumberId);
          for (const part of [
            await storeWhatsAppMessages(tx, tenantId, change.messages),
            await applyWhatsAppStatuses(tx, tenantId, change.statuses),
          ]) {
            total.messages.push(...part.messages);
            total.events.push(...part.events);
            total.duplicates += part.duplicates;
          }
        }
        return total;
      });
      fanout.publishFeed(stored);
      return reply
        .code(200)
        .send({ stored: stored.messages.length + stored.events.length, duplicates: stored.duplicates });
    });

    scope.post("/webhooks/samsara", async (req, reply) => {
      const raw = rawBody(req.body);
      const json = parseJson(raw);
      if (!json.ok) return refuse(reply, 400, "body is not JSON");
      const parsed = parseSamsaraEvent(json.value);
      if (!parsed.ok) return refuse(reply, 400, parsed.reason);
      const event = parsed.value;
      const integration = await withScope(db, { kind: "system" }, (tx) => findIntegration(tx, "samsara", event.orgId));
      if (!integration) return refuse(reply, 404, `no Samsara integration for org ${event.orgId}`);
      if (!integration.secret) return refuse(reply, 401, "the Samsara integration has no webhook secret configured");
      const signature = verifySamsaraSignature(
        raw,
        {
          signature: req.headers["x-samsara-signature"] as string | undefined,
          timestamp: req.headers["x-samsara-timestamp"] as string | undefined,
        },
        integration.secret,
        Date.now(),
      );
      if (!signature.ok) return refuse(reply, 401, signature.reason);
      const stored = await withScope(db, { kind: "system" }, async (tx) => {
        await touchIntegration(tx, "samsara", event.orgId);
        return storeSamsaraEvent(tx, integration.tenantId, event);
      });
      fanout.publishFeed(stored);
      return reply.code(200).send({ stored: stored.events.length, duplicates: stored.duplicates });
    });
  });
}
