/**
 * The merged list of the operations feed: one row per event or message, newest first. Rows are
 * memoised on their item (an upsert replaces only the row that changed) and the browser skips
 * laying out rows off screen (`content-visibility` in styles.css), so thousands stay smooth.
 */
import { memo } from "react";
import type { FeedItem, FeedSnapshot } from "../../lib/liveFeed";
import { ErrorAlert } from "../ui";
import { eventTypeLabel, FeedTime, type FleetNames, MessageStatusMark, SEVERITY_LABELS } from "./shared";

export interface FeedRowActions {
  /** Acknowledge an event; absent without events:acknowledge. */
  acknowledge?: (eventId: string) => void;
  /** Open a driver's conversation; absent without messages:read. */
  openConversation?: (driverId: string) => void;
  /** The signed-in person (to say "by you"). */
  userId: string;
}

export function FeedList({
  snapshot,
  names,
  actions,
  acknowledging,
  onLoadOlder,
  openDriverId,
  filtered,
}: {
  snapshot: FeedSnapshot;
  names: FleetNames;
  /** Keep it stable (memoised): every row re-renders when it changes. */
  actions: FeedRowActions;
  /** The event ids being acknowledged right now. */
  acknowledging: ReadonlySet<string>;
  onLoadOlder: () => void;
  openDriverId: string | null;
  /** Filters are on (the empty list says so). */
  filtered: boolean;
}) {
  const { items } = snapshot;
  return (
    <>
      {snapshot.loading && items.length === 0 && (
        <p className="muted" role="status">
          Loading the feed…
        </p>
      )}
      <ErrorAlert error={snapshot.error} />
      {!snapshot.loading && items.length === 0 && !snapshot.error && (
        <p className="muted feed-empty">
          {filtered
            ? "Nothing matches these filters. New items that match appear as they happen."
            : "Nothing here yet. New events and messages appear as they happen."}
        </p>
      )}
      <ol className="feed-list" aria-label="Feed" data-count={items.length}>
        {items.map((item) => (
          <FeedRow
            key={item.key}
            item={item}
            names={names}
            actions={actions}
            acknowledging={item.kind === "event" && acknowledging.has(item.id)}
            open={item.kind === "message" && item.message.driverId === openDriverId}
          />
        ))}
      </ol>
      <div className="feed-more">
        {snapshot.hasOlder && (
          <button type="button" className="button-secondary" onClick={onLoadOlder} disabled={snapshot.loadingOlder}>
            {snapshot.loadingOlder ? "Loading…" : "Load older"}
          </button>
        )}
        {snapshot.full && (
          <p className="muted">Showing the newest {items.length} items. Narrow the filters to look further back.</p>
        )}
        {!snapshot.hasOlder && !snapshot.full && items.length > 0 && !snapshot.loading && (
          <p className="muted">That is everything.</p>
        )}
      </div>
    </>
  );
}

const FeedRow = memo(function FeedRow({
  item,
  names,
  actions,
  acknowledging,
  open,
}: {
  item: FeedItem;
  names: FleetNames;
  actions: FeedRowActions;
  acknowledging: boolean;
  open: boolean;
}) {
  return item.kind === "event" ? (
    <EventRow item={item} names={names} actions={actions} acknowledging={acknowledging} />
  ) : (
    <MessageRow item={item} actions={actions} open={open} />
  );
});

function EventRow({
  item,
  names,
  actions,
  acknowledging,
}: {
  item: Extract<FeedItem, { kind: "event" }>;
  names: FleetNames;
  actions: FeedRowActions;
  acknowledging: boolean;
}) {
  const e = item.event;
  const vehicle = e.vehicleId ? (names.vehicles.get(e.vehicleId) ?? "Unknown vehicle") : null;
  const driver = e.driverId ? (names.drivers.get(e.driverId) ?? "Unknown driver") : null;
  const acked = e.acknowledgedAt !== null;
  return (
    <li
      className={`feed-item feed-item-event feed-sev-${e.severity}${acked ? " feed-item-acked" : ""}`}
      data-key={item.key}
      data-kind="event"
      data-type={e.type}
      data-severity={e.severity}
      data-acknowledged={acked ? "true" : "false"}
    >
      <span className={`feed-icon feed-icon-${e.severity}`} aria-hidden="true">
        {e.severity === "info" ? "i" : "!"}
      </span>
      <div className="feed-body">
        <p className="feed-line">
          <span className="sr-only">{SEVERITY_LABELS[e.severity]} event: </span>
          <strong className="feed-title">{e.title}</strong>
          <span className="feed-type">{eventTypeLabel(e.type)}</span>
        </p>
        <p className="feed-meta">
          <FeedTime iso={e.time} />
          {vehicle && <span>{vehicle}</span>}
          {driver &&
            e.driverId &&
            (actions.openConversation ? (
              <button
                type="button"
                className="feed-link"
                onClick={() => e.driverId && actions.openConversation?.(e.driverId)}
                aria-label={`Open conversation with ${driver}`}
              >
                {driver}
              </button>
            ) : (
              <span>{driver}</span>
            ))}
          {e.speedKph !== null && <span>{Math.round(e.speedKph)} km/h</span>}
          <span className="feed-source">{e.source}</span>
        </p>
      </div>
      <div className="feed-actions">
        {acked ? (
          <span className="feed-acked">
            ✓ Acknowledged{e.acknowledgedBy === actions.userId ? " by you" : ""}
            {e.acknowledgedAt && (
              <>
                {" "}
                <FeedTime iso={e.acknowledgedAt} />
              </>
            )}
          </span>
        ) : (
          actions.acknowledge && (
            <button
              type="button"
              className="button-secondary"
              disabled={acknowledging}
              aria-label={`Acknowledge ${e.title}`}
              onClick={() => actions.acknowledge?.(e.id)}
            >
              {acknowledging ? "Acknowledging…" : "Acknowledge"}
            </button>
          )
        )}
      </div>
    </li>
  );
}

function MessageRow({
  item,
  actions,
  open,
}: {
  item: Extract<FeedItem, { kind: "message" }>;
  actions: FeedRowActions;
  open: boolean;
}) {
  const m = item.message;
  const inbound = m.direction === "inbound";
  const text = m.body ?? `(${m.messageType})`;
  const content = (
    <>
      <span className="feed-line">
        <strong className="feed-title">{inbound ? m.driverName : `To ${m.driverName}`}</strong>
        <span className="feed-type">{m.channel}</span>
      </span>
      <span className="feed-text">{text}</span>
    </>
  );
  return (
    <li
      className={`feed-item feed-item-message feed-item-${m.direction}${open ? " feed-item-open" : ""}`}
      data-key={item.key}
      data-kind="message"
      data-status={m.status}
    >
      <span className={`feed-icon feed-icon-${m.direction}`} aria-hidden="true">
        {inbound ? "✉" : "↩"}
      </span>
      <div className="feed-body">
        {actions.openConversation ? (
          <button
            type="button"
            className="feed-open"
            onClick={() => actions.openConversation?.(m.driverId)}
            aria-label={`${inbound ? "Message from" : "Reply to"} ${m.driverName}: ${text}. Open conversation`}
          >
            {content}
          </button>
        ) : (
          <div className="feed-open">{content}</div>
        )}
        <p className="feed-meta">
          <FeedTime iso={m.time} />
          <MessageStatusMark status={m.status} />
        </p>
        {m.statusReason && (m.status === "blocked" || m.status === "failed") && (
          <p className="feed-reason">Not delivered: {m.statusReason}</p>
        )}
      </div>
    </li>
  );
}
