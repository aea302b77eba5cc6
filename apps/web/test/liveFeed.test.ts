/**
 * The operations feed's store (lib/liveFeed.ts): history and live items merged newest first, upserts
 * by id (acknowledgements, delivery statuses), filters, the in-memory cap, paging two streams
 * backwards without gaps, and the refetch after a reconnection the server did not recover.
 */
import type { LiveMessage, LiveVehicleEvent } from "@fleetcore/realtime";
import { describe, expect, it } from "vitest";
import {
  applyFiltersToParams,
  eventItem,
  type FeedBackend,
  type FeedFilters,
  filtersFromParams,
  filtersKey,
  LiveFeed,
  matchesFilters,
  messageItem,
  streamsFor,
} from "../src/lib/liveFeed";

const T0 = Date.parse("2026-11-21T08:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const VEHICLE = uuid(900);
const DRIVER = uuid(901);
const OTHER_DRIVER = uuid(902);

function event(n: number, s: number, extra: Partial<LiveVehicleEvent> = {}): LiveVehicleEvent {
  return {
    id: uuid(n),
    time: at(s),
    source: "fleetcore",
    type: "overspeed",
    severity: "warning",
    title: `Event ${n}`,
    vehicleId: VEHICLE,
    driverId: DRIVER,
    geofenceId: null,
    latitude: 30.27,
    longitude: -97.74,
    speedKph: 92,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ...extra,
  };
}

function message(n: number, s: number, extra: Partial<LiveMessage> = {}): LiveMessage {
  return {
    id: uuid(1000 + n),
    time: at(s),
    conversationId: uuid(800),
    driverId: DRIVER,
    driverName: "Maria Garcia",
    direction: "inbound",
    channel: "whatsapp",
    status: "received",
    messageType: "text",
    body: `Message ${n}`,
    statusReason: null,
    ...extra,
  };
}

/** A backend over fixed lists (any order), answering like the API: newest first, `before` exclusive. */
function memoryBackend(events: LiveVehicleEvent[], messages: LiveMessage[]) {
  const calls: { kind: "event" | "message"; before: Date | undefined; filters: FeedFilters }[] = [];
  const page = <T extends { time: string }>(rows: T[], before: Date | undefined, limit: number) =>
    rows
      .filter((r) => !before || Date.parse(r.time) < before.getTime())
      .sort((a, b) => Date.parse(b.time) - Date.parse(a.time))
      .slice(0, limit);
  const backend: FeedBackend = {
    loadEvents: async (filters, before, limit) => {
      calls.push({ kind: "event", before, filters });
      return page(events, before, limit);
    },
    loadMessages: async (filters, before, limit) => {
      calls.push({ kind: "message", before, filters });
      return page(messages, before, limit);
    },
  };
  return { backend, calls, events, messages };
}

const titles = (feed: LiveFeed) =>
  feed.getSnapshot().items.map((i) => (i.kind === "event" ? i.event.title : (i.message.body ?? "")));

describe("live feed store", () => {
  it("merges events and messages newest first", async () => {
    const { backend } = memoryBackend([event(1, 10), event(2, 30)], [message(1, 20), message(2, 40)]);
    const feed = new LiveFeed(backend, { notifyDelayMs: 0 });
    await feed.refresh();
    expect(titles(feed)).toEqual(["Message 2", "Event 2", "Message 1", "Event 1"]);
    expect(feed.getSnapshot().hasOlder).toBe(false);
    expect(feed.getSnapshot().loading).toBe(false);
  });

  it("puts live items in time order and replaces an acknowledged event or a status change in place", async () => {
    const { backend } = memoryBackend([event(1, 10)], [message(1, 20, { direction: "outbound", status: "queued" })]);
    const feed = new LiveFeed(backend, { notifyDelayMs: 0 });
    await feed.refresh();
    feed.applyEvent(event(2, 50));
    feed.applyMessage(message(3, 15));
    expect(titles(feed)).toEqual(["Event 2", "Message 1", "Message 3", "Event 1"]);

    const before = feed.getSnapshot();
    feed.applyEvent(event(1, 10, { acknowledgedAt: at(60), acknowledgedBy: uuid(7) }));
    feed.applyMessage(message(1, 20, { direction: "outbound", status: "sent" }));
    const after = feed.getSnapshot();
    expect(after).not.toBe(before);
    expect(after.items).toHaveLength(4);
    expect(titles(feed)).toEqual(["Event 2", "Message 1", "Message 3", "Event 1"]);
    const acked = after.items.find((i) => i.key === `event:${uuid(1)}`);
    expect(acked?.kind === "event" && acked.event.acknowledgedAt).toBe(at(60));
    const sent = after.items.find((i) => i.key === `message:${uuid(1001)}`);
    expect(sent?.kind === "message" && sent.message.status).toBe("sent");
    // Items that did not change keep their identity (rows that do not re-render).
    expect(after.items[0]).toBe(before.items[0]);
  });

  it("keeps the same snapshot object until something changes, and coalesces notifications", async () => {
    const { backend } = memoryBackend([], []);
    const feed = new LiveFeed(backend, { notifyDelayMs: 5 });
    let calls = 0;
    feed.subscribe(() => calls++);
    await feed.refresh();
    const a = feed.getSnapshot();
    expect(feed.getSnapshot()).toBe(a);
    for (let i = 0; i < 50; i++) feed.applyEvent(event(i, i));
    expect(feed.getSnapshot()).not.toBe(a);
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBeLessThanOrEqual(2);
    expect(feed.getSnapshot().items).toHaveLength(50);
  });

  it("applies filters to history requests and to live items", async () => {
    const { backend, calls } = memoryBackend([event(1, 10)], [message(1, 20)]);
    const filters: FeedFilters = { severities: ["critical"] };
    const feed = new LiveFeed(backend, { filters, notifyDelayMs: 0 });
    await feed.refresh();
    // A severity filter means events only: messages are not even asked for.
    expect(calls.map((c) => c.kind)).toEqual(["event"]);
    expect(calls[0]?.filters).toEqual(filters);
    feed.applyEvent(event(2, 30, { severity: "critical" }));
    feed.applyEvent(event(3, 31, { severity: "info" }));
    feed.applyMessage(message(2, 32));
    expect(titles(feed)).toEqual(["Event 2"]);
  });

  it("drops an event from the unacknowledged-only list once it is acknowledged", async () => {
    const { backend } = memoryBackend([event(1, 10), event(2, 20)], []);
    const feed = new LiveFeed(backend, { filters: { unacknowledgedOnly: true }, notifyDelayMs: 0 });
    await feed.refresh();
    feed.applyEvent(event(2, 20, { acknowledgedAt: at(25), acknowledgedBy: uuid(7) }));
    expect(titles(feed)).toEqual(["Event 1"]);
  });

  it("matches filters per kind", () => {
    const e = eventItem(event(1, 10));
    const m = messageItem(message(1, 20));
    expect(matchesFilters(e, {})).toBe(true);
    expect(matchesFilters(m, {})).toBe(true);
    expect(matchesFilters(m, { kinds: ["event"] })).toBe(false);
    expect(matchesFilters(e, { kinds: ["message"] })).toBe(false);
    expect(matchesFilters(e, { types: ["idle"] })).toBe(false);
    expect(matchesFilters(e, { types: ["overspeed"], vehicleId: VEHICLE })).toBe(true);
    expect(matchesFilters(m, { types: ["overspeed"] })).toBe(false);
    expect(matchesFilters(m, { driverId: DRIVER })).toBe(true);
    expect(matchesFilters(m, { driverId: OTHER_DRIVER })).toBe(false);
    expect(matchesFilters(e, { driverId: OTHER_DRIVER })).toBe(false);
    expect(matchesFilters(m, {}, false)).toBe(false);
    expect(streamsFor({ vehicleId: VEHICLE })).toEqual({ event: true, message: false });
    expect(streamsFor({ driverId: DRIVER })).toEqual({ event: true, message: true });
  });

  it("re-orders when a filter changes and ignores answers to the previous filters", async () => {
    const gate: { release?: () => void } = {};
    const slow: FeedBackend = {
      loadEvents: async (filters) => {
        if (!filters.types) await new Promise<void>((r) => (gate.release = r));
        return filters.types ? [event(2, 20, { type: "idle" })] : [event(1, 10)];
      },
      loadMessages: async () => [],
    };
    const feed = new LiveFeed(slow, { notifyDelayMs: 0 });
    const first = feed.refresh();
    await feed.setFilters({ types: ["idle"] });
    gate.release?.();
    await first;
    expect(titles(feed)).toEqual(["Event 2"]);
  });

  it("caps the list as live items arrive, and loads the dropped ones back with `before`", async () => {
    const { backend, calls } = memoryBackend(
      Array.from({ length: 8 }, (_, i) => event(i, i * 10)),
      [],
    );
    const feed = new LiveFeed(backend, { pageSize: 4, maxItems: 6, hardMaxItems: 20, notifyDelayMs: 0 });
    await feed.refresh();
    expect(titles(feed)).toEqual(["Event 7", "Event 6", "Event 5", "Event 4"]);
    expect(feed.getSnapshot().hasOlder).toBe(true);
    for (let i = 8; i < 12; i++) feed.applyEvent(event(i, i * 10));
    expect(feed.getSnapshot().items).toHaveLength(6);
    expect(titles(feed)[0]).toBe("Event 11");

    await feed.loadOlder();
    // Events 5 and 4 were dropped: the next page starts just after the newer of them.
    expect(calls.at(-1)?.before?.toISOString()).toBe(new Date(T0 + 50_001).toISOString());
    expect(titles(feed)).toEqual(Array.from({ length: 10 }, (_, i) => `Event ${11 - i}`));
    await feed.loadOlder();
    await feed.loadOlder();
    const all = titles(feed);
    expect(all).toHaveLength(12);
    expect(all.at(-1)).toBe("Event 0");
    expect(feed.getSnapshot().hasOlder).toBe(false);
    expect(new Set(all).size).toBe(12);
  });

  it("pages two streams without a gap: items older than the other stream's cursor wait", async () => {
    // Events are dense and recent, messages sparse and old: a page of events reaches back to t=60
    // only, so the message at t=5 must not show before the events between 5 and 60 are loaded.
    const { backend } = memoryBackend(
      Array.from({ length: 10 }, (_, i) => event(i, 10 + i * 10)),
      [message(1, 5), message(2, 95)],
    );
    const feed = new LiveFeed(backend, { pageSize: 5, notifyDelayMs: 0 });
    await feed.refresh();
    expect(titles(feed)).toEqual(["Event 9", "Message 2", "Event 8", "Event 7", "Event 6", "Event 5"]);
    await feed.loadOlder();
    expect(titles(feed)).toEqual([
      "Event 9",
      "Message 2",
      "Event 8",
      "Event 7",
      "Event 6",
      "Event 5",
      "Event 4",
      "Event 3",
      "Event 2",
      "Event 1",
      "Event 0",
    ]);
    // Message 1 (t=5) is loaded but waits: events older than t=10 are not known yet.
    expect(feed.getSnapshot().hasOlder).toBe(true);
    await feed.loadOlder();
    expect(feed.getSnapshot().hasOlder).toBe(false);
    expect(feed.getSnapshot().items).toHaveLength(12);
  });

  it("stops at the hard limit", async () => {
    const { backend } = memoryBackend(
      Array.from({ length: 30 }, (_, i) => event(i, i)),
      [],
    );
    const feed = new LiveFeed(backend, { pageSize: 5, maxItems: 5, hardMaxItems: 12, notifyDelayMs: 0 });
    await feed.refresh();
    for (let i = 0; i < 5; i++) await feed.loadOlder();
    const snap = feed.getSnapshot();
    expect(snap.items.length).toBe(12);
    expect(snap.full).toBe(true);
    expect(snap.hasOlder).toBe(false);
  });

  it("refetches after a reconnection that was not recovered, and not after a recovered one", async () => {
    const { backend, calls, events } = memoryBackend([event(1, 10)], []);
    const feed = new LiveFeed(backend, { notifyDelayMs: 0 });
    feed.setConnected(true, false);
    await new Promise((r) => setTimeout(r, 0));
    expect(feed.getSnapshot().connection).toBe("live");
    expect(calls).toHaveLength(2);

    feed.setConnected(false);
    expect(feed.getSnapshot().connection).toBe("reconnecting");
    expect(feed.getSnapshot().disconnectedAtMs).not.toBeNull();
    feed.setConnected(true, true);
    expect(calls).toHaveLength(2);

    // Missed while away: an acknowledgement and a new event.
    events[0] = event(1, 10, { acknowledgedAt: at(30), acknowledgedBy: uuid(7) });
    events.push(event(2, 20));
    feed.setConnected(false);
    feed.setConnected(true, false);
    await new Promise((r) => setTimeout(r, 0));
    expect(titles(feed)).toEqual(["Event 2", "Event 1"]);
    const first = feed.getSnapshot().items[1];
    expect(first?.kind === "event" && first.event.acknowledgedAt).toBe(at(30));
  });

  it("starts a stream over when more was missed than a page holds", async () => {
    const { backend, events } = memoryBackend([event(1, 10), event(2, 20)], []);
    const feed = new LiveFeed(backend, { pageSize: 3, notifyDelayMs: 0 });
    await feed.refresh();
    for (let i = 3; i < 10; i++) events.push(event(i, i * 10));
    await feed.refresh();
    expect(titles(feed)).toEqual(["Event 9", "Event 8", "Event 7"]);
    await feed.loadOlder();
    await feed.loadOlder();
    await feed.loadOlder();
    expect(titles(feed)).toHaveLength(9);
  });

  it("tells raw listeners about every live item, whatever the filters", async () => {
    const { backend } = memoryBackend([], []);
    const feed = new LiveFeed(backend, { filters: { kinds: ["event"] }, messages: false, notifyDelayMs: 0 });
    await feed.refresh();
    const seen: string[] = [];
    const off = feed.onMessage((m) => seen.push(m.id));
    feed.applyMessage(message(1, 10));
    off();
    feed.applyMessage(message(2, 11));
    expect(seen).toEqual([uuid(1001)]);
    expect(feed.getSnapshot().items).toHaveLength(0);
  });

  it("reads filters from the URL, ignoring malformed values, and writes them back", () => {
    const params = new URLSearchParams(
      `kind=events&type=overspeed&type=idle&type=bad%20type&severity=critical&severity=loud&vehicle=${VEHICLE}` +
        "&driver=not-a-uuid&unack=1&chat=keep",
    );
    const filters = filtersFromParams(params);
    expect(filters).toEqual({
      kinds: ["event"],
      types: ["overspeed", "idle"],
      severities: ["critical"],
      vehicleId: VEHICLE,
      unacknowledgedOnly: true,
    });
    const written = applyFiltersToParams(params, filters);
    expect(written.get("chat")).toBe("keep");
    expect(written.getAll("type")).toEqual(["overspeed", "idle"]);
    expect(filtersKey(filtersFromParams(written))).toBe(filtersKey(filters));
    expect(applyFiltersToParams(written, {}).toString()).toBe("chat=keep");
    expect(filtersFromParams(new URLSearchParams("kind=messages"))).toEqual({ kinds: ["message"] });
  });

  it("never undoes a delivery status or an acknowledgement with an older copy", async () => {
    const reply = message(1, 20, { direction: "outbound", status: "queued" });
    const { backend, messages, events } = memoryBackend([event(1, 10)], [reply]);
    const feed = new LiveFeed(backend, { notifyDelayMs: 0 });
    await feed.refresh();
    // Live updates arrive before a history page that was read earlier (still queued, not acknowledged).
    feed.applyMessage({ ...reply, status: "sent" });
    feed.applyEvent(event(1, 10, { acknowledgedAt: at(30), acknowledgedBy: uuid(7) }));
    messages[0] = reply;
    events[0] = event(1, 10);
    await feed.refresh();
    const items = feed.getSnapshot().items;
    const m = items.find((i) => i.kind === "message");
    const e = items.find((i) => i.kind === "event");
    expect(m?.kind === "message" && m.message.status).toBe("sent");
    expect(e?.kind === "event" && e.event.acknowledgedAt).toBe(at(30));
    // A later status still wins, and a failure is final.
    feed.applyMessage({ ...reply, status: "delivered" });
    feed.applyMessage({ ...reply, status: "failed", statusReason: "undeliverable" });
    feed.applyMessage({ ...reply, status: "sent" });
    const last = feed.getSnapshot().items.find((i) => i.kind === "message");
    expect(last?.kind === "message" && last.message.status).toBe("failed");
  });
});
