/**
 * One driver's conversation beside the feed: the thread (oldest at the top, newest at the bottom,
 * "Load earlier" pages back), kept live from the feed's socket (new messages, delivery statuses),
 * with status ticks and the reason a reply was blocked or failed; a reply box (Enter sends,
 * Shift+Enter starts a new line) for messages:write; the conversation is marked read when opened
 * and when a message arrives while it is open.
 */
import type { LiveMessage, MessageStatus } from "@fleetcore/realtime";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import { type LiveFeed, laterMessage } from "../../lib/liveFeed";
import { useTRPC, useTRPCClient } from "../../lib/trpc";
import { ErrorAlert } from "../ui";
import { FeedTime, MessageStatusMark } from "./shared";

/** Messages per thread page. */
const THREAD_PAGE = 50;
/** An arriving message is marked read after this quiet time, ms (a burst costs one request). */
const MARK_READ_DELAY_MS = 400;

type ThreadMessage = Pick<
  LiveMessage,
  "id" | "time" | "direction" | "status" | "body" | "statusReason" | "messageType" | "driverId"
>;

/**
 * Inserts or replaces `m` in a newest-first list; a copy with an earlier status (the `send` answer
 * arriving after the socket's `sent`) does not replace a later one.
 */
export function upsertNewestFirst<T extends { id: string; time: string; status: MessageStatus }>(
  list: readonly T[] | undefined,
  next: T,
): T[] {
  const old = list?.find((x) => x.id === next.id);
  const m = old ? laterMessage(old, next) : next;
  if (old && m === old && list) return list as T[];
  const rest = (list ?? []).filter((x) => x.id !== m.id);
  const at = rest.findIndex((x) => x.time < m.time || (x.time === m.time && x.id < m.id));
  if (at === -1) rest.push(m);
  else rest.splice(at, 0, m);
  return rest;
}

export function ConversationPanel({
  driverId,
  driverName,
  driverPhone,
  optedOut,
  feed,
  canWrite,
  onClose,
}: {
  driverId: string;
  driverName: string;
  /** null: none; undefined: not known here. */
  driverPhone: string | null | undefined;
  optedOut: boolean;
  feed: LiveFeed;
  canWrite: boolean;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const headingId = useId();
  const input = { driverId, limit: THREAD_PAGE };
  const key = trpc.conversation.messages.queryKey(input);
  const newest = useQuery(trpc.conversation.messages.queryOptions(input));
  const [older, setOlder] = useState<ThreadMessage[]>([]);
  const [olderDone, setOlderDone] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<unknown>(null);

  const invalidateConversations = () => queryClient.invalidateQueries({ queryKey: trpc.conversation.list.queryKey() });
  const markRead = useMutation(trpc.conversation.markRead.mutationOptions({ onSuccess: invalidateConversations }));
  const markReadRef = useRef(markRead.mutate);
  markReadRef.current = markRead.mutate;

  // Opening the conversation reads it.
  useEffect(() => {
    if (canWrite) markReadRef.current({ driverId });
  }, [driverId, canWrite]);

  // Live: this driver's messages go into the thread; an inbound one while open is read at once.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = feed.onMessage((m) => {
      if (m.driverId !== driverId) return;
      queryClient.setQueryData(key, (old) => upsertNewestFirst(old, m));
      if (m.direction === "inbound" && canWrite) {
        clearTimeout(timer);
        timer = setTimeout(() => markReadRef.current({ driverId }), MARK_READ_DELAY_MS);
      }
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [feed, driverId, canWrite, queryClient]);

  const loadOlder = async () => {
    const all = [...(newest.data ?? []), ...older];
    const oldest = all[all.length - 1];
    if (!oldest) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await client.conversation.messages.query({
        driverId,
        before: new Date(oldest.time),
        limit: THREAD_PAGE,
      });
      setOlder((cur) => [...cur, ...page]);
      if (page.length < THREAD_PAGE) setOlderDone(true);
    } catch (error) {
      setOlderError(error);
    } finally {
      setLoadingOlder(false);
    }
  };

  const newestFirst = mergeThread(newest.data ?? [], older);
  const messages = [...newestFirst].reverse();
  const hasOlder = !olderDone && (newest.data?.length ?? 0) >= THREAD_PAGE;

  // Stay at the bottom as messages arrive, unless the reader scrolled up.
  const listRef = useRef<HTMLOListElement>(null);
  const stickRef = useRef(true);
  const newestId = newestFirst[0]?.id;
  useLayoutEffect(() => {
    const el = listRef.current;
    if (el && stickRef.current) el.scrollTop = el.scrollHeight;
  }, [newestId, newest.data]);

  return (
    <section className="panel thread" aria-labelledby={headingId} data-driver-id={driverId}>
      <div className="thread-head">
        <div>
          <h2 id={headingId}>{driverName}</h2>
          {driverPhone !== undefined && <p className="muted thread-phone">{driverPhone ?? "No phone number"}</p>}
        </div>
        <button type="button" className="button-quiet-dark" onClick={onClose} aria-label="Close conversation">
          ✕
        </button>
      </div>
      {optedOut && (
        <p className="warning thread-optout" role="note">
          {driverName} opted out of messages: replies are not sent until they write START.
        </p>
      )}
      {hasOlder && (
        <button type="button" className="button-quiet-dark thread-older" onClick={loadOlder} disabled={loadingOlder}>
          {loadingOlder ? "Loading…" : "Load earlier messages"}
        </button>
      )}
      <ErrorAlert error={olderError} />
      {newest.isPending && <p className="muted">Loading messages…</p>}
      <ErrorAlert error={newest.error} />
      <ol
        className="thread-list"
        aria-label={`Messages with ${driverName}`}
        ref={listRef}
        onScroll={(e) => {
          const el = e.currentTarget;
          stickRef.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {newest.data && messages.length === 0 && <li className="muted thread-empty">No messages yet.</li>}
        {messages.map((m) => (
          <li
            key={m.id}
            className={`thread-msg thread-msg-${m.direction}`}
            data-message-id={m.id}
            data-status={m.status}
          >
            <p className="thread-body">{m.body ?? `(${m.messageType})`}</p>
            <p className="thread-meta">
              <FeedTime iso={m.time} />
              <MessageStatusMark status={m.status} />
            </p>
            {m.statusReason && (m.status === "blocked" || m.status === "failed") && (
              <p className="thread-reason">
                <strong>{m.status === "blocked" ? "Not sent" : "Failed"}:</strong> {m.statusReason}
              </p>
            )}
          </li>
        ))}
      </ol>
      {canWrite ? (
        <ReplyBox
          driverId={driverId}
          driverName={driverName}
          onSent={(m) => {
            stickRef.current = true;
            queryClient.setQueryData(key, (old) => upsertNewestFirst(old, m));
            void invalidateConversations();
          }}
        />
      ) : (
        <p className="muted thread-readonly">You can read this conversation but not reply.</p>
      )}
    </section>
  );
}

/** The newest page (live) and the older pages, newest first, without duplicates. */
function mergeThread(newest: readonly ThreadMessage[], older: readonly ThreadMessage[]): ThreadMessage[] {
  const seen = new Set(newest.map((m) => m.id));
  return [...newest, ...older.filter((m) => !seen.has(m.id))];
}

function ReplyBox({
  driverId,
  driverName,
  onSent,
}: {
  driverId: string;
  driverName: string;
  onSent: (m: LiveMessage) => void;
}) {
  const trpc = useTRPC();
  const [body, setBody] = useState("");
  const [blocked, setBlocked] = useState<string | null>(null);
  const send = useMutation(
    trpc.conversation.send.mutationOptions({
      onSuccess: (m) => {
        onSent(m);
        setBody("");
        setBlocked(m.status === "blocked" ? (m.statusReason ?? "the message was blocked") : null);
      },
    }),
  );
  const trimmed = body.trim();
  const tooLong = trimmed.length > 4096;
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!trimmed || tooLong || send.isPending) return;
    setBlocked(null);
    send.mutate({ driverId, body: trimmed });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  return (
    <form className="thread-reply" onSubmit={submit} aria-label={`Reply to ${driverName}`}>
      {blocked && (
        <p className="thread-blocked" role="alert">
          <strong>Not sent:</strong> {blocked}
        </p>
      )}
      <label className="sr-only" htmlFor={`reply-${driverId}`}>
        Reply to {driverName}
      </label>
      <textarea
        id={`reply-${driverId}`}
        rows={2}
        value={body}
        placeholder={`Message ${driverName}… (Enter sends, Shift+Enter for a new line)`}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={onKeyDown}
        aria-invalid={tooLong}
      />
      <div className="thread-reply-actions">
        {tooLong && <span className="error">At most 4096 characters ({trimmed.length}).</span>}
        <button type="submit" disabled={!trimmed || tooLong || send.isPending}>
          {send.isPending ? "Sending…" : "Send"}
        </button>
      </div>
      <ErrorAlert error={send.error} />
    </form>
  );
}
