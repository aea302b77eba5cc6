/**
 * Inbound webhooks (WhatsApp Cloud API, Samsara Webhooks 2.0) and the WhatsApp Cloud API transport.
 * Pure unit tests, plus a local node:http server standing in for graph.facebook.com.
 *
 * Signature vectors are computed here with node:crypto from each vendor's documented scheme, never with the
 * module's own code, plus two fixed known answers: HMAC-SHA256("secret", "test") as published with a WhatsApp
 * SDK's docs, and a Samsara vector computed with `openssl dgst -sha256 -mac HMAC`.
 * Payload samples follow the examples in Meta's "messages webhook reference" and Samsara's event schema pages.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DomainError } from "../src/errors";
import { parseSamsaraEvent, type SamsaraEvent, verifySamsaraSignature } from "../src/webhooks/samsara";
import {
  parseWhatsAppWebhook,
  verifyWhatsAppSignature,
  WhatsAppApiError,
  WhatsAppCloudTransport,
  type WhatsAppWebhook,
  whatsAppVerificationChallenge,
} from "../src/webhooks/whatsapp";

// ---------------------------------------------------------------------------------------------------------
// WhatsApp: signature
// ---------------------------------------------------------------------------------------------------------

const APP_SECRET = "6f1c0d8e2b9a4c7f8e3d2a1b0c9f8e7d";

/** Meta's scheme: `sha256=` + hex HMAC-SHA256 of the raw body bytes, keyed with the app secret. */
function metaSignature(body: Buffer, secret = APP_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Meta sends non-ASCII characters as \uXXXX escapes; this is such a body, byte for byte. */
const META_BODY = Buffer.from(
  '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":' +
    '{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":' +
    '"106540352242922"},"contacts":[{"profile":{"name":"Jos\\u00e9 Mu\\u00f1oz"},"wa_id":"16505551234"}],' +
    '"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",' +
    '"timestamp":"1749416383","type":"text","text":{"body":"Est\\u00e1 el cami\\u00f3n en camino? \\ud83d\\ude9a"}}]},' +
    '"field":"messages"}]}]}',
  "utf8",
);

describe("verifyWhatsAppSignature", () => {
  it("matches the published known answer HMAC-SHA256('secret', 'test')", () => {
    const header = "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914";
    expect(verifyWhatsAppSignature(Buffer.from("test"), header, "secret")).toEqual({ ok: true });
    expect(
      verifyWhatsAppSignature(Buffer.from("test"), header.toUpperCase().replace("SHA256=", "sha256="), "secret"),
    ).toEqual({ ok: true });
  });

  it("accepts a body signed the documented way, with surrounding whitespace in the header", () => {
    expect(verifyWhatsAppSignature(META_BODY, metaSignature(META_BODY), APP_SECRET)).toEqual({ ok: true });
    expect(verifyWhatsAppSignature(META_BODY, ` ${metaSignature(META_BODY)} `, APP_SECRET)).toEqual({ ok: true });
  });

  it("rejects a body signed with another secret", () => {
    const r = verifyWhatsAppSignature(META_BODY, metaSignature(META_BODY, "another-secret"), APP_SECRET);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining("does not match") });
  });

  it("rejects a body re-serialised after signing (JSON.stringify of the parsed body)", () => {
    const signature = metaSignature(META_BODY);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(META_BODY.toString("utf8"))), "utf8");
    expect(reserialised.equals(META_BODY)).toBe(false);
    expect(verifyWhatsAppSignature(reserialised, signature, APP_SECRET).ok).toBe(false);
    const pretty = Buffer.from(JSON.stringify(JSON.parse(META_BODY.toString("utf8")), null, 2), "utf8");
    expect(verifyWhatsAppSignature(pretty, signature, APP_SECRET).ok).toBe(false);
  });

  it("rejects a tampered body", () => {
    const signature = metaSignature(META_BODY);
    const tampered = Buffer.from(META_BODY.toString("utf8").replace("16505551234", "16505559999"), "utf8");
    expect(verifyWhatsAppSignature(tampered, signature, APP_SECRET).ok).toBe(false);
  });

  it("rejects a missing or empty header", () => {
    expect(verifyWhatsAppSignature(META_BODY, undefined, APP_SECRET)).toEqual({
      ok: false,
      reason: "missing X-Hub-Signature-256 header",
    });
    expect(verifyWhatsAppSignature(META_BODY, "  ", APP_SECRET).ok).toBe(false);
  });

  it.each([
    ["the legacy sha1 header", `sha1=${createHmac("sha1", APP_SECRET).update(META_BODY).digest("hex")}`],
    ["a bare hex digest", createHmac("sha256", APP_SECRET).update(META_BODY).digest("hex")],
    ["a truncated digest", metaSignature(META_BODY).slice(0, 40)],
    ["non-hex digits", `sha256=${"z".repeat(64)}`],
    ["a base64 digest", `sha256=${createHmac("sha256", APP_SECRET).update(META_BODY).digest("base64")}`],
  ])("rejects a malformed header: %s", (_, header) => {
    expect(verifyWhatsAppSignature(META_BODY, header, APP_SECRET)).toEqual({
      ok: false,
      reason: expect.stringContaining("malformed X-Hub-Signature-256"),
    });
  });

  it("rejects everything when the app secret is not configured", () => {
    expect(verifyWhatsAppSignature(Buffer.from("x"), metaSignature(Buffer.from("x"), ""), "")).toEqual({
      ok: false,
      reason: "the WhatsApp app secret is not configured",
    });
  });
});

describe("whatsAppVerificationChallenge", () => {
  const token = "fleetcore-verify-7b2e";

  it("returns the challenge for a subscribe request with the right token (URLSearchParams shape)", () => {
    const q = Object.fromEntries(
      new URLSearchParams(`hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`),
    );
    expect(whatsAppVerificationChallenge(q, token)).toEqual({ ok: true, challenge: "1158201444" });
  });

  it("reads qs-style nested parameters", () => {
    const q = { hub: { mode: "subscribe", verify_token: token, challenge: "42" } };
    expect(whatsAppVerificationChallenge(q, token)).toEqual({ ok: true, challenge: "42" });
  });

  it("rejects a wrong token, a wrong mode, missing or repeated parameters, and an unset verify token", () => {
    const base = { "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "42" };
    expect(whatsAppVerificationChallenge({ ...base, "hub.verify_token": "guess" }, token)).toEqual({
      ok: false,
      reason: "hub.verify_token does not match",
    });
    expect(whatsAppVerificationChallenge({ ...base, "hub.mode": "unsubscribe" }, token)).toEqual({
      ok: false,
      reason: expect.stringContaining('hub.mode must be "subscribe"'),
    });
    expect(whatsAppVerificationChallenge({ "hub.mode": "subscribe", "hub.verify_token": token }, token)).toEqual({
      ok: false,
      reason: "missing hub.challenge",
    });
    expect(whatsAppVerificationChallenge({}, token)).toEqual({ ok: false, reason: "missing hub.mode" });
    expect(whatsAppVerificationChallenge({ ...base, "hub.challenge": ["1", "2"] }, token)).toEqual({
      ok: false,
      reason: "hub.challenge must be a single string",
    });
    expect(whatsAppVerificationChallenge(base, "")).toEqual({
      ok: false,
      reason: "the WhatsApp verify token is not configured",
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// WhatsApp: payloads
// ---------------------------------------------------------------------------------------------------------

const PHONE_NUMBER_ID = "106540352242922";
const USER = "16505551234";

/** A `messages` webhook body around one value, as Meta nests it. */
function waBody(value: Record<string, unknown>, field = "messages") {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: PHONE_NUMBER_ID },
              ...value,
            },
            field,
          },
        ],
      },
    ],
  };
}

/** One inbound message from USER, with Meta's contacts block. */
function waMessage(message: Record<string, unknown>) {
  return waBody({
    contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: USER }],
    messages: [
      {
        from: USER,
        id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        timestamp: "1749416383",
        ...message,
      },
    ],
  });
}

function parsed(body: unknown): WhatsAppWebhook {
  const r = parseWhatsAppWebhook(body);
  if (!r.ok) throw new Error(`expected ok, got: ${r.reason}`);
  return r.value;
}

function onlyMessage(body: unknown) {
  const value = parsed(body);
  expect(value.changes).toHaveLength(1);
  const [change] = value.changes;
  expect(change?.messages).toHaveLength(1);
  const message = change?.messages[0];
  if (!message) throw new Error("no message");
  return message;
}

function rejected(body: unknown): string {
  const r = parseWhatsAppWebhook(body);
  if (r.ok) throw new Error("expected a rejection");
  return r.reason;
}

describe("parseWhatsAppWebhook: inbound messages", () => {
  it("text, with the signed sample body and its escaped unicode", () => {
    const value = parsed(JSON.parse(META_BODY.toString("utf8")));
    expect(value).toEqual({
      changes: [
        {
          phoneNumberId: PHONE_NUMBER_ID,
          displayPhoneNumber: "15550783881",
          statuses: [],
          messages: [
            {
              id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
              from: USER,
              contactName: "José Muñoz",
              time: new Date(1749416383 * 1000),
              type: "text",
              text: "Está el camión en camino? 🚚",
              location: null,
              media: null,
              replyToId: null,
              raw: expect.objectContaining({ type: "text" }),
            },
          ],
        },
      ],
    });
  });

  it("a quoted text reply carries context.id", () => {
    const m = onlyMessage(
      waMessage({
        context: { from: "15550783881", id: "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA" },
        type: "text",
        text: { body: "Yes, 10 minutes" },
      }),
    );
    expect(m.replyToId).toBe("wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA");
    expect(m.text).toBe("Yes, 10 minutes");
  });

  it("image with caption", () => {
    const m = onlyMessage(
      waMessage({
        type: "image",
        image: {
          caption: "Delivery note, signed",
          mime_type: "image/jpeg",
          sha256: "5lz8WH6m9k9b2ouD1w6lH3wLT2Lqe+2mvFz1+yF4Y5g=",
          id: "1003383421387256",
        },
      }),
    );
    expect(m).toMatchObject({
      type: "image",
      text: "Delivery note, signed",
      media: { id: "1003383421387256", mimeType: "image/jpeg" },
    });
  });

  it("video, document and sticker carry their media id; document keeps its caption", () => {
    const video = onlyMessage(
      waMessage({ type: "video", video: { mime_type: "video/mp4", sha256: "abc=", id: "2220294288327213" } }),
    );
    expect(video).toMatchObject({
      type: "video",
      text: null,
      media: { id: "2220294288327213", mimeType: "video/mp4" },
    });
    const document = onlyMessage(
      waMessage({
        type: "document",
        document: {
          caption: "Invoice 2291",
          filename: "invoice-2291.pdf",
          mime_type: "application/pdf",
          sha256: "def=",
          id: "1541412709930373",
        },
      }),
    );
    expect(document).toMatchObject({
      text: "Invoice 2291",
      media: { id: "1541412709930373", mimeType: "application/pdf" },
    });
    const sticker = onlyMessage(
      waMessage({
        type: "sticker",
        sticker: { mime_type: "image/webp", sha256: "ghi=", id: "1230294288327213", animated: false },
      }),
    );
    expect(sticker).toMatchObject({
      type: "sticker",
      text: null,
      media: { id: "1230294288327213", mimeType: "image/webp" },
    });
  });

  it("audio (a voice note)", () => {
    const m = onlyMessage(
      waMessage({
        type: "audio",
        audio: { mime_type: "audio/ogg; codecs=opus", sha256: "jkl=", id: "7711923454412345", voice: true },
      }),
    );
    expect(m).toMatchObject({
      type: "audio",
      text: null,
      media: { id: "7711923454412345", mimeType: "audio/ogg; codecs=opus" },
    });
  });

  it("location with name and address", () => {
    const m = onlyMessage(
      waMessage({
        type: "location",
        location: {
          address: "1 Hacker Way, Menlo Park, CA 94025",
          latitude: 37.483307,
          longitude: -122.148981,
          name: "Main depot",
          url: "https://www.example.com",
        },
      }),
    );
    expect(m.location).toEqual({
      latitude: 37.483307,
      longitude: -122.148981,
      name: "Main depot",
      address: "1 Hacker Way, Menlo Park, CA 94025",
    });
    expect(m.text).toBe("Main depot, 1 Hacker Way, Menlo Park, CA 94025");
  });

  it("a bare pinned location has no text", () => {
    const m = onlyMessage(waMessage({ type: "location", location: { latitude: -33.8688, longitude: 151.2093 } }));
    expect(m).toMatchObject({
      text: null,
      location: { latitude: -33.8688, longitude: 151.2093, name: null, address: null },
    });
  });

  it("interactive button_reply and list_reply give the chosen title", () => {
    const context = { from: "15550783881", id: "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBRkU1NEU4RkQ0QUFFQkIzN0YA" };
    const button = onlyMessage(
      waMessage({
        context,
        type: "interactive",
        interactive: { type: "button_reply", button_reply: { id: "confirm-pickup", title: "Confirm pickup" } },
      }),
    );
    expect(button).toMatchObject({ type: "interactive", text: "Confirm pickup", replyToId: context.id });
    const list = onlyMessage(
      waMessage({
        context,
        type: "interactive",
        interactive: {
          type: "list_reply",
          list_reply: { id: "slot-2", title: "14:00–16:00", description: "Afternoon window" },
        },
      }),
    );
    expect(list).toMatchObject({ type: "interactive", text: "14:00–16:00" });
  });

  it("a template quick-reply button gives its text", () => {
    const m = onlyMessage(
      waMessage({
        context: { from: "15550783881", id: "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI2QzE0ODYwM0FBRkQ0OEQ0NzEA" },
        type: "button",
        button: { payload: "RESCHEDULE", text: "Reschedule" },
      }),
    );
    expect(m).toMatchObject({ type: "button", text: "Reschedule" });
  });

  it("a reaction refers to the reacted message; removing it gives no text", () => {
    const reacted = "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA";
    const m = onlyMessage(waMessage({ type: "reaction", reaction: { message_id: reacted, emoji: "👍" } }));
    expect(m).toMatchObject({ type: "reaction", text: "👍", replyToId: reacted });
    const removed = onlyMessage(waMessage({ type: "reaction", reaction: { message_id: reacted } }));
    expect(removed).toMatchObject({ text: null, replyToId: reacted });
  });

  it("unsupported and unknown types are kept with their type and raw payload", () => {
    const unsupported = onlyMessage(
      waMessage({
        type: "unsupported",
        errors: [
          {
            code: 131051,
            title: "Message type unknown",
            message: "Message type unknown",
            error_data: { details: "Message type is currently not supported." },
          },
        ],
      }),
    );
    expect(unsupported).toMatchObject({ type: "unsupported", text: null, media: null, location: null });
    expect(unsupported.raw).toMatchObject({ errors: [{ code: 131051 }] });
    const order = onlyMessage(
      waMessage({
        type: "order",
        order: { catalog_id: "123", product_items: [{ product_retailer_id: "sku-1", quantity: 2 }] },
      }),
    );
    expect(order).toMatchObject({ type: "order", text: null });
    expect(order.raw).toMatchObject({ order: { catalog_id: "123" } });
  });

  it("several messages and contacts in one change; the contact name is matched on wa_id", () => {
    const value = parsed(
      waBody({
        contacts: [
          { profile: { name: "Ana" }, wa_id: "34600000001" },
          { profile: { name: "Ben" }, wa_id: "447700900002" },
        ],
        messages: [
          { from: "447700900002", id: "wamid.B", timestamp: "1749416400", type: "text", text: { body: "hi" } },
          { from: "34600000001", id: "wamid.A", timestamp: "1749416401", type: "text", text: { body: "hola" } },
          { from: "19995550000", id: "wamid.C", timestamp: "1749416402", type: "text", text: { body: "?" } },
        ],
      }),
    );
    expect(value.changes[0]?.messages.map((m) => [m.id, m.contactName])).toEqual([
      ["wamid.B", "Ben"],
      ["wamid.A", "Ana"],
      ["wamid.C", null],
    ]);
  });
});

describe("parseWhatsAppWebhook: statuses", () => {
  function status(s: Record<string, unknown>) {
    return waBody({
      statuses: [
        {
          id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA",
          recipient_id: USER,
          timestamp: "1750030073",
          ...s,
        },
      ],
    });
  }

  it.each(["sent", "delivered", "read"] as const)("%s", (state) => {
    const value = parsed(
      status({
        status: state,
        conversation: { id: "a75d17ad06104c51166f948319b03c6a", origin: { type: "service" } },
        pricing: { billable: true, pricing_model: "PMP", category: "service" },
      }),
    );
    expect(value.changes[0]?.messages).toEqual([]);
    expect(value.changes[0]?.statuses).toEqual([
      {
        id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA",
        recipientId: USER,
        status: state,
        time: new Date(1750030073 * 1000),
        errors: [],
        raw: expect.objectContaining({ status: state }),
      },
    ]);
  });

  it("failed, with Meta's errors (code, title, error_data.details)", () => {
    const value = parsed(
      status({
        status: "failed",
        errors: [
          {
            code: 131047,
            title: "Re-engagement message",
            message: "Re-engagement message",
            error_data: {
              details:
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            },
            href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
          },
          { code: 131026, title: "Message undeliverable" },
        ],
      }),
    );
    expect(value.changes[0]?.statuses[0]).toMatchObject({
      status: "failed",
      errors: [
        {
          code: 131047,
          title: "Re-engagement message",
          details:
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        },
        { code: 131026, title: "Message undeliverable", details: null },
      ],
    });
  });

  it("skips a status other than the four documented ones, keeping the rest of the change", () => {
    const body = waBody({
      statuses: [
        { id: "wamid.W", recipient_id: USER, timestamp: "1750030073", status: "deleted" },
        { id: "wamid.X", recipient_id: USER, timestamp: "1750030074", status: "read" },
      ],
    });
    expect(parsed(body).changes[0]?.statuses.map((s) => [s.id, s.status])).toEqual([["wamid.X", "read"]]);
  });
});

describe("parseWhatsAppWebhook: other fields and rejections", () => {
  it("ignores changes whose field is not messages", () => {
    const body = waBody({ event: "FLAGGED", message_template_id: 123 }, "message_template_status_update");
    expect(parsed(body)).toEqual({ changes: [] });
  });

  it.each<[string, unknown, string]>([
    ["a non-object body", "hello", "body must be a JSON object"],
    ["an array body", [], "body must be a JSON object"],
    ["another webhook object", { object: "page", entry: [] }, 'object must be "whatsapp_business_account", got "page"'],
    ["no object", { entry: [] }, 'object must be "whatsapp_business_account", got nothing'],
    ["entry not an array", { object: "whatsapp_business_account", entry: {} }, "entry must be an array"],
    [
      "changes not an array",
      { object: "whatsapp_business_account", entry: [{ id: "1" }] },
      "entry[0].changes must be an array",
    ],
  ])("rejects %s", (_, body, reason) => {
    expect(rejected(body)).toBe(reason);
  });

  it("rejects a messages change without value or phone_number_id", () => {
    const noValue = { object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "messages" }] }] };
    expect(rejected(noValue)).toBe("missing entry[0].changes[0].value");
    const body = waBody({});
    (body.entry[0]?.changes[0]?.value as { metadata: Record<string, unknown> }).metadata = {
      display_phone_number: "15550783881",
    };
    expect(rejected(body)).toBe("missing entry[0].changes[0].value.metadata.phone_number_id");
  });

  it("rejects the whole body when one message of a batch is malformed, naming its path", () => {
    const body = waBody({
      messages: [
        { from: USER, id: "wamid.ok", timestamp: "1749416383", type: "text", text: { body: "fine" } },
        { from: USER, id: "wamid.bad", timestamp: "1749416384", type: "text", text: { body: 42 } },
      ],
    });
    expect(rejected(body)).toBe("entry[0].changes[0].value.messages[1].text.body must be a string");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["no id", { id: undefined, type: "text", text: { body: "x" } }, "missing entry[0].changes[0].value.messages[0].id"],
    ["no type", { type: undefined }, "missing entry[0].changes[0].value.messages[0].type"],
    [
      "a timestamp that is not Unix seconds",
      { timestamp: "2025-06-08T20:59:43Z", type: "text", text: { body: "x" } },
      "entry[0].changes[0].value.messages[0].timestamp must be Unix seconds (a string of digits)",
    ],
    ["text without text", { type: "text" }, "missing entry[0].changes[0].value.messages[0].text"],
    [
      "an image without a media id",
      { type: "image", image: { mime_type: "image/jpeg" } },
      "missing entry[0].changes[0].value.messages[0].image.id",
    ],
    [
      "a location out of range",
      { type: "location", location: { latitude: 137.7, longitude: 12 } },
      "entry[0].changes[0].value.messages[0].location.latitude 137.7 is outside [-90, 90]",
    ],
    [
      "a button reply without a title",
      { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "x" } } },
      "missing entry[0].changes[0].value.messages[0].interactive.button_reply.title",
    ],
    [
      "a reaction without message_id",
      { type: "reaction", reaction: { emoji: "👍" } },
      "missing entry[0].changes[0].value.messages[0].reaction.message_id",
    ],
  ])("rejects a message with %s", (_, overrides, reason) => {
    expect(rejected(waMessage(overrides))).toBe(reason);
  });

  it("rejects a malformed status", () => {
    expect(rejected(waBody({ statuses: [{ id: "wamid.X", status: "read", timestamp: "1750030073" }] }))).toBe(
      "missing entry[0].changes[0].value.statuses[0].recipient_id",
    );
    expect(
      rejected(
        waBody({
          statuses: [
            { id: "wamid.X", recipient_id: USER, status: "failed", timestamp: "1750030073", errors: [{ title: "?" }] },
          ],
        }),
      ),
    ).toBe("missing entry[0].changes[0].value.statuses[0].errors[0].code");
  });
});

// ---------------------------------------------------------------------------------------------------------
// WhatsApp: Cloud API transport against a local HTTP server
// ---------------------------------------------------------------------------------------------------------

interface Captured {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage["headers"];
  body: string;
}

describe("WhatsAppCloudTransport", () => {
  let server: Server;
  let baseUrl: string;
  let requests: Captured[];
  let respond: (res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        respond(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    requests = [];
    respond = (res) => res.writeHead(500).end();
  });

  function json(status: number, body: unknown) {
    return (res: ServerResponse) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  function transport(extra: { timeoutMs?: number } = {}) {
    return new WhatsAppCloudTransport({
      accessToken: "EAAJB-test-token",
      phoneNumberId: "106540352242922",
      apiVersion: "v23.0",
      baseUrl: `${baseUrl}/`,
      ...extra,
    });
  }

  it("posts the documented request and returns the wamid", async () => {
    respond = json(200, {
      messaging_product: "whatsapp",
      contacts: [{ input: "16505551234", wa_id: "16505551234" }],
      messages: [{ id: "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA" }],
    });
    const t = transport();
    expect(t.name).toBe("whatsapp_cloud");
    await expect(t.send({ to: "+16505551234", text: "Your driver is 10 minutes away." })).resolves.toEqual({
      providerMessageId: "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA",
    });
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/v23.0/106540352242922/messages");
    expect(req?.headers.authorization).toBe("Bearer EAAJB-test-token");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(req?.body ?? "")).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "16505551234",
      type: "text",
      text: { preview_url: false, body: "Your driver is 10 minutes away." },
    });
  });

  it("defaults to a current Graph API version", async () => {
    respond = json(200, { messaging_product: "whatsapp", messages: [{ id: "wamid.1" }] });
    const t = new WhatsAppCloudTransport({ accessToken: "t", phoneNumberId: "1", baseUrl });
    await t.send({ to: "16505551234", text: "hi" });
    expect(requests[0]?.url).toMatch(/^\/v\d+\.\d+\/1\/messages$/);
  });

  it("throws WhatsAppApiError with Meta's code, subcode, details and trace id on an error answer", async () => {
    respond = json(400, {
      error: {
        message: "(#131047) Re-engagement message",
        type: "OAuthException",
        code: 131047,
        error_subcode: 2494010,
        error_data: {
          messaging_product: "whatsapp",
          details:
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        },
        fbtrace_id: "AwmiSOCojlAkqvjCTjGt37r",
      },
    });
    const err = await transport()
      .send({ to: "16505551234", text: "hello" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WhatsAppApiError);
    expect(err).toMatchObject({
      message: "(#131047) Re-engagement message",
      code: 131047,
      subcode: 2494010,
      httpStatus: 400,
      type: "OAuthException",
      details: expect.stringContaining("more than 24 hours"),
      fbtraceId: "AwmiSOCojlAkqvjCTjGt37r",
    });
  });

  it("throws on an expired token (401)", async () => {
    respond = json(401, {
      error: {
        message: "Error validating access token: Session has expired",
        type: "OAuthException",
        code: 190,
        error_subcode: 463,
        fbtrace_id: "A1",
      },
    });
    await expect(transport().send({ to: "16505551234", text: "x" })).rejects.toMatchObject({
      name: "WhatsAppApiError",
      code: 190,
      subcode: 463,
      httpStatus: 401,
    });
  });

  it("throws on a non-JSON answer and on a 2xx answer without a message id", async () => {
    respond = (res) => res.writeHead(502, { "content-type": "text/html" }).end("<html>Bad Gateway</html>");
    await expect(transport().send({ to: "16505551234", text: "x" })).rejects.toMatchObject({
      name: "WhatsAppApiError",
      code: null,
      httpStatus: 502,
    });
    respond = json(200, { messaging_product: "whatsapp", messages: [] });
    await expect(transport().send({ to: "16505551234", text: "x" })).rejects.toMatchObject({
      message: "WhatsApp Cloud API answered without messages[0].id",
      httpStatus: 200,
    });
  });

  it("throws WhatsAppApiError when the API does not answer in time", async () => {
    respond = () => {}; // never answers
    const started = Date.now();
    const err = await transport({ timeoutMs: 150 })
      .send({ to: "16505551234", text: "x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WhatsAppApiError);
    expect(err).toMatchObject({
      message: "WhatsApp Cloud API did not answer within 150 ms",
      httpStatus: null,
      code: null,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    server.closeAllConnections();
  });

  it("throws WhatsAppApiError when nothing listens", async () => {
    const t = new WhatsAppCloudTransport({ accessToken: "t", phoneNumberId: "1", baseUrl: "http://127.0.0.1:9" });
    await expect(t.send({ to: "16505551234", text: "x" })).rejects.toBeInstanceOf(WhatsAppApiError);
  });

  it("refuses invalid input without calling the API", async () => {
    const t = transport();
    for (const to of ["", "0044 20 7946 0000", "+1 650 555 1234", "123", "1".repeat(16)]) {
      await expect(t.send({ to, text: "x" })).rejects.toBeInstanceOf(DomainError);
    }
    await expect(t.send({ to: "16505551234", text: "  " })).rejects.toBeInstanceOf(DomainError);
    await expect(t.send({ to: "16505551234", text: "x".repeat(4097) })).rejects.toBeInstanceOf(DomainError);
    expect(requests).toEqual([]);
    expect(() => new WhatsAppCloudTransport({ accessToken: "t", phoneNumberId: "1", apiVersion: "23" })).toThrow(
      DomainError,
    );
    expect(() => new WhatsAppCloudTransport({ accessToken: "", phoneNumberId: "1" })).toThrow(DomainError);
    expect(() => new WhatsAppCloudTransport({ accessToken: "t", phoneNumberId: "+15550783881" })).toThrow(DomainError);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Samsara: signature
// ---------------------------------------------------------------------------------------------------------

/** The webhook secret as Samsara shows it: base64 (here of the ASCII bytes "fleetcore-samsara-test-key-0001"). */
const SAMSARA_SECRET = "ZmxlZXRjb3JlLXNhbXNhcmEtdGVzdC1rZXktMDAwMQ==";
const TS = "1587597109";
const NOW_MS = Number(TS) * 1000 + 2_000;

/** Samsara's scheme: v1= + hex HMAC-SHA256 over `v1:<timestamp>:<raw body>`, keyed with the decoded secret. */
function samsaraSignature(body: Buffer, timestamp = TS, secretBase64 = SAMSARA_SECRET): string {
  const mac = createHmac("sha256", Buffer.from(secretBase64, "base64"));
  mac.update(`v1:${timestamp}:`);
  mac.update(body);
  return `v1=${mac.digest("hex")}`;
}

describe("verifySamsaraSignature", () => {
  const pingBody = Buffer.from('{"eventId":"bf72239c-bebd-4c22-b64c-6fc692ef7c46","eventType":"Ping"}');

  it("matches a vector computed with openssl", () => {
    // printf 'v1:1587597109:<body>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<hex of the decoded secret>
    const header = "v1=614c54f832a69d712141832508950902b18cea088a67ea5e136bc3d49f6d2b61";
    expect(samsaraSignature(pingBody)).toBe(header);
    expect(verifySamsaraSignature(pingBody, { signature: header, timestamp: TS }, SAMSARA_SECRET, NOW_MS)).toEqual({
      ok: true,
    });
  });

  it("accepts a realistic signed event body", () => {
    const body = Buffer.from(JSON.stringify(geofenceEntry()), "utf8");
    const headers = { signature: samsaraSignature(body), timestamp: TS };
    expect(verifySamsaraSignature(body, headers, SAMSARA_SECRET, NOW_MS)).toEqual({ ok: true });
  });

  it("uses the base64-decoded secret as the key, not its text", () => {
    const mac = createHmac("sha256", SAMSARA_SECRET).update(`v1:${TS}:`).update(pingBody).digest("hex");
    const r = verifySamsaraSignature(pingBody, { signature: `v1=${mac}`, timestamp: TS }, SAMSARA_SECRET, NOW_MS);
    expect(r.ok).toBe(false);
  });

  it("rejects a body signed with another secret", () => {
    const other = Buffer.from("another-secret-entirely").toString("base64");
    const r = verifySamsaraSignature(
      pingBody,
      { signature: samsaraSignature(pingBody, TS, other), timestamp: TS },
      SAMSARA_SECRET,
      NOW_MS,
    );
    expect(r).toEqual({ ok: false, reason: expect.stringContaining("does not match") });
  });

  it("rejects a body signed over different bytes (re-serialised JSON)", () => {
    const body = Buffer.from(JSON.stringify(geofenceEntry(), null, 2), "utf8");
    const signature = samsaraSignature(body);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString("utf8"))), "utf8");
    expect(verifySamsaraSignature(reserialised, { signature, timestamp: TS }, SAMSARA_SECRET, NOW_MS).ok).toBe(false);
  });

  it("rejects a timestamp header other than the one signed", () => {
    const signature = samsaraSignature(pingBody, TS);
    const r = verifySamsaraSignature(
      pingBody,
      { signature, timestamp: String(Number(TS) + 1) },
      SAMSARA_SECRET,
      NOW_MS,
    );
    expect(r.ok).toBe(false);
  });

  it("rejects missing headers", () => {
    const signature = samsaraSignature(pingBody);
    expect(verifySamsaraSignature(pingBody, { signature: undefined, timestamp: TS }, SAMSARA_SECRET, NOW_MS)).toEqual({
      ok: false,
      reason: "missing X-Samsara-Signature header",
    });
    expect(verifySamsaraSignature(pingBody, { signature, timestamp: undefined }, SAMSARA_SECRET, NOW_MS)).toEqual({
      ok: false,
      reason: "missing X-Samsara-Timestamp header",
    });
  });

  it.each([
    ["a bare hex digest", samsaraSignature(pingBody).slice(3)],
    ["another scheme", samsaraSignature(pingBody).replace("v1=", "v0=")],
    ["a short digest", samsaraSignature(pingBody).slice(0, 30)],
  ])("rejects a malformed signature header: %s", (_, signature) => {
    expect(verifySamsaraSignature(pingBody, { signature, timestamp: TS }, SAMSARA_SECRET, NOW_MS)).toEqual({
      ok: false,
      reason: "malformed X-Samsara-Signature header: expected v1=<64 hex digits>",
    });
  });

  it("rejects a malformed timestamp", () => {
    const r = verifySamsaraSignature(
      pingBody,
      { signature: samsaraSignature(pingBody), timestamp: "2020-04-22T23:11:49Z" },
      SAMSARA_SECRET,
      NOW_MS,
    );
    expect(r).toEqual({ ok: false, reason: "malformed X-Samsara-Timestamp header: expected Unix seconds" });
  });

  it("rejects a stale or future timestamp beyond the tolerance (replay protection)", () => {
    const headers = { signature: samsaraSignature(pingBody), timestamp: TS };
    const tsMs = Number(TS) * 1000;
    expect(verifySamsaraSignature(pingBody, headers, SAMSARA_SECRET, tsMs + 300_000).ok).toBe(true);
    expect(verifySamsaraSignature(pingBody, headers, SAMSARA_SECRET, tsMs + 301_000)).toEqual({
      ok: false,
      reason: expect.stringContaining("stale X-Samsara-Timestamp: 301 s old"),
    });
    expect(verifySamsaraSignature(pingBody, headers, SAMSARA_SECRET, tsMs + 3_600_000).ok).toBe(false);
    expect(verifySamsaraSignature(pingBody, headers, SAMSARA_SECRET, tsMs - 301_000)).toEqual({
      ok: false,
      reason: expect.stringContaining("in the future"),
    });
    expect(verifySamsaraSignature(pingBody, headers, SAMSARA_SECRET, tsMs + 30_000, 10).ok).toBe(false);
  });

  it("accepts one matching signature among several (secret rotation)", () => {
    const stale = samsaraSignature(pingBody, TS, Buffer.from("old secret").toString("base64"));
    const signature = `${stale}, ${samsaraSignature(pingBody)}`;
    expect(verifySamsaraSignature(pingBody, { signature, timestamp: TS }, SAMSARA_SECRET, NOW_MS).ok).toBe(true);
  });

  it("rejects everything when the secret is empty or not base64", () => {
    const headers = { signature: samsaraSignature(pingBody), timestamp: TS };
    for (const secret of ["", "   ", "not base64!"]) {
      expect(verifySamsaraSignature(pingBody, headers, secret, NOW_MS)).toEqual({
        ok: false,
        reason: "the Samsara webhook secret is not configured or is not base64",
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Samsara: events (shaped after developers.samsara.com's event schema pages)
// ---------------------------------------------------------------------------------------------------------

function envelope(eventType: string, data: unknown) {
  return {
    eventId: "017db07f-6e95-470e-8cc0-a371f9deed2b",
    eventTime: "2025-06-13T19:08:25.683Z",
    eventType,
    orgId: 20936,
    webhookId: "1411751028848270",
    data,
  };
}

const SAMSARA_VEHICLE = {
  assetType: "vehicle",
  externalIds: { maintenanceId: "250020" },
  gateway: { model: "VG34", serial: "GFRV-43N-VGX" },
  id: "494123",
  licensePlate: "6SAM123",
  name: "Fleet Truck #1",
  vin: "1GBJ6P1B2HV112765",
};

function geofenceAddress() {
  return {
    externalIds: { siteId: "54" },
    formattedAddress: "350 Rhode Island St, San Francisco, CA",
    geofence: { circle: { latitude: 37.7649, longitude: -122.4026, radiusMeters: 23 } },
    id: "494123",
    name: "Company Office #1",
  };
}

function geofenceEntry() {
  return envelope("GeofenceEntry", { address: geofenceAddress(), vehicle: SAMSARA_VEHICLE });
}

function event(body: unknown): SamsaraEvent {
  const r = parseSamsaraEvent(body);
  if (!r.ok) throw new Error(`expected ok, got: ${r.reason}`);
  return r.value;
}

function samsaraRejected(body: unknown): string {
  const r = parseSamsaraEvent(body);
  if (r.ok) throw new Error("expected a rejection");
  return r.reason;
}

describe("parseSamsaraEvent", () => {
  it("GeofenceEntry: envelope, orgId as a string, geofence centre and address", () => {
    const body = geofenceEntry();
    expect(event(body)).toEqual({
      eventId: "017db07f-6e95-470e-8cc0-a371f9deed2b",
      eventTime: new Date("2025-06-13T19:08:25.683Z"),
      eventType: "GeofenceEntry",
      orgId: "20936",
      webhookId: "1411751028848270",
      data: body.data,
      normalized: {
        type: "geofence_enter",
        severity: "info",
        title: "Fleet Truck #1 entered Company Office #1",
        vehicle: { id: "494123", name: "Fleet Truck #1" },
        driver: null,
        location: { latitude: 37.7649, longitude: -122.4026 },
        address: "350 Rhode Island St, San Francisco, CA",
      },
    });
  });

  it("GeofenceExit with a polygon geofence uses the mean of its vertices", () => {
    const address = {
      ...geofenceAddress(),
      geofence: {
        polygon: {
          vertices: [
            { latitude: 37.0, longitude: -122.0 },
            { latitude: 37.2, longitude: -122.0 },
            { latitude: 37.2, longitude: -122.2 },
            { latitude: 37.0, longitude: -122.2 },
          ],
        },
      },
    };
    const n = event(envelope("GeofenceExit", { address, vehicle: SAMSARA_VEHICLE })).normalized;
    expect(n).toMatchObject({ type: "geofence_exit", title: "Fleet Truck #1 left Company Office #1" });
    expect(n.location?.latitude).toBeCloseTo(37.1, 10);
    expect(n.location?.longitude).toBeCloseTo(-122.1, 10);
  });

  it("AlertIncident: the condition's description, vehicle, driver and address", () => {
    const n = event(
      envelope("AlertIncident", {
        configurationId: "9814a1fa-f0c6-408b-bf85-51dc3bc71ac7",
        happenedAtTime: "2025-06-13T19:08:25Z",
        updatedAtTime: "2025-06-13T19:08:25Z",
        incidentUrl: "https://cloud.samsara.com/o/20936/fleet/workflows/incidents/123",
        isResolved: false,
        conditions: [
          {
            description: "Vehicle entered the yard",
            triggerId: 1005,
            details: {
              geofenceEntry: {
                driver: { id: "45646", name: "Driver Bob", externalIds: { payrollId: "ABFS18600" } },
                vehicle: { id: "494123", name: "Fleet Truck #1", externalIds: { maintenanceId: "250020" } },
                address: geofenceAddress(),
              },
            },
          },
        ],
      }),
    ).normalized;
    expect(n).toEqual({
      type: "samsara_alert",
      severity: "warning",
      title: "Vehicle entered the yard (Fleet Truck #1)",
      vehicle: { id: "494123", name: "Fleet Truck #1" },
      driver: { id: "45646", name: "Driver Bob", phone: null },
      location: { latitude: 37.7649, longitude: -122.4026 },
      address: "350 Rhode Island St, San Francisco, CA",
    });
  });

  it("AlertIncident: a resolved severe-speeding incident, legacy details, and no conditions", () => {
    const resolved = event(
      envelope("AlertIncident", {
        isResolved: true,
        conditions: [
          {
            description: "Vehicle speed exceeds threshold",
            triggerId: 1000,
            details: {
              severeSpeeding: {
                driver: { id: "45646", name: "Driver Bob" },
                vehicle: { id: "494123", name: "Fleet Truck #1" },
                speedMilesPerHour: 75,
                speedLimitMilesPerHour: 55,
              },
            },
          },
        ],
      }),
    ).normalized;
    expect(resolved).toMatchObject({
      severity: "info",
      title: "Resolved: Vehicle speed exceeds threshold (Fleet Truck #1)",
    });
    const legacy = event(
      envelope("AlertIncident", {
        conditions: [{ description: "Alert name", details: { vehicle: { id: 7, name: "Van 7" } } }],
      }),
    ).normalized;
    expect(legacy.vehicle).toEqual({ id: "7", name: "Van 7" });
    const bare = event(envelope("AlertIncident", { isResolved: false })).normalized;
    expect(bare).toMatchObject({ title: "Samsara alert", vehicle: null, driver: null });
  });

  it.each([
    ["RouteStopArrival", "route_stop_arrival", "Fleet Truck #1 arrived at Stop #1 on route Bid 123"],
    ["RouteStopDeparture", "route_stop_departure", "Fleet Truck #1 departed Stop #1 on route Bid 123"],
  ])("%s", (eventType, type, title) => {
    const n = event(
      envelope(eventType, {
        assignedAtTime: "2025-06-13T19:08:25Z",
        assignedToRoute: "vehicle",
        driver: { externalIds: { payrollId: "ABFS18600" }, id: "45646", name: "Driver Bob" },
        operation: eventType === "RouteStopArrival" ? "stop arrived" : "stop departed",
        route: {
          id: "342341",
          name: "Bid 123",
          scheduledRouteStartTime: "2025-06-13T19:08:25Z",
          stops: [{ id: "324231", name: "Stop #1", address: { id: "494123", name: "Company Office #1" } }],
        },
        routeStopDetails: {
          id: "324231",
          name: "Stop #1",
          state: eventType === "RouteStopArrival" ? "arrived" : "departed",
          actualArrivalTime: "2025-06-13T19:08:25Z",
          address: { id: "494123", name: "Company Office #1", latitude: 37.7649, longitude: -122.4026 },
        },
        vehicle: { id: "494123", name: "Fleet Truck #1", vin: "1GBJ6P1B2HV112765" },
      }),
    ).normalized;
    expect(n).toEqual({
      type,
      severity: "info",
      title,
      vehicle: { id: "494123", name: "Fleet Truck #1" },
      driver: { id: "45646", name: "Driver Bob", phone: null },
      location: { latitude: 37.7649, longitude: -122.4026 },
      address: "Company Office #1",
    });
  });

  it("a route stop event assigned to a driver, without stop details", () => {
    const n = event(
      envelope("RouteStopArrival", {
        driver: { id: "45646", name: "Driver Bob" },
        route: { id: "1", name: "Bid 123" },
      }),
    ).normalized;
    expect(n).toMatchObject({ title: "Driver Bob arrived at a stop on route Bid 123", vehicle: null, location: null });
  });

  it.each([
    ["Light", "info", "Fleet Truck #1 started speeding (light)"],
    ["Moderate", "warning", "Fleet Truck #1 started speeding (moderate)"],
    ["Heavy", "critical", "Fleet Truck #1 started speeding (heavy)"],
    ["Severe", "critical", "Fleet Truck #1 started speeding (severe)"],
  ])("SpeedingEventStarted %s", (severityLevel, severity, title) => {
    const n = event(
      envelope("SpeedingEventStarted", {
        severityLevel,
        startTime: "2025-06-13T19:08:25Z",
        tripStartTime: "2025-06-13T18:40:00Z",
        vehicle: {
          assetType: "vehicle",
          externalIds: { maintenanceId: "250020" },
          id: "494123",
          licensePlate: "6SAM123",
          name: "Fleet Truck #1",
          vehicleVin: "1GBJ6P1B2HV112765",
        },
      }),
    ).normalized;
    expect(n).toEqual({
      type: "speeding_started",
      severity,
      title,
      vehicle: { id: "494123", name: "Fleet Truck #1" },
      driver: null,
      location: null,
      address: null,
    });
  });

  it("SpeedingEventEnded", () => {
    const n = event(
      envelope("SpeedingEventEnded", {
        severityLevel: "Moderate",
        startTime: "2025-06-13T19:08:25Z",
        endTime: "2025-06-13T19:09:40Z",
        tripStartTime: "2025-06-13T18:40:00Z",
        vehicle: { id: "494123", name: "Fleet Truck #1", vehicleVin: "1GBJ6P1B2HV112765" },
      }),
    ).normalized;
    expect(n).toMatchObject({ type: "speeding_ended", severity: "info", title: "Fleet Truck #1 stopped speeding" });
  });

  it.each([
    ["DriverCreated", "driver_created", "Driver Driver Bob was added in Samsara"],
    ["DriverUpdated", "driver_updated", "Driver Driver Bob was updated in Samsara"],
  ])("%s: driver with phone and static vehicle", (eventType, type, title) => {
    const n = event(
      envelope(eventType, {
        driver: {
          createdAtTime: "2025-06-20T19:08:25Z",
          driverActivationStatus: "active",
          externalIds: { payrollId: "ABFS18600" },
          id: "45646",
          licenseNumber: "B0BDR1V",
          licenseState: "CA",
          name: "Driver Bob",
          phone: "555-0123",
          staticAssignedVehicle: { externalIds: { maintenanceId: "250020" }, id: "494123", name: "Fleet Truck #1" },
          tags: [{ id: "3914", name: "East Coast", parentTagId: "4815" }],
          timezone: "America/Los_Angeles",
          updatedAtTime: "2025-06-20T19:08:25Z",
          username: "driverbob",
        },
      }),
    ).normalized;
    expect(n).toEqual({
      type,
      severity: "info",
      title,
      vehicle: { id: "494123", name: "Fleet Truck #1" },
      driver: { id: "45646", name: "Driver Bob", phone: "555-0123" },
      location: null,
      address: null,
    });
  });

  it.each([
    ["VehicleCreated", "vehicle_created", "Vehicle Fleet Truck #1 was added in Samsara"],
    ["VehicleUpdated", "vehicle_updated", "Vehicle Fleet Truck #1 was updated in Samsara"],
  ])("%s", (eventType, type, title) => {
    const n = event(
      envelope(eventType, {
        vehicle: {
          ...SAMSARA_VEHICLE,
          createdAtTime: "2023-08-25T18:17:06Z",
          make: "Ford",
          model: "F150",
          notes: "These are notes about this given vehicle.",
          staticAssignedDriver: { id: "88668", name: "Susan Bob" },
          year: "2021",
        },
      }),
    ).normalized;
    expect(n).toEqual({
      type,
      severity: "info",
      title,
      vehicle: { id: "494123", name: "Fleet Truck #1" },
      driver: { id: "88668", name: "Susan Bob", phone: null },
      location: null,
      address: null,
    });
  });

  it("keeps unknown event types, normalised generically", () => {
    const body = envelope("EngineFaultOn", {
      vehicle: { id: "494123", name: "Fleet Truck #1" },
      faultCodes: [{ code: "P0300", description: "Random misfire" }],
    });
    const e = event(body);
    expect(e.eventType).toBe("EngineFaultOn");
    expect(e.data).toEqual(body.data);
    expect(e.normalized).toEqual({
      type: "samsara_EngineFaultOn",
      severity: "info",
      title: "Samsara EngineFaultOn for Fleet Truck #1",
      vehicle: { id: "494123", name: "Fleet Truck #1" },
      driver: null,
      location: null,
      address: null,
    });
    // An unknown payload is never rejected for its shape.
    expect(event(envelope("Ping", null)).normalized).toMatchObject({ type: "samsara_Ping", vehicle: null });
    expect(event(envelope("SomethingNew", { vehicle: { name: "no id" } })).normalized.vehicle).toBeNull();
  });

  it("accepts a string orgId and an offset eventTime", () => {
    const e = event({ ...geofenceEntry(), orgId: "20936", eventTime: "2025-06-13T21:08:25+02:00" });
    expect(e.orgId).toBe("20936");
    expect(e.eventTime).toEqual(new Date("2025-06-13T19:08:25Z"));
  });

  it.each<[string, unknown, string]>([
    ["a non-object body", "GeofenceEntry", "body must be a JSON object"],
    ["no eventId", { ...geofenceEntry(), eventId: undefined }, "missing eventId"],
    ["no eventType", { ...geofenceEntry(), eventType: "" }, "missing eventType"],
    ["no eventTime", { ...geofenceEntry(), eventTime: undefined }, "missing eventTime"],
    ["an eventTime in milliseconds", { ...geofenceEntry(), eventTime: 1587597109477 }, "eventTime must be a string"],
    [
      "an eventTime that is not RFC 3339",
      { ...geofenceEntry(), eventTime: "yesterday" },
      'eventTime "yesterday" is not an RFC 3339 date-time',
    ],
    ["an object orgId", { ...geofenceEntry(), orgId: { id: 1 } }, "orgId must be a string or an integer"],
    ["no orgId", { ...geofenceEntry(), orgId: undefined }, "missing orgId"],
    ["no webhookId", { ...geofenceEntry(), webhookId: null }, "missing webhookId"],
    ["data that is not an object", envelope("GeofenceEntry", []), "data must be an object for a GeofenceEntry event"],
    [
      "a vehicle without id",
      envelope("GeofenceExit", { vehicle: { name: "x" } }),
      "data.vehicle.id must be a non-empty string",
    ],
    [
      "a vehicle that is a string",
      envelope("SpeedingEventStarted", { vehicle: "494123" }),
      "data.vehicle must be an object",
    ],
    ["a driver event without a driver", envelope("DriverCreated", {}), "missing data.driver"],
    ["a vehicle event without a vehicle", envelope("VehicleUpdated", { driver: {} }), "missing data.vehicle"],
    [
      "conditions that are not an array",
      envelope("AlertIncident", { conditions: {} }),
      "data.conditions must be an array",
    ],
    [
      "a geofence centre out of range",
      envelope("GeofenceEntry", {
        address: { name: "x", geofence: { circle: { latitude: 37.7749, longitude: 237.7749, radiusMeters: 23 } } },
      }),
      "data.address.geofence.circle.longitude 237.7749 is outside [-180, 180]",
    ],
  ])("rejects %s", (_, body, reason) => {
    expect(samsaraRejected(body)).toBe(reason);
  });
});
