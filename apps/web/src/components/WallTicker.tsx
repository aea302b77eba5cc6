/**
 * The wall display's ticker: the latest vehicle events (coloured by severity) and the drivers'
 * unread messages, in a strip along the bottom of the screen, live over `/live` (the display's
 * session cookie authenticates the socket and the API calls, like the rest of the wall). When the
 * strip overflows it scrolls slowly; with reduced motion it stays still and shows what fits.
 */
import type { Me } from "@fleetcore/validators";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useLayoutEffect, useMemo, useRef, useState } from "react";
import { trpcFeedBackend, useLiveFeed } from "../lib/liveFeed";
import { can } from "../lib/session";
import { useTRPC, useTRPCClient } from "../lib/trpc";
import { useInvalidateOnMessages } from "./feed/ConversationList";
import { eventTypeLabel, FeedTime } from "./feed/shared";

/** Events shown at most. */
const MAX_EVENTS = 12;
/** Unread conversations shown at most. */
const MAX_UNREAD = 6;
/** Scrolling speed of an overflowing ticker, px per second (readable across a room). */
const SCROLL_PX_PER_S = 60;
/** Unread counts change when someone reads a conversation elsewhere, which is not pushed: poll, ms. */
const UNREAD_POLL_MS = 30_000;

const EVENTS_ONLY = { kinds: ["event" as const] };
const TICKER_STATES = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" } as const;

export function WallTicker({ me, vehicleNames }: { me: Me; vehicleNames: ReadonlyMap<string, string> }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const messagesAllowed = can(me, "messages", "read");
  const [backend] = useState(() => trpcFeedBackend(client));
  const { feed, snapshot } = useLiveFeed({
    backend,
    filters: EVENTS_ONLY,
    messages: false,
    pageSize: MAX_EVENTS,
    maxItems: 40,
  });
  const unread = useQuery(
    trpc.conversation.list.queryOptions(
      { unreadOnly: true, limit: MAX_UNREAD },
      { enabled: messagesAllowed, refetchInterval: UNREAD_POLL_MS },
    ),
  );
  useInvalidateOnMessages(feed, trpc.conversation.list.queryKey(), (m) => m.direction === "inbound");

  const events = useMemo(
    () => snapshot.items.flatMap((i) => (i.kind === "event" ? [i.event] : [])).slice(0, MAX_EVENTS),
    [snapshot.items],
  );
  const conversations = messagesAllowed ? (unread.data ?? []) : [];
  const entries = (
    <>
      {conversations.map((c) => (
        <li key={`c:${c.id}`} className="ticker-item ticker-message" data-kind="message">
          <span className="ticker-icon" aria-hidden="true">
            ✉
          </span>
          <strong>{c.driverName}</strong>
          <span className="ticker-count">{c.unreadCount} unread</span>
          {c.lastMessage?.direction === "inbound" && c.lastMessage.body && (
            <span className="ticker-text">“{c.lastMessage.body}”</span>
          )}
        </li>
      ))}
      {events.map((e) => (
        <li
          key={`e:${e.id}`}
          className={`ticker-item ticker-event ticker-sev-${e.severity}${e.acknowledgedAt ? " ticker-acked" : ""}`}
          data-kind="event"
          data-severity={e.severity}
        >
          <span className="ticker-icon" aria-hidden="true">
            {e.severity === "info" ? "i" : "!"}
          </span>
          <FeedTime iso={e.time} className="ticker-time" />
          <strong>{e.title}</strong>
          <span className="ticker-text">
            {[e.vehicleId ? vehicleNames.get(e.vehicleId) : null, eventTypeLabel(e.type)].filter(Boolean).join(" · ")}
          </span>
        </li>
      ))}
    </>
  );
  const empty = events.length === 0 && conversations.length === 0;
  return (
    <section className="ticker" aria-label="Latest events and messages" data-connection={snapshot.connection}>
      <span className="ticker-label">{TICKER_STATES[snapshot.connection]}</span>
      {empty ? (
        <p className="ticker-empty">{snapshot.loading ? "Loading events…" : "No events or unread messages."}</p>
      ) : (
        <Scroller itemsKey={`${conversations.length}:${events.map((e) => e.id).join(",")}`}>{entries}</Scroller>
      )}
    </section>
  );
}

/**
 * Shows `children` (list items) in one line; when they overflow, scrolls them endlessly (a second,
 * hidden copy follows the first so the loop has no seam).
 */
function Scroller({ children, itemsKey }: { children: ReactNode; itemsKey: string }) {
  const viewport = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const [durationS, setDurationS] = useState<number | null>(null);
  useLayoutEffect(() => {
    const measure = () => {
      const v = viewport.current;
      const l = list.current;
      if (!v || !l) return;
      const overflow = l.scrollWidth > v.clientWidth + 1;
      setDurationS(overflow ? Math.max(10, l.scrollWidth / SCROLL_PX_PER_S) : null);
    };
    measure();
    const observer = new ResizeObserver(measure);
    if (viewport.current) observer.observe(viewport.current);
    return () => observer.disconnect();
  }, [itemsKey]);
  return (
    <div className="ticker-viewport" ref={viewport}>
      <div
        className={`ticker-track${durationS ? " ticker-track-moving" : ""}`}
        style={durationS ? { animationDuration: `${durationS}s` } : undefined}
      >
        <ul className="ticker-list" ref={list}>
          {children}
        </ul>
        {durationS && (
          <ul className="ticker-list" aria-hidden="true">
            {children}
          </ul>
        )}
      </div>
    </div>
  );
}
