/**
 * Driver conversations, most recent first, with unread counts and the last message; kept current
 * by the feed's live messages (refetched at most once a second while they arrive).
 */

import type { AppRouter } from "@fleetcore/api";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useEffect, useId, useState } from "react";
import type { LiveFeed } from "../../lib/liveFeed";
import { useTRPC } from "../../lib/trpc";
import { ErrorAlert } from "../ui";

export type ConversationDto = inferRouterOutputs<AppRouter>["conversation"]["list"][number];

/** Live messages refetch the list at most this often, ms. */
const REFETCH_EVERY_MS = 1000;

/**
 * Invalidates `queryKey` when live messages arrive (throttled), and when `when(message)` says so.
 * Also used by the outbox (replies that reached the transport).
 */
export function useInvalidateOnMessages(
  feed: LiveFeed,
  queryKey: readonly unknown[],
  when: (m: Parameters<Parameters<LiveFeed["onMessage"]>[0]>[0]) => boolean = () => true,
): void {
  const queryClient = useQueryClient();
  const keyJson = JSON.stringify(queryKey);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = feed.onMessage((m) => {
      if (!when(m) || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void queryClient.invalidateQueries({ queryKey });
      }, REFETCH_EVERY_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [feed, keyJson, queryClient]);
}

export function ConversationList({
  feed,
  openDriverId,
  onOpen,
}: {
  feed: LiveFeed;
  openDriverId: string | null;
  onOpen: (driverId: string) => void;
}) {
  const trpc = useTRPC();
  const headingId = useId();
  const [search, setSearch] = useState("");
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useQuery(
    trpc.conversation.list.queryOptions(
      { limit: 50, search: search.trim() || undefined, unreadOnly: unreadOnly || undefined },
      { placeholderData: keepPreviousData },
    ),
  );
  useInvalidateOnMessages(feed, trpc.conversation.list.queryKey());
  const unreadTotal = (list.data ?? []).reduce((n, c) => n + c.unreadCount, 0);
  return (
    <section className="panel feed-conversations" aria-labelledby={headingId}>
      <h2 id={headingId}>
        Conversations
        {unreadTotal > 0 && (
          <span className="feed-unread">
            {unreadTotal}
            <span className="sr-only"> unread</span>
          </span>
        )}
      </h2>
      <div className="filters feed-conv-filters">
        <label>
          <span className="sr-only">Search drivers</span>
          <input
            type="search"
            placeholder="Search drivers"
            value={search}
            maxLength={200}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label className="feed-check">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} />
          Unread only
        </label>
      </div>
      <ErrorAlert error={list.error} />
      {list.isPending && <p className="muted">Loading…</p>}
      {list.data?.length === 0 && <p className="muted">No conversations{unreadOnly ? " with unread messages" : ""}.</p>}
      <ul className="feed-conv-list" aria-label="Conversations">
        {list.data?.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className={`feed-conv${c.driverId === openDriverId ? " feed-conv-open" : ""}${c.unreadCount > 0 ? " feed-conv-unread" : ""}`}
              aria-current={c.driverId === openDriverId ? "true" : undefined}
              onClick={() => onOpen(c.driverId)}
              data-driver-id={c.driverId}
            >
              <span className="feed-conv-name">{c.driverName}</span>
              {c.unreadCount > 0 && (
                <span className="feed-unread">
                  {c.unreadCount}
                  <span className="sr-only"> unread</span>
                </span>
              )}
              <span className="feed-conv-last">
                {c.lastMessage
                  ? `${c.lastMessage.direction === "outbound" ? "You: " : ""}${c.lastMessage.body ?? "(attachment)"}`
                  : "No messages"}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
