/**
 * WhatsApp Cloud API webhook bodies as Meta sends them (`object: whatsapp_business_account` →
 * `entry[].changes[].value`), and their `X-Hub-Signature-256`, computed here with node:crypto from
 * Meta's documented scheme (HMAC-SHA256 of the raw body with the app secret), not with the code
 * under test.
 */
import { createHmac } from "node:crypto";

/** A webhook body for the business phone number `phoneNumberId` carrying `value` (messages, statuses, contacts). */
export function whatsAppBody(phoneNumberId: string, value: Record<string, unknown>): string {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  });
}

/** A text message `id` from `from` (E.164 digits, no +), sent now. */
export function whatsAppText(
  phoneNumberId: string,
  m: { id: string; from: string; text: string; name?: string },
): string {
  return whatsAppBody(phoneNumberId, {
    contacts: [{ profile: { name: m.name ?? "Driver" }, wa_id: m.from }],
    messages: [
      {
        from: m.from,
        id: m.id,
        timestamp: String(Math.floor(Date.now() / 1000)),
        type: "text",
        text: { body: m.text },
      },
    ],
  });
}

/** A delivery status of the outbound message `id`, now. */
export function whatsAppStatus(phoneNumberId: string, s: { id: string; status: string; recipient: string }): string {
  return whatsAppBody(phoneNumberId, {
    statuses: [
      { id: s.id, status: s.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: s.recipient },
    ],
  });
}

/** `X-Hub-Signature-256` of `body` with the app secret: `sha256=<hex>`. */
export function metaSignature(body: string, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(body, "utf8").digest("hex")}`;
}

/** POSTs a body to the server's /webhooks/whatsapp, signed with `appSecret` (unsigned when null). */
export function postWhatsApp(serverUrl: string, body: string, appSecret: string | null): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (appSecret !== null) headers["x-hub-signature-256"] = metaSignature(body, appSecret);
  return fetch(`${serverUrl}/webhooks/whatsapp`, { method: "POST", headers, body });
}
