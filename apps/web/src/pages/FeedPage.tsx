/**
 * The operations feed (`/feed`): vehicle events and driver messages in one live list, newest first
 * (lib/liveFeed.ts), filtered by kind, type, severity, vehicle, driver and acknowledgement (in the
 * URL); "Acknowledge" on open events (events:acknowledge). Beside it, for messages:read: the
 * conversations with unread counts, the open conversation (`?chat=<driverId>`) with the reply box
 * (messages:write), and the outbox of the local transport.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ConversationList } from "../components/feed/ConversationList";
import { ConversationPanel } from "../components/feed/ConversationPanel";
import { FeedFilterBar } from "../components/feed/FeedFilterBar";
import { FeedList, type FeedRowActions } from "../components/feed/FeedList";
import { OutboxTable } from "../components/feed/Outbox";
import { ConnectionIndicator, useFleetNames } from "../components/feed/shared";
import { useSignedIn } from "../components/Guards";
import { ErrorAlert } from "../components/ui";
import {
  applyFiltersToParams,
  eventItem,
  type FeedFilters,
  filtersFromParams,
  filtersKey,
  hasFilters,
  trpcFeedBackend,
  useLiveFeed,
} from "../lib/liveFeed";
import { can } from "../lib/session";
import { useTRPC, useTRPCClient } from "../lib/trpc";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function FeedPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [params, setParams] = useSearchParams();
  const messagesAllowed = can(me, "messages", "read");
  const canReply = can(me, "messages", "write");
  const canAck = can(me, "events", "acknowledge");
  const names = useFleetNames(can(me, "fleet", "read"));

  const paramsKey = params.toString();
  // Filters live in the URL, mirrored here so a control shows its new value at once: react-router
  // applies search-param changes in a transition, during which a controlled checkbox would snap back.
  const [filters, setFilterState] = useState(() => filtersFromParams(params));
  useEffect(() => {
    // The URL changed from outside (back/forward, a link): follow it.
    const fromUrl = filtersFromParams(new URLSearchParams(paramsKey));
    setFilterState((cur) => (filtersKey(cur) === filtersKey(fromUrl) ? cur : fromUrl));
  }, [paramsKey]);
  const [backend] = useState(() => trpcFeedBackend(client));
  const { feed, snapshot } = useLiveFeed({ backend, filters, messages: messagesAllowed });

  const chatParam = params.get("chat");
  const openDriverId = messagesAllowed && chatParam && UUID.test(chatParam) ? chatParam : null;

  const setFilters = useCallback(
    (next: FeedFilters) => {
      if (filtersKey(next) === filtersKey(filters)) return;
      setFilterState(next);
      setParams((cur) => applyFiltersToParams(cur, next), { replace: true });
    },
    [filters, setParams],
  );
  const openConversation = useCallback(
    (driverId: string) =>
      setParams((cur) => {
        const next = new URLSearchParams(cur);
        next.set("chat", driverId);
        return next;
      }),
    [setParams],
  );
  const closeConversation = useCallback(
    () =>
      setParams((cur) => {
        const next = new URLSearchParams(cur);
        next.delete("chat");
        return next;
      }),
    [setParams],
  );

  const ack = useMutation(
    trpc.event.acknowledge.mutationOptions({
      onSuccess: (event) => feed.upsert(eventItem(event)),
    }),
  );
  const [acknowledging, setAcknowledging] = useState<ReadonlySet<string>>(new Set());
  const ackMutate = ack.mutate;
  const acknowledge = useCallback(
    (eventId: string) => {
      setAcknowledging((cur) => new Set(cur).add(eventId));
      ackMutate(
        { eventId },
        {
          onSettled: () =>
            setAcknowledging((cur) => {
              const next = new Set(cur);
              next.delete(eventId);
              return next;
            }),
        },
      );
    },
    [ackMutate],
  );
  const actions: FeedRowActions = useMemo(
    () => ({
      acknowledge: canAck ? acknowledge : undefined,
      openConversation: messagesAllowed ? openConversation : undefined,
      userId: me.user.id,
    }),
    [canAck, acknowledge, messagesAllowed, openConversation, me.user.id],
  );

  const seenTypes = useMemo(() => {
    const types = new Set<string>();
    for (const item of snapshot.items) if (item.kind === "event") types.add(item.event.type);
    return [...types];
  }, [snapshot.items]);

  // The conversation list's default page (shared cache): the open driver's phone and opt-out.
  const conversations = useQuery(trpc.conversation.list.queryOptions({ limit: 50 }, { enabled: messagesAllowed }));
  const openConversationInfo = conversations.data?.find((c) => c.driverId === openDriverId);
  const openMessage = snapshot.items.find((i) => i.kind === "message" && i.message.driverId === openDriverId);
  const openDriverName =
    openConversationInfo?.driverName ??
    (openMessage?.kind === "message" ? openMessage.message.driverName : undefined) ??
    (openDriverId ? names.drivers.get(openDriverId) : undefined) ??
    "Driver";

  return (
    <div className={`feed-page${messagesAllowed ? "" : " feed-page-single"}`}>
      <section className="panel feed-panel" aria-labelledby="feed-heading">
        <div className="panel-head feed-head">
          <h1 id="feed-heading">Operations feed</h1>
          <ConnectionIndicator state={snapshot.connection} />
        </div>
        <FeedFilterBar
          filters={filters}
          onChange={setFilters}
          names={names}
          seenTypes={seenTypes}
          messagesAllowed={messagesAllowed}
        />
        <ErrorAlert error={ack.error} />
        <FeedList
          snapshot={snapshot}
          names={names}
          actions={actions}
          acknowledging={acknowledging}
          onLoadOlder={() => void feed.loadOlder()}
          openDriverId={openDriverId}
          filtered={hasFilters(filters)}
        />
      </section>
      {messagesAllowed && (
        <aside className="feed-side" aria-label="Driver messages">
          {openDriverId && (
            <ConversationPanel
              key={openDriverId}
              driverId={openDriverId}
              driverName={openDriverName}
              driverPhone={openConversationInfo ? openConversationInfo.driverPhone : undefined}
              optedOut={Boolean(openConversationInfo?.optedOutAt)}
              feed={feed}
              canWrite={canReply}
              onClose={closeConversation}
            />
          )}
          <ConversationList feed={feed} openDriverId={openDriverId} onOpen={openConversation} />
          <details className="panel feed-outbox">
            <summary>
              <h2 className="feed-outbox-title">Outbox</h2>
            </summary>
            <p className="muted">
              Replies the local transport recorded instead of sending (no WhatsApp account needed).
              {can(me, "settings", "read") && (
                <>
                  {" "}
                  <Link to="/settings/messaging">Messaging settings</Link>
                </>
              )}
            </p>
            <OutboxTable feed={feed} limit={20} />
          </details>
        </aside>
      )}
    </div>
  );
}
