/**
 * WhatsApp Business Platform (Meta Cloud API): the inbound webhook (verification handshake, payload
 * signature, `messages` field payloads) and an outbound text-message client.
 *
 * Formats, from Meta's documentation:
 * - Webhook payloads: "messages webhook reference"
 *   https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 *   and its per-type pages (e.g. …/webhooks/reference/messages/interactive for `button_reply`/`list_reply`).
 * - Verification request (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`, answer the challenge)
 *   and the `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>`
 *   header: Meta Webhooks "Getting started" (https://developers.facebook.com/docs/graph-api/webhooks/getting-started),
 *   as also described by Meta's WhatsApp Node.js SDK (`WhatsApp.webhooks.start()`).
 * - Sending: "Sending text messages" (…/whatsapp/messages/text-messages/): `POST
 *   https://graph.facebook.com/<version>/<phone-number-id>/messages` with a Bearer access token; the answer is
 *   `{"messaging_product":"whatsapp","contacts":[…],"messages":[{"id":"wamid…"}]}`; errors are Graph API
 *   errors `{"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id"}}`
 *   (Graph API "Handling errors", https://developers.facebook.com/docs/graph-api/guides/error-handling, and
 *   WhatsApp "Error codes", …/whatsapp/support/error-codes).
 *
 * Pure apart from the transport's HTTP call: no database, no HTTP framework. zod is not a dependency of
 * @fleetcore/core, so bodies are checked by the small readers of ../ingest/json, and every rejection names
 * the path of the offending field.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { DomainError } from "../errors";
import { isObject, type JsonObject, optNumber, optObject, optString } from "../ingest/json";
import { DecodeError } from "../ingest/types";

/** Outcome of a check: ok, or a reason in words an operator can act on. */
export type WhatsAppCheck = { ok: true } | { ok: false; reason: string };

/** The header Meta signs every webhook POST with. */
export const WHATSAPP_SIGNATURE_HEADER = "x-hub-signature-256";

const SIGNATURE_FORMAT = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks Meta's `X-Hub-Signature-256` header against the raw request body.
 *
 * The header is `sha256=<64 hex digits>`, the HMAC-SHA256 of the exact bytes Meta sent, keyed with the
 * app secret (App Dashboard → App settings → Basic). Verify the raw body before any JSON parsing: a body
 * that was parsed and re-serialised (different spacing, key order or unicode escaping) no longer matches.
 * The digests are compared with `crypto.timingSafeEqual` on two 32-byte buffers.
 *
 * @returns `{ ok: true }`, or `{ ok: false, reason }` when the app secret is empty, the header is missing
 *   or not `sha256=<64 hex>`, or the signature does not match.
 */
export function verifyWhatsAppSignature(rawBody: Buffer, header: string | undefined, appSecret: string): WhatsAppCheck {
  if (!appSecret) return { ok: false, reason: "the WhatsApp app secret is not configured" };
  if (header === undefined || header.trim() === "") {
    return { ok: false, reason: "missing X-Hub-Signature-256 header" };
  }
  const m = SIGNATURE_FORMAT.exec(header.trim());
  if (!m?.[1]) {
    return { ok: false, reason: "malformed X-Hub-Signature-256 header: expected sha256=<64 hex digits>" };
  }
  const given = Buffer.from(m[1], "hex");
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      reason:
        "X-Hub-Signature-256 does not match the body (wrong app secret, or the body was altered or re-serialised)",
    };
  }
  return { ok: true };
}

/** Compares two strings in constant time whatever their lengths (by comparing their SHA-256 digests). */
function safeEqualText(a: string, b: string): boolean {
  const da = createHash("sha256").update(a, "utf8").digest();
  const db = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(da, db);
}

/** A query parameter that must occur once: `hub.mode` flat (`?hub.mode=`), or nested (`{hub:{mode}}`, qs). */
function hubParam(query: Record<string, unknown>, name: string): string | null | "repeated" {
  let v = query[`hub.${name}`];
  if (v === undefined && isObject(query.hub)) v = query.hub[name];
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return "repeated";
  return typeof v === "string" ? v : "repeated";
}

/**
 * Answers Meta's webhook verification request (`GET <callback>?hub.mode=subscribe&hub.verify_token=<token>
 * &hub.challenge=<n>`): when the mode is `subscribe` and the token equals the verify token configured in the
 * App Dashboard, the caller responds 200 with `challenge` as the plain-text body (otherwise 403).
 *
 * `query` is the parsed query string: flat keys (`"hub.mode"`, as URLSearchParams or Fastify give them) or
 * qs-style nesting (`{ hub: { mode } }`). The token is compared in constant time.
 *
 * @returns `{ ok: true, challenge }`, or `{ ok: false, reason }` when the verify token is not configured, a
 *   parameter is missing or repeated, the mode is not `subscribe`, or the token does not match.
 */
export function whatsAppVerificationChallenge(
  query: Record<string, unknown>,
  verifyToken: string,
): { ok: true; challenge: string } | { ok: false; reason: string } {
  if (!verifyToken) return { ok: false, reason: "the WhatsApp verify token is not configured" };
  const mode = hubParam(query, "mode");
  const token = hubParam(query, "verify_token");
  const challenge = hubParam(query, "challenge");
  for (const [name, v] of [
    ["hub.mode", mode],
    ["hub.verify_token", token],
    ["hub.challenge", challenge],
  ] as const) {
    if (v === null || v === "") return { ok: false, reason: `missing ${name}` };
    if (v === "repeated") return { ok: false, reason: `${name} must be a single string` };
  }
  if (mode !== "subscribe") return { ok: false, reason: `hub.mode must be "subscribe", got "${mode}"` };
  if (!safeEqualText(token ?? "", verifyToken)) return { ok: false, reason: "hub.verify_token does not match" };
  return { ok: true, challenge: challenge ?? "" };
}

/** A location shared by a WhatsApp user (WGS 84 degrees). */
export interface WhatsAppLocation {
  latitude: number;
  longitude: number;
  name: string | null;
  address: string | null;
}

/** One message a WhatsApp user sent to the business. */
export interface WhatsAppInboundMessage {
  /** The WhatsApp message id (`wamid.…`); unique, use it to deduplicate Meta's retries. */
  id: string;
  /** The sender's WhatsApp id (`wa_id`): the phone number's digits, no `+`. */
  from: string;
  /** The sender's WhatsApp profile name (`contacts[].profile.name`), when Meta sent one. */
  contactName: string | null;
  /** When the user sent it (Meta's `timestamp`, Unix seconds as a string). */
  time: Date;
  /** Meta's `type` as sent: text, image, audio, video, document, sticker, location, interactive, button,
   * reaction, unsupported, contacts, order, system… Unknown types are kept, never dropped. */
  type: string;
  /** Human text, when the type has some: the text body; the image/video/document caption; the interactive
   * reply's title (button_reply, list_reply) or a flow reply's body; a quick-reply button's text; a
   * location's "name, address"; a reaction's emoji. Null otherwise. */
  text: string | null;
  location: WhatsAppLocation | null;
  /** Media (image, audio, video, document, sticker): Meta's media id (fetch it with `GET /<media-id>`) and
   * MIME type. */
  media: { id: string; mimeType: string | null } | null;
  /** The message this one replies to: `context.id` (a quoted reply, or the message whose button was
   * tapped); for a reaction, the message reacted to (`reaction.message_id`). */
  replyToId: string | null;
  /** The message object exactly as Meta sent it. */
  raw: unknown;
}

/** Delivery state of a message the business sent. */
export type WhatsAppDeliveryStatus = "sent" | "delivered" | "read" | "failed";

/** One status update (`statuses[]`) for a message the business sent. */
export interface WhatsAppStatusUpdate {
  /** The wamid returned when the message was sent. */
  id: string;
  /** The recipient's WhatsApp id. */
  recipientId: string;
  status: WhatsAppDeliveryStatus;
  time: Date;
  /** For `failed` (sometimes other states): Meta's error `code`, `title` and `error_data.details`. */
  errors: { code: number; title: string; details: string | null }[];
  raw: unknown;
}

/** One `changes[]` item with `field: "messages"`, for one business phone number. */
export interface WhatsAppChange {
  /** The business phone number's id (`metadata.phone_number_id`): which of our numbers was written to. */
  phoneNumberId: string;
  /** The business number as displayed (`metadata.display_phone_number`). */
  displayPhoneNumber: string | null;
  messages: WhatsAppInboundMessage[];
  statuses: WhatsAppStatusUpdate[];
}

/** A decoded WhatsApp webhook POST body. */
export interface WhatsAppWebhook {
  changes: WhatsAppChange[];
}

const DELIVERY_STATUSES: ReadonlySet<string> = new Set(["sent", "delivered", "read", "failed"]);
/** Message types whose payload object (`message[type]`) carries a media id. */
const MEDIA_TYPES: ReadonlySet<string> = new Set(["image", "audio", "video", "document", "sticker"]);
const UNIX_SECONDS = /^\d{1,12}$/;

function reqString(obj: JsonObject, key: string, path: string): string {
  const v = optString(obj, key, path);
  if (v === null || v === "") throw new DecodeError(`missing ${path}`);
  return v;
}

function reqObject(obj: JsonObject, key: string, path: string): JsonObject {
  const v = optObject(obj, key, path);
  if (v === null) throw new DecodeError(`missing ${path}`);
  return v;
}

function optArray(obj: JsonObject, key: string, path: string): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${path} must be an array`);
  return v;
}

function asObject(v: unknown, path: string): JsonObject {
  if (!isObject(v)) throw new DecodeError(`${path} must be an object`);
  return v;
}

/** Meta's `timestamp`: Unix seconds, sent as a string (an integer number is accepted too). */
function unixSeconds(obj: JsonObject, path: string): Date {
  const v = obj.timestamp;
  const s = typeof v === "number" && Number.isInteger(v) ? String(v) : v;
  if (typeof s !== "string" || !UNIX_SECONDS.test(s)) {
    throw new DecodeError(`${path}.timestamp must be Unix seconds (a string of digits)`);
  }
  return new Date(Number(s) * 1000);
}

function decodeLocation(loc: JsonObject, path: string): WhatsAppLocation {
  const latitude = optNumber(loc, "latitude", `${path}.latitude`);
  const longitude = optNumber(loc, "longitude", `${path}.longitude`);
  if (latitude === null) throw new DecodeError(`missing ${path}.latitude`);
  if (longitude === null) throw new DecodeError(`missing ${path}.longitude`);
  if (latitude < -90 || latitude > 90) throw new DecodeError(`${path}.latitude ${latitude} is outside [-90, 90]`);
  if (longitude < -180 || longitude > 180) {
    throw new DecodeError(`${path}.longitude ${longitude} is outside [-180, 180]`);
  }
  return {
    latitude,
    longitude,
    name: optString(loc, "name", `${path}.name`) || null,
    address: optString(loc, "address", `${path}.address`) || null,
  };
}

function decodeMessage(m: JsonObject, path: string, names: Map<string, string>, soleName: string | null) {
  const id = reqString(m, "id", `${path}.id`);
  const from = reqString(m, "from", `${path}.from`);
  const type = reqString(m, "type", `${path}.type`);
  const time = unixSeconds(m, path);
  const context = optObject(m, "context", `${path}.context`);
  let replyToId = context ? optString(context, "id", `${path}.context.id`) : null;

  let text: string | null = null;
  let location: WhatsAppLocation | null = null;
  let media: WhatsAppInboundMessage["media"] = null;
  const p = `${path}.${type}`;
  if (type === "text") {
    text = reqString(reqObject(m, "text", p), "body", `${p}.body`);
  } else if (MEDIA_TYPES.has(type)) {
    const obj = reqObject(m, type, p);
    media = { id: reqString(obj, "id", `${p}.id`), mimeType: optString(obj, "mime_type", `${p}.mime_type`) };
    text = optString(obj, "caption", `${p}.caption`) || null;
  } else if (type === "location") {
    location = decodeLocation(reqObject(m, "location", p), p);
    text = [location.name, location.address].filter((s) => s !== null).join(", ") || null;
  } else if (type === "interactive") {
    const obj = reqObject(m, "interactive", p);
    const kind = reqString(obj, "type", `${p}.type`);
    if (kind === "button_reply" || kind === "list_reply") {
      text = reqString(reqObject(obj, kind, `${p}.${kind}`), "title", `${p}.${kind}.title`);
    } else if (kind === "nfm_reply") {
      // A WhatsApp Flow's reply: `body` is the text WhatsApp showed ("Sent"), `response_json` the answers.
      text = optString(reqObject(obj, kind, `${p}.${kind}`), "body", `${p}.${kind}.body`) || null;
    }
  } else if (type === "button") {
    text = reqString(reqObject(m, "button", p), "text", `${p}.text`);
  } else if (type === "reaction") {
    const obj = reqObject(m, "reaction", p);
    replyToId = replyToId ?? reqString(obj, "message_id", `${p}.message_id`);
    // An absent or empty emoji means the user removed their reaction.
    text = optString(obj, "emoji", `${p}.emoji`) || null;
  }

  return {
    id,
    from,
    contactName: names.get(from) ?? soleName,
    time,
    type,
    text,
    location,
    media,
    replyToId: replyToId || null,
    raw: m,
  } satisfies WhatsAppInboundMessage;
}

function decodeStatus(s: JsonObject, path: string): WhatsAppStatusUpdate | null {
  const status = reqString(s, "status", `${path}.status`);
  // Only the four Cloud API delivery states are kept; a state Meta adds later is skipped (see parse docs).
  if (!DELIVERY_STATUSES.has(status)) return null;
  const errors = optArray(s, "errors", `${path}.errors`).map((e, k) => {
    const ep = `${path}.errors[${k}]`;
    const err = asObject(e, ep);
    const code = optNumber(err, "code", `${ep}.code`);
    if (code === null) throw new DecodeError(`missing ${ep}.code`);
    const data = optObject(err, "error_data", `${ep}.error_data`);
    return {
      code,
      title: optString(err, "title", `${ep}.title`) || optString(err, "message", `${ep}.message`) || `error ${code}`,
      details: data ? optString(data, "details", `${ep}.error_data.details`) : null,
    };
  });
  return {
    id: reqString(s, "id", `${path}.id`),
    recipientId: reqString(s, "recipient_id", `${path}.recipient_id`),
    status: status as WhatsAppDeliveryStatus,
    time: unixSeconds(s, path),
    errors,
    raw: s,
  };
}

function decodeChange(value: JsonObject, path: string): WhatsAppChange {
  const metadata = reqObject(value, "metadata", `${path}.metadata`);
  const phoneNumberId = reqString(metadata, "phone_number_id", `${path}.metadata.phone_number_id`);
  const displayPhoneNumber = optString(metadata, "display_phone_number", `${path}.metadata.display_phone_number`);

  const names = new Map<string, string>();
  const contacts = optArray(value, "contacts", `${path}.contacts`);
  let soleName: string | null = null;
  for (const [k, c] of contacts.entries()) {
    const cp = `${path}.contacts[${k}]`;
    const contact = asObject(c, cp);
    const profile = optObject(contact, "profile", `${cp}.profile`);
    const name = profile ? optString(profile, "name", `${cp}.profile.name`) : null;
    const waId = optString(contact, "wa_id", `${cp}.wa_id`);
    if (name && waId) names.set(waId, name);
    // Meta sends one contact per message; when its wa_id differs from `from` it is still the sender.
    if (contacts.length === 1) soleName = name || null;
  }

  const messages = optArray(value, "messages", `${path}.messages`).map((m, k) =>
    decodeMessage(asObject(m, `${path}.messages[${k}]`), `${path}.messages[${k}]`, names, soleName),
  );
  const statuses = optArray(value, "statuses", `${path}.statuses`)
    .map((s, k) => decodeStatus(asObject(s, `${path}.statuses[${k}]`), `${path}.statuses[${k}]`))
    .filter((s): s is WhatsAppStatusUpdate => s !== null);
  return { phoneNumberId, displayPhoneNumber: displayPhoneNumber || null, messages, statuses };
}

/**
 * Decodes a WhatsApp Cloud API webhook POST body (already JSON-parsed, after {@link verifyWhatsAppSignature}).
 *
 * Input: `{"object":"whatsapp_business_account","entry":[{"id":<WABA id>,"changes":[{"field":"messages",
 * "value":{"messaging_product":"whatsapp","metadata":{"display_phone_number","phone_number_id"},
 * "contacts":[{"profile":{"name"},"wa_id"}],"messages":[…],"statuses":[…]}}]}]}`.
 * - Only changes whose `field` is `messages` are decoded; others (account_update, template status…) are
 *   ignored, so a body of only those decodes to `{ changes: [] }`.
 * - `messages[]` → {@link WhatsAppInboundMessage}: `timestamp` (Unix seconds) → `time`; `context.id` →
 *   `replyToId`; the sender's `contacts[].profile.name` (matched on `wa_id`, or the only contact) →
 *   `contactName`; see the field docs for `text`, `location`, `media`. Types this decoder does not know
 *   (contacts, order, system, unsupported, future ones) are kept with their `type` and `raw`.
 * - `statuses[]` → {@link WhatsAppStatusUpdate}, with `errors[]` (`code`, `title`, `error_data.details`).
 *   A status other than sent/delivered/read/failed is skipped (the Cloud API documents only these four).
 * - Change-level `value.errors` (errors not tied to a message) are not decoded.
 *
 * A malformed item rejects the whole body with the path of the bad field (e.g.
 * `entry[0].changes[0].value.messages[1].text.body must be a string`) rather than dropping that item: the
 * caller answers non-2xx, nothing from the body is stored, and Meta retries the delivery, so a good message
 * in the same batch is not lost and the fault is visible.
 *
 * @returns `{ ok: true, value }` or `{ ok: false, reason }` (not an object, `object` is not
 *   `whatsapp_business_account`, `entry`/`changes` not arrays, or a field missing or of the wrong type).
 */
export function parseWhatsAppWebhook(
  body: unknown,
): { ok: true; value: WhatsAppWebhook } | { ok: false; reason: string } {
  try {
    if (!isObject(body)) throw new DecodeError("body must be a JSON object");
    if (body.object !== "whatsapp_business_account") {
      throw new DecodeError(
        `object must be "whatsapp_business_account", got ${JSON.stringify(body.object) ?? "nothing"}`,
      );
    }
    if (!Array.isArray(body.entry)) throw new DecodeError("entry must be an array");
    const changes: WhatsAppChange[] = [];
    body.entry.forEach((e, i) => {
      const entry = asObject(e, `entry[${i}]`);
      if (!Array.isArray(entry.changes)) throw new DecodeError(`entry[${i}].changes must be an array`);
      entry.changes.forEach((c, j) => {
        const path = `entry[${i}].changes[${j}]`;
        const change = asObject(c, path);
        if (optString(change, "field", `${path}.field`) !== "messages") return;
        changes.push(decodeChange(reqObject(change, "value", `${path}.value`), `${path}.value`));
      });
    });
    return { ok: true, value: { changes } };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, reason: err.message };
    throw err;
  }
}

/** A plain text message to one recipient. */
export interface OutboundTextMessage {
  /** The recipient's number as E.164 digits (`15551234567`; a leading `+` is accepted and dropped). */
  to: string;
  text: string;
}

/** Something that delivers text messages to people (WhatsApp, later SMS…). */
export interface MessageTransport {
  /** A short name for logs and stored rows, e.g. `whatsapp_cloud`. */
  readonly name: string;
  /**
   * Sends one message and resolves with the provider's id for it (a WhatsApp wamid), which later status
   * webhooks refer to.
   */
  send(message: OutboundTextMessage): Promise<{ providerMessageId: string }>;
}

/**
 * The Cloud API refused a message, answered something unreadable, or did not answer in time.
 * `code`/`subcode` are Meta's `error.code`/`error.error_subcode` (e.g. 131047: outside the 24-hour
 * customer service window; 190: access token expired), null when Meta sent none (timeout, network error,
 * non-JSON answer); `httpStatus` is null when no HTTP answer arrived.
 */
export class WhatsAppApiError extends Error {
  readonly code: number | null;
  readonly subcode: number | null;
  readonly httpStatus: number | null;
  /** Meta's `error.type`, e.g. `OAuthException`. */
  readonly type: string | null;
  /** Meta's `error.error_data.details`, the most specific explanation when present. */
  readonly details: string | null;
  /** Meta's `error.fbtrace_id`, to quote to Meta support. */
  readonly fbtraceId: string | null;

  constructor(
    message: string,
    info: {
      code?: number | null;
      subcode?: number | null;
      httpStatus?: number | null;
      type?: string | null;
      details?: string | null;
      fbtraceId?: string | null;
      cause?: unknown;
    } = {},
  ) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = "WhatsAppApiError";
    this.code = info.code ?? null;
    this.subcode = info.subcode ?? null;
    this.httpStatus = info.httpStatus ?? null;
    this.type = info.type ?? null;
    this.details = info.details ?? null;
    this.fbtraceId = info.fbtraceId ?? null;
  }
}

export interface WhatsAppCloudTransportOptions {
  /** A system-user or long-lived access token with `whatsapp_business_messaging`. */
  accessToken: string;
  /** The sending business phone number's id (not the number itself). */
  phoneNumberId: string;
  /** Graph API version, `vNN.N`; default {@link WHATSAPP_DEFAULT_API_VERSION}. */
  apiVersion?: string;
  /** Default `https://graph.facebook.com`; tests point it at a local server. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Whole-request timeout (connect, send, read the answer); default 10 000 ms. */
  timeoutMs?: number;
}

/** The Graph API version used when none is configured (the one Meta's send-message docs currently show). */
export const WHATSAPP_DEFAULT_API_VERSION = "v25.0";
/** The Cloud API's limit on a text message body. */
export const WHATSAPP_TEXT_MAX_CHARS = 4096;
const E164_DIGITS = /^\+?([1-9]\d{6,14})$/;
const API_VERSION = /^v\d+\.\d+$/;

function numberOrNull(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return null;
}

function stringOrNull(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/**
 * Sends free-form text messages through the WhatsApp Cloud API:
 * `POST {baseUrl}/{apiVersion}/{phoneNumberId}/messages`, `Authorization: Bearer <accessToken>`, body
 * `{"messaging_product":"whatsapp","recipient_type":"individual","to":"<digits>","type":"text",
 * "text":{"preview_url":false,"body":"<text>"}}`. Free-form text is only delivered inside the 24-hour
 * customer service window (after the user last wrote); outside it Meta answers error 131047 and a
 * template message is needed.
 */
export class WhatsAppCloudTransport implements MessageTransport {
  readonly name = "whatsapp_cloud";
  private readonly url: string;
  private readonly accessToken: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  /** @throws DomainError("invalid") for an empty token or phone number id, or a version not like `v25.0`. */
  constructor(options: WhatsAppCloudTransportOptions) {
    const apiVersion = options.apiVersion ?? WHATSAPP_DEFAULT_API_VERSION;
    if (!options.accessToken) throw new DomainError("invalid", "WhatsApp access token is empty");
    if (!/^\d+$/.test(options.phoneNumberId)) {
      throw new DomainError("invalid", "WhatsApp phone number id must be the numeric id Meta assigned");
    }
    if (!API_VERSION.test(apiVersion)) {
      throw new DomainError("invalid", `Graph API version must look like "v25.0", got "${apiVersion}"`);
    }
    const baseUrl = (options.baseUrl ?? "https://graph.facebook.com").replace(/\/+$/, "");
    this.url = `${baseUrl}/${apiVersion}/${options.phoneNumberId}/messages`;
    this.accessToken = options.accessToken;
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Sends `message.text` to `message.to` and resolves with the wamid (`messages[0].id`).
   *
   * @throws DomainError("invalid") when `to` is not 7–15 E.164 digits or the text is empty or longer than
   *   4096 characters (nothing is sent).
   * @throws WhatsAppApiError on a Graph API error answer (with Meta's code, subcode, type, details and
   *   fbtrace_id), any other non-2xx or non-JSON answer, a 2xx answer without `messages[0].id`, a network
   *   error, or no complete answer within `timeoutMs`.
   */
  async send(message: OutboundTextMessage): Promise<{ providerMessageId: string }> {
    const to = E164_DIGITS.exec(message.to.trim())?.[1];
    if (!to) throw new DomainError("invalid", "recipient must be an E.164 number: 7–15 digits, optionally after +");
    if (message.text.trim() === "") throw new DomainError("invalid", "message text is empty");
    if (message.text.length > WHATSAPP_TEXT_MAX_CHARS) {
      throw new DomainError("invalid", `message text is longer than ${WHATSAPP_TEXT_MAX_CHARS} characters`);
    }
    const body = {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to,
      type: "text",
      text: { preview_url: false, body: message.text },
    };

    let status: number;
    let responseText: string;
    try {
      const res = await this.fetchImpl(this.url, {
        method: "POST",
        headers: { authorization: `Bearer ${this.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      // Read inside the try: the timeout covers the body too.
      responseText = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      throw new WhatsAppApiError(
        timedOut
          ? `WhatsApp Cloud API did not answer within ${this.timeoutMs} ms`
          : `WhatsApp Cloud API request failed: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }

    let json: unknown;
    try {
      json = JSON.parse(responseText);
    } catch {
      throw new WhatsAppApiError(`WhatsApp Cloud API answered HTTP ${status} with a body that is not JSON`, {
        httpStatus: status,
      });
    }
    const error = isObject(json) && isObject(json.error) ? json.error : null;
    if (error || status < 200 || status > 299) {
      const data = error && isObject(error.error_data) ? error.error_data : null;
      throw new WhatsAppApiError(stringOrNull(error?.message) ?? `WhatsApp Cloud API answered HTTP ${status}`, {
        code: numberOrNull(error?.code),
        subcode: numberOrNull(error?.error_subcode),
        httpStatus: status,
        type: stringOrNull(error?.type),
        details: stringOrNull(data?.details),
        fbtraceId: stringOrNull(error?.fbtrace_id),
      });
    }
    const first = isObject(json) && Array.isArray(json.messages) ? json.messages[0] : undefined;
    const id = isObject(first) ? stringOrNull(first.id) : null;
    if (!id) {
      throw new WhatsAppApiError("WhatsApp Cloud API answered without messages[0].id", { httpStatus: status });
    }
    return { providerMessageId: id };
  }
}
