/**
 * `POST /webhooks/stripe`: Stripe's webhook deliveries (API reference "Webhooks": JSON body signed
 * in the `Stripe-Signature` header, `t=<unix>,v1=<HMAC-SHA256 of "<t>.<raw body>">`). Registered by
 * webhooks.ts in its raw-body scope, next to the other providers' webhooks.
 *
 * - billing not configured (no STRIPE_SECRET_KEY, or no STRIPE_WEBHOOK_SECRET) → 503 with the reason;
 * - missing/bad signature or a body that is not an event → 400 with the SDK's reason, nothing stored;
 * - otherwise the event is applied once (core `processStripeEvent`: event id and effects in one
 *   transaction) and 200 `{ received: true, duplicate, outcome }` is sent after COMMIT; a failure
 *   answers 500 so Stripe redelivers. Notifications created go out on the owners' rooms after commit.
 */

import type { Services } from "@fleetcore/api";
import { processStripeEvent, verifyStripeWebhook } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import { userRoom } from "@fleetcore/realtime";
import type { FastifyInstance, FastifyReply } from "fastify";

/** Largest Stripe event accepted, bytes (events are a few KB; an invoice with many lines more). */
const MAX_STRIPE_EVENT_BYTES = 2 * 1024 * 1024;

/** What the Stripe route needs: the database and the billing parts of the services. */
export interface StripeWebhookDeps {
  db: PrismaClient;
  services: Pick<Services, "billing" | "billingEmail" | "rooms">;
}

/**
 * Registers `POST /webhooks/stripe` in `scope`, a scope that keeps raw bodies (webhooks.ts), with
 * that scope's body reader and error answer.
 */
export function registerStripeWebhookRoute(
  scope: FastifyInstance,
  deps: StripeWebhookDeps,
  helpers: {
    rawBody(body: unknown): Buffer;
    refuse(reply: FastifyReply, code: number, reason: string): FastifyReply;
  },
): void {
  const { rawBody, refuse } = helpers;
  scope.post("/webhooks/stripe", { bodyLimit: MAX_STRIPE_EVENT_BYTES }, async (req, reply) => {
    const { stripe, webhookSecret } = deps.services.billing;
    if (!stripe) return refuse(reply, 503, "billing is not configured");
    if (!webhookSecret) return refuse(reply, 503, "billing webhooks are not configured (STRIPE_WEBHOOK_SECRET)");
    const verified = verifyStripeWebhook(stripe, rawBody(req.body), req.headers["stripe-signature"], webhookSecret);
    if (!verified.ok) return refuse(reply, 400, verified.reason);
    const result = await processStripeEvent(deps.db, verified.event, {
      stripe,
      email: deps.services.billingEmail,
    });
    for (const n of result.notifications) deps.services.rooms(userRoom(n.userId), "notification", n.event);
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
}
