/**
 * The operations feed: vehicle events and driver messages merged into one list, newest first.
 * History comes from the API (`event.list`, `conversation.recent` / `conversation.messages`), live
 * items from the `/live` namespace (`event`, `message`; an acknowledgement or a status change comes
 * again with the same id and replaces the item in place). After a reconnection the server could not
 * recover (Socket.IO connection state recovery lasts 2 minutes), the newest page is fetched again.
 *
 * {@link LiveFeed} is a plain store (no React, no socket): tests drive it directly.
 * {@link connectLiveFeed} wires it to the socket and {@link useLiveFeed} to a component.
 *
 * Paging two streams backwards: each stream (events, messages) has a cursor, the time down to which
 * all of its items are loaded. Only items at or after the newest cursor of the streams that have more
 * are shown, so an older page of one stream never leaves a hole the other stream has not filled yet.
 */
import type { EventSeverity, LiveMessage, LiveVehicleEvent, MessageStatus } from "@fleetcore/realtime";
import { EVENT_SEVERITIES } from "@fleetcore/validators";
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { openLiveSocket } from "./socket";

export type FeedKind = "event" | "message";

export type FeedItem =
  | { kind: "event"; key: string; id: string; time: string; timeMs: number; event: LiveVehicleEvent }
  | { kind: "message"; key: string; id: string; time: string; timeMs: number; message: LiveMessage };

/**
 * What the feed shows. Messages have no type, severity, vehicle or acknowledgement, so any of those
 * filters shows events only; `driverId` narrows both.
 */
export interface FeedFilters {
  /** Only these kinds (default both). */
  kinds?: FeedKind[];
  /** Event types (`overspeed`, `geofence_enter`, Samsara's and Traccar's own names…). */
  types?: string[];
  severities?: EventSeverity[];
  vehicleId?: string;
  driverId?: string;
  unacknowledgedOnly?: boolean;
}

/** Where history comes from (the API, or a test double). Both answer newest first. */
export interface FeedBackend {
  /** Events matching `filters`, older than `before` when given; at most `limit`. */
  loadEvents(filters: FeedFilters, before: Date | undefined, limit: number): Promise<LiveVehicleEvent[]>;
  /** Messages matching `filters` (only `driverId` applies), older than `before` when given; at most `limit`. */
  loadMessages(filters: FeedFilters, before: Date | undefined, limit: number): Promise<LiveMessage[]>;
}

/** `connecting` before the first connection, `live` while connected, `reconnecting` after a loss. */
export type FeedConnectionState = "connecting" | "live" | "reconnecting";

/** What a view renders; a new object whenever something changed (for `useSyncExternalStore`). */
export interface FeedSnapshot {
  /** Newest first, only what may be shown without a gap (see the module comment). */
  items: readonly FeedItem[];
  connection: FeedConnectionState;
  /** When the connection was lost, ms since epoch; null while connected or before the first connection. */
  disconnectedAtMs: number | null;
  /** The first page is loading (after start or a filter change). */
  loading: boolean;
  loadingOlder: boolean;
  /** Whether {@link LiveFeed.loadOlder} can bring more. */
  hasOlder: boolean;
  /** The list is at its hard limit: older items are not loaded any more (narrow the filters). */
  full: boolean;
  /** The last failed load, or null. */
  error: unknown;
}

export interface LiveFeedOptions {
  filters?: FeedFilters;
  /** Whether messages are part of the feed at all (messages:read). Default true. */
  messages?: boolean;
  /** Items fetched per stream per page, 1–200. Default 100. */
  pageSize?: number;
  /** Items kept in memory as live ones arrive (the oldest go first). Default 500. */
  maxItems?: number;
  /** Items kept at most, however many older pages are loaded. Default 5,000. */
  hardMaxItems?: number;
  /** Listeners are called at most this often, ms (a burst of events renders once). Default 50; 0: synchronously. */
  notifyDelayMs?: number;
}

interface StreamState {
  enabled: boolean;
  /** Every item of this stream at or after this time (ms) is loaded; null before the first page. */
  cursorMs: number | null;
  /** No older items exist. */
  exhausted: boolean;
}

const KINDS: readonly FeedKind[] = ["event", "message"];

export function eventItem(event: LiveVehicleEvent): FeedItem {
  return {
    kind: "event",
    key: `event:${event.id}`,
    id: event.id,
    time: event.time,
    timeMs: Date.parse(event.time),
    event,
  };
}

export function messageItem(message: LiveMessage): FeedItem {
  return {
    kind: "message",
    key: `message:${message.id}`,
    id: message.id,
    time: message.time,
    timeMs: Date.parse(message.time),
    message,
  };
}

/** Which streams a filter set needs. */
export function streamsFor(filters: FeedFilters, messagesAllowed = true): Record<FeedKind, boolean> {
  const wants = (k: FeedKind) => !filters.kinds || filters.kinds.length === 0 || filters.kinds.includes(k);
  const eventOnlyFilter =
    (filters.types?.length ?? 0) > 0 ||
    (filters.severities?.length ?? 0) > 0 ||
    filters.vehicleId !== undefined ||
    filters.unacknowledgedOnly === true;
  return { event: wants("event"), message: messagesAllowed && wants("message") && !eventOnlyFilter };
}

/** Whether a (live) item belongs in a feed with these filters. */
export function matchesFilters(item: FeedItem, filters: FeedFilters, messagesAllowed = true): boolean {
  if (!streamsFor(filters, messagesAllowed)[item.kind]) return false;
  if (item.kind === "message") return filters.driverId === undefined || item.message.driverId === filters.driverId;
  const e = item.event;
  if (filters.types?.length && !filters.types.includes(e.type)) return false;
  if (filters.severities?.length && !filters.severities.includes(e.severity)) return false;
  if (filters.vehicleId !== undefined && e.vehicleId !== filters.vehicleId) return false;
  if (filters.driverId !== undefined && e.driverId !== filters.driverId) return false;
  if (filters.unacknowledgedOnly && e.acknowledgedAt !== null) return false;
  return true;
}

/**
 * How far a message got: a status only moves forward (queued → sent → delivered → read, or failed),
 * like the server stores it. Used to keep the newest of two copies, because the same message can
 * reach the page out of order: a reply's `sent` over the socket before the `send` answer (`queued`),
 * or a history page fetched before a live update that arrives after it.
 */
export const MESSAGE_STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  received: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  blocked: 5,
};

/** The later of two copies of one message (by status; the newer copy on a tie). */
export function laterMessage<T extends { status: MessageStatus }>(old: T, next: T): T {
  return MESSAGE_STATUS_RANK[old.status] > MESSAGE_STATUS_RANK[next.status] ? old : next;
}

/** The later of two copies of one item: an acknowledgement or a delivery status is never undone. */
export function laterItem(old: FeedItem, next: FeedItem): FeedItem {
  if (old.kind === "message" && next.kind === "message") {
    return laterMessage(old.message, next.message) === old.message ? old : next;
  }
  if (old.kind === "event" && next.kind === "event") {
    return old.event.acknowledgedAt !== null && next.event.acknowledgedAt === null ? old : next;
  }
  return next;
}

/** Feed order: newest first; equal times by key, so the order is stable. */
export function compareItems(a: FeedItem, b: FeedItem): number {
  if (a.timeMs !== b.timeMs) return b.timeMs - a.timeMs;
  return a.key < b.key ? 1 : a.key > b.key ? -1 : 0;
}

/** Index where `item` is or would go in `list` (sorted by {@link compareItems}). */
function searchIndex(list: readonly FeedItem[], item: FeedItem): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const at = list[mid];
    if (at && compareItems(at, item) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Stable string of a filter set (for effect dependencies and URLs). */
export function filtersKey(filters: FeedFilters): string {
  return JSON.stringify([
    filters.kinds ?? [],
    filters.types ?? [],
    filters.severities ?? [],
    filters.vehicleId ?? null,
    filters.driverId ?? null,
    filters.unacknowledgedOnly === true,
  ]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The filters a URL asks for (`?kind=events|messages&type=overspeed&type=idle&severity=critical&
 * vehicle=<id>&driver=<id>&unack=1`); malformed values are ignored rather than sent to the API.
 */
export function filtersFromParams(params: URLSearchParams): FeedFilters {
  const filters: FeedFilters = {};
  const kind = params.get("kind");
  if (kind === "events") filters.kinds = ["event"];
  if (kind === "messages") filters.kinds = ["message"];
  const types = params.getAll("type").filter((t) => TYPE.test(t));
  if (types.length > 0) filters.types = [...new Set(types)].slice(0, 50);
  const severities = params
    .getAll("severity")
    .filter((s): s is EventSeverity => (EVENT_SEVERITIES as readonly string[]).includes(s));
  if (severities.length > 0) filters.severities = [...new Set(severities)];
  const vehicle = params.get("vehicle");
  if (vehicle && UUID.test(vehicle)) filters.vehicleId = vehicle;
  const driver = params.get("driver");
  if (driver && UUID.test(driver)) filters.driverId = driver;
  if (params.get("unack") === "1") filters.unacknowledgedOnly = true;
  return filters;
}

/** Writes `filters` into `params` (other parameters, like the open conversation, stay). */
export function applyFiltersToParams(params: URLSearchParams, filters: FeedFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of ["kind", "type", "severity", "vehicle", "driver", "unack"]) next.delete(key);
  const kinds = filters.kinds ?? [];
  if (kinds.length === 1) next.set("kind", kinds[0] === "event" ? "events" : "messages");
  for (const t of filters.types ?? []) next.append("type", t);
  for (const s of filters.severities ?? []) next.append("severity", s);
  if (filters.vehicleId) next.set("vehicle", filters.vehicleId);
  if (filters.driverId) next.set("driver", filters.driverId);
  if (filters.unacknowledgedOnly) next.set("unack", "1");
  return next;
}

export function hasFilters(filters: FeedFilters): boolean {
  return (
    (filters.kinds?.length ?? 0) > 0 ||
    (filters.types?.length ?? 0) > 0 ||
    (filters.severities?.length ?? 0) > 0 ||
    filters.vehicleId !== undefined ||
    filters.driverId !== undefined ||
    filters.unacknowledgedOnly === true
  );
}

/**
 * The feed's state: items (upserted by key, kept in feed order, capped), the two history streams,
 * the connection state. Mutated by the socket glue ({@link connectLiveFeed}) and the view's actions.
 */
export class LiveFeed {
  private filters: FeedFilters;
  private readonly messagesAllowed: boolean;
  private readonly pageSize: number;
  private readonly maxItems: number;
  private readonly hardMaxItems: number;
  private readonly notifyDelayMs: number;
  /** Current limit: {@link maxItems}, raised by loading older pages. */
  private limit: number;
  private list: FeedItem[] = [];
  private readonly byKey = new Map<string, FeedItem>();
  private streams: Record<FeedKind, StreamState>;
  /** Bumped by a filter change: answers to older requests are dropped. */
  private generation = 0;
  private connection: FeedConnectionState = "connecting";
  private disconnectedAtMs: number | null = null;
  private loadingFirst = false;
  private loadingOlder = false;
  private error: unknown = null;
  private snapshot: FeedSnapshot | null = null;
  private readonly listeners = new Set<() => void>();
  private notifyTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly eventListeners = new Set<(event: LiveVehicleEvent) => void>();
  private readonly messageListeners = new Set<(message: LiveMessage) => void>();

  constructor(
    private readonly backend: FeedBackend,
    opts: LiveFeedOptions = {},
  ) {
    this.filters = opts.filters ?? {};
    this.messagesAllowed = opts.messages ?? true;
    // conversation.messages answers at most 200: a larger page would look like the last one.
    this.pageSize = Math.min(Math.max(opts.pageSize ?? 100, 1), 200);
    this.maxItems = opts.maxItems ?? 500;
    this.hardMaxItems = Math.max(this.maxItems, opts.hardMaxItems ?? 5000);
    this.notifyDelayMs = opts.notifyDelayMs ?? 50;
    this.limit = this.maxItems;
    this.streams = this.freshStreams();
  }

  /** Shows another filter set: clears the list and loads its first page. */
  setFilters(filters: FeedFilters): Promise<void> {
    if (filtersKey(filters) === filtersKey(this.filters)) return Promise.resolve();
    this.filters = filters;
    this.generation++;
    this.list = [];
    this.byKey.clear();
    this.limit = this.maxItems;
    this.streams = this.freshStreams();
    this.loadingOlder = false;
    this.error = null;
    return this.refresh();
  }

  /**
   * Fetches the newest page of each stream and merges it (upsert). A stream whose fresh page does
   * not reach what was loaded (more items arrived while we were away than a page holds) starts over
   * from that page. Used at start and after a connection that was not recovered.
   */
  async refresh(): Promise<void> {
    const generation = this.generation;
    const first = this.list.length === 0 && KINDS.every((k) => this.streams[k].cursorMs === null);
    if (first) {
      this.loadingFirst = true;
      this.changed();
    }
    try {
      const pages = await Promise.all(KINDS.map((k) => this.fetchPage(k, undefined)));
      if (generation !== this.generation) return;
      KINDS.forEach((kind, i) => {
        const page = pages[i];
        if (page) this.mergeNewestPage(kind, page);
      });
      this.error = null;
      this.trim();
    } catch (error) {
      if (generation === this.generation) this.error = error;
    } finally {
      if (generation === this.generation) {
        this.loadingFirst = false;
        this.changed();
      }
    }
  }

  /**
   * Loads the next older page of the stream(s) that limit what is shown. Raises the in-memory limit
   * so these items stay (up to the hard limit).
   */
  async loadOlder(): Promise<void> {
    if (this.loadingOlder || this.isFull()) return;
    const boundary = this.boundaryMs();
    const due = KINDS.filter((k) => {
      const s = this.streams[k];
      return s.enabled && !s.exhausted && s.cursorMs !== null && s.cursorMs >= boundary;
    });
    if (due.length === 0) return;
    const generation = this.generation;
    this.loadingOlder = true;
    this.changed();
    try {
      const pages = await Promise.all(
        due.map((k) => {
          const cursorMs = this.streams[k].cursorMs;
          return this.fetchPage(k, cursorMs === null ? undefined : new Date(cursorMs));
        }),
      );
      if (generation !== this.generation) return;
      due.forEach((kind, i) => {
        const page = pages[i] ?? [];
        this.putPage(page);
        this.advanceCursor(kind, page);
      });
      this.limit = Math.max(this.limit, Math.min(this.hardMaxItems, this.list.length));
      this.error = null;
      this.trim();
    } catch (error) {
      if (generation === this.generation) this.error = error;
    } finally {
      if (generation === this.generation) {
        this.loadingOlder = false;
        this.changed();
      }
    }
  }

  /** A live `event` (new, or an acknowledgement of one already shown). */
  applyEvent(event: LiveVehicleEvent): void {
    for (const l of this.eventListeners) l(event);
    this.applyLive(eventItem(event));
  }

  /** A live `message` (new, or a status change of one already shown). */
  applyMessage(message: LiveMessage): void {
    for (const l of this.messageListeners) l(message);
    if (!this.messagesAllowed) return;
    this.applyLive(messageItem(message));
  }

  /**
   * The socket connected or lost its connection. A connection that was not recovered (`recovered`
   * false: the first one, or after more than the server's recovery window) may have missed items, so
   * the newest page is fetched again.
   */
  setConnected(connected: boolean, recovered = false): void {
    if (connected) {
      this.connection = "live";
      this.disconnectedAtMs = null;
      this.changed();
      if (!recovered) void this.refresh();
      return;
    }
    if (this.connection === "live") {
      this.connection = "reconnecting";
      this.disconnectedAtMs = Date.now();
      this.changed();
    }
  }

  /** Every live event, whatever the filters (e.g. another view's cache). @returns unsubscribes */
  onEvent(listener: (event: LiveVehicleEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Every live message, whatever the filters (the open thread, unread counts). @returns unsubscribes */
  onMessage(listener: (message: LiveMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Calls `listener` after changes (coalesced, see {@link LiveFeedOptions.notifyDelayMs}). @returns unsubscribes */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.notifyTimer) {
        clearTimeout(this.notifyTimer);
        this.notifyTimer = undefined;
      }
    };
  }

  getSnapshot = (): FeedSnapshot => {
    if (this.snapshot) return this.snapshot;
    const boundary = this.boundaryMs();
    let cut = this.list.length;
    if (boundary > Number.NEGATIVE_INFINITY) {
      cut = 0;
      while (cut < this.list.length && (this.list[cut]?.timeMs ?? 0) >= boundary) cut++;
    }
    this.snapshot = {
      items: cut === this.list.length ? this.list.slice() : this.list.slice(0, cut),
      connection: this.connection,
      disconnectedAtMs: this.disconnectedAtMs,
      loading: this.loadingFirst,
      loadingOlder: this.loadingOlder,
      hasOlder: KINDS.some((k) => this.streams[k].enabled && !this.streams[k].exhausted) && !this.isFull(),
      full: this.isFull(),
      error: this.error,
    };
    return this.snapshot;
  };

  /** Replaces an item that is shown (e.g. with a mutation's answer) if it still matches the filters. */
  upsert(item: FeedItem): void {
    this.applyLive(item);
  }

  private freshStreams(): Record<FeedKind, StreamState> {
    const enabled = streamsFor(this.filters, this.messagesAllowed);
    return {
      event: { enabled: enabled.event, cursorMs: null, exhausted: !enabled.event },
      message: { enabled: enabled.message, cursorMs: null, exhausted: !enabled.message },
    };
  }

  private isFull(): boolean {
    return this.list.length >= this.hardMaxItems;
  }

  /**
   * Items older than this (ms) may have gaps: the newest cursor of the streams that have more.
   * -Infinity when every stream is exhausted or not loaded yet.
   */
  private boundaryMs(): number {
    let boundary = Number.NEGATIVE_INFINITY;
    for (const k of KINDS) {
      const s = this.streams[k];
      if (s.enabled && !s.exhausted && s.cursorMs !== null) boundary = Math.max(boundary, s.cursorMs);
    }
    return boundary;
  }

  private async fetchPage(kind: FeedKind, before: Date | undefined): Promise<FeedItem[] | null> {
    if (!this.streams[kind].enabled) return null;
    if (kind === "event") {
      const events = await this.backend.loadEvents(this.filters, before, this.pageSize);
      return events.map(eventItem);
    }
    const messages = await this.backend.loadMessages(this.filters, before, this.pageSize);
    return messages.map(messageItem);
  }

  /** After an older page: the cursor moves to its oldest item, or the stream is exhausted. */
  private advanceCursor(kind: FeedKind, page: FeedItem[]): void {
    const s = this.streams[kind];
    const oldest = page[page.length - 1];
    if (page.length < this.pageSize || !oldest) {
      s.exhausted = true;
      return;
    }
    s.cursorMs = s.cursorMs === null ? oldest.timeMs : Math.min(s.cursorMs, oldest.timeMs);
  }

  private mergeNewestPage(kind: FeedKind, page: FeedItem[]): void {
    const s = this.streams[kind];
    if (s.cursorMs === null && !s.exhausted) {
      this.putPage(page);
      this.advanceCursor(kind, page);
      return;
    }
    const oldest = page[page.length - 1];
    let newestLoadedMs = Number.NEGATIVE_INFINITY;
    for (const item of this.list) {
      if (item.kind === kind) {
        newestLoadedMs = item.timeMs;
        break;
      }
    }
    const gap = page.length >= this.pageSize && oldest !== undefined && oldest.timeMs > newestLoadedMs;
    if (gap) {
      // More arrived while away than a page holds: this stream starts over from the fresh page.
      this.list = this.list.filter((item) => {
        if (item.kind !== kind) return true;
        this.byKey.delete(item.key);
        return false;
      });
      s.cursorMs = null;
      s.exhausted = false;
      this.putPage(page);
      this.advanceCursor(kind, page);
      return;
    }
    this.putPage(page);
  }

  /** History items, checked against the filters like live ones (a backend that ignores one stays correct). */
  private putPage(page: readonly FeedItem[]): void {
    for (const item of page) if (matchesFilters(item, this.filters, this.messagesAllowed)) this.put(item);
  }

  private applyLive(item: FeedItem): void {
    if (!matchesFilters(item, this.filters, this.messagesAllowed)) {
      if (this.remove(item.key)) this.changed();
      return;
    }
    this.put(item);
    this.trim();
    this.changed();
  }

  /** Inserts or replaces by key (never with an older copy, see {@link laterItem}), keeping feed order. */
  private put(next: FeedItem): void {
    const old = this.byKey.get(next.key);
    const item = old ? laterItem(old, next) : next;
    if (item === old) return;
    if (old) {
      const at = searchIndex(this.list, old);
      if (old.timeMs === item.timeMs && this.list[at] === old) {
        this.list[at] = item;
        this.byKey.set(item.key, item);
        return;
      }
      this.remove(item.key);
    }
    this.list.splice(searchIndex(this.list, item), 0, item);
    this.byKey.set(item.key, item);
  }

  private remove(key: string): boolean {
    const old = this.byKey.get(key);
    if (!old) return false;
    let at = searchIndex(this.list, old);
    if (this.list[at] !== old) at = this.list.indexOf(old);
    if (at >= 0) this.list.splice(at, 1);
    this.byKey.delete(key);
    return true;
  }

  /**
   * Drops the oldest items beyond the limit. A stream that lost items is no longer exhausted and its
   * cursor moves up to just after its newest dropped item, so "load older" brings them back.
   */
  private trim(): void {
    if (this.list.length <= this.limit) return;
    const dropped = this.list.splice(this.limit);
    const newestDropped: Partial<Record<FeedKind, number>> = {};
    for (const item of dropped) {
      this.byKey.delete(item.key);
      newestDropped[item.kind] = Math.max(newestDropped[item.kind] ?? Number.NEGATIVE_INFINITY, item.timeMs);
    }
    for (const k of KINDS) {
      const t = newestDropped[k];
      if (t === undefined) continue;
      const s = this.streams[k];
      s.exhausted = false;
      s.cursorMs = Math.max(s.cursorMs ?? Number.NEGATIVE_INFINITY, t + 1);
    }
  }

  private changed(): void {
    this.snapshot = null;
    if (this.notifyDelayMs <= 0) {
      for (const l of this.listeners) l();
      return;
    }
    if (this.notifyTimer || this.listeners.size === 0) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      for (const l of this.listeners) l();
    }, this.notifyDelayMs);
  }
}

/** The first page waits this long for the socket (so it is fetched once, after it), ms. */
const FIRST_LOAD_WAIT_MS = 1500;

/**
 * Connects `feed` to `/live` for `event` and `message` only (`feedOnly`: the server sends no
 * positions), kept connected by {@link openLiveSocket}. The first page is fetched once connected
 * (or after 1.5 s without a connection).
 * @returns disconnects and stops retrying
 */
export function connectLiveFeed(feed: LiveFeed, opts: { displayToken?: string } = {}): () => void {
  let firstLoadTimer: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
    firstLoadTimer = undefined;
    void feed.refresh();
  }, FIRST_LOAD_WAIT_MS);
  const { socket, stop } = openLiveSocket(
    { feedOnly: true, ...(opts.displayToken ? { displayToken: opts.displayToken } : {}) },
    {
      connect: (recovered) => {
        if (firstLoadTimer) {
          clearTimeout(firstLoadTimer);
          firstLoadTimer = undefined;
        }
        feed.setConnected(true, recovered);
      },
      disconnect: () => feed.setConnected(false),
    },
  );
  socket.on("event", (event) => feed.applyEvent(event));
  socket.on("message", (message) => feed.applyMessage(message));
  return () => {
    if (firstLoadTimer) clearTimeout(firstLoadTimer);
    stop();
  };
}

/** {@link useLiveFeed}'s answer: the store (actions, raw listeners) and its current snapshot. */
export interface LiveFeedView {
  feed: LiveFeed;
  snapshot: FeedSnapshot;
}

/**
 * A live feed for this component's lifetime: one `/live` connection; a filter change reloads the
 * list without reconnecting. `backend` is read once (keep it stable or accept the first one).
 */
export function useLiveFeed(opts: {
  backend: FeedBackend;
  filters: FeedFilters;
  messages?: boolean;
  maxItems?: number;
  pageSize?: number;
}): LiveFeedView {
  const [feed] = useState(
    () =>
      new LiveFeed(opts.backend, {
        filters: opts.filters,
        messages: opts.messages,
        maxItems: opts.maxItems,
        pageSize: opts.pageSize,
      }),
  );
  useEffect(() => connectLiveFeed(feed), [feed]);
  const key = filtersKey(opts.filters);
  const filters = useMemo(() => opts.filters, [key]);
  useEffect(() => {
    void feed.setFilters(filters);
  }, [feed, filters]);
  const snapshot = useSyncExternalStore((onChange) => feed.subscribe(onChange), feed.getSnapshot);
  return { feed, snapshot };
}

/**
 * A {@link FeedBackend} over the tRPC client: `event.list`, and `conversation.messages` of one driver
 * or `conversation.recent`.
 */
export function trpcFeedBackend(client: {
  event: { list: { query(input: EventListInput): Promise<LiveVehicleEvent[]> } };
  conversation: {
    recent: { query(input: { before?: Date; limit?: number }): Promise<LiveMessage[]> };
    messages: { query(input: { driverId: string; before?: Date; limit?: number }): Promise<LiveMessage[]> };
  };
}): FeedBackend {
  return {
    loadEvents: (filters, before, limit) =>
      client.event.list.query({
        types: filters.types?.length ? filters.types : undefined,
        severities: filters.severities?.length ? filters.severities : undefined,
        vehicleId: filters.vehicleId,
        driverId: filters.driverId,
        unacknowledgedOnly: filters.unacknowledgedOnly || undefined,
        before,
        limit: Math.min(limit, 500),
      }),
    loadMessages: (filters, before, limit) =>
      filters.driverId
        ? client.conversation.messages.query({ driverId: filters.driverId, before, limit: Math.min(limit, 200) })
        : client.conversation.recent.query({ before, limit: Math.min(limit, 500) }),
  };
}

interface EventListInput {
  types?: string[];
  severities?: EventSeverity[];
  vehicleId?: string;
  driverId?: string;
  unacknowledgedOnly?: boolean;
  before?: Date;
  limit?: number;
}
