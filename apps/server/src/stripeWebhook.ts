/**
 * `POST /webhooks/stripe`: Stripe's webhook deliveries (API reference "Webhooks": JSON body signed
 * in the `Stripe-Signature` header, `t=<unix>,v1=<HMAC-SHA256 of "<t>.<raw body>">`).
 *
 * - billing not configured (no STRIPE_SECRET_KEY, or no STRIPE_WEBHOOK_SECRET) → 503 with the reason;
 * - missing/bad signature or a body that is not an event → 400 with the SDK's reason, nothing stored;
 * - otherwise the event is applied once (core `processStripeEvent`: event id and effects in one
 *   transaction) and 200 `{ received: true, duplicate, outcome }` is sent after COMMIT; a failure
 *   answers 500 so Stripe redelivers. Notifications created go out on the owners' rooms after commit.
 */

import type { Services } from "@fleetcore/api";
import { type BillingEmail, type BillingServices, processStripeEvent, verifyStripeWebhook } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import { userRoom } from "@fleetcore/realtime";
import type { FastifyInstance } from "fastify";

/** Largest Stripe event accepted, bytes (events are a few KB; an invoice with many lines more). */
const MAX_STRIPE_EVENT_BYTES = 2 * 1024 * 1024;

/** Registers `POST /webhooks/stripe`. */
export function registerStripeWebhookRoute(
  app: FastifyInstance,
  deps: { db: PrismaClient; billing: BillingServices; email: BillingEmail; rooms: Services["rooms"] },
): void {
  app.register(async (scope) => {
    // The signature covers the exact bytes: keep the raw body.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: MAX_STRIPE_EVENT_BYTES }, (_req, body, done) => {
      done(null, body);
    });
    scope.post("/webhooks/stripe", async (req, reply) => {
      const { stripe, webhookSecret } = deps.billing;
      if (!stripe) return reply.code(503).send({ error: "billing is not configured" });
      if (!webhookSecret)
        return reply.code(503).send({ error: "billing webhooks are not configured (STRIPE_WEBHOOK_SECRET)" });
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verified = verifyStripeWebhook(stripe, raw, req.headers["stripe-signature"], webhookSecret);
      if (!verified.ok) return reply.code(400).send({ error: verified.reason });
      const result = await processStripeEvent(deps.db, verified.event, { stripe, email: deps.email });
      for (const n of result.notifications) deps.rooms(userRoom(n.userId), "notification", n.event);
      req.log.info(
        {
          stripeEvent: verified.event.id,
          type: verified.event.type,
          outcome: result.outcome,
          duplicate: result.duplicate,
        },
        "stripe webhook",
      );
      return reply.code(200).send({ received: true, duplicate: result.duplicate, outcome: result.outcome });
    });
  });
}
