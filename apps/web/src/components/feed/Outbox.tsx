/**
 * What the local transport recorded instead of sending (msg_outbox), newest first: with no WhatsApp
 * account, this is what drivers would have received. Refreshed when a reply reaches the transport.
 */
import { useQuery } from "@tanstack/react-query";
import { formatDateTime } from "../../lib/format";
import type { LiveFeed } from "../../lib/liveFeed";
import { useTRPC } from "../../lib/trpc";
import { QueryTable } from "../ui";
import { useInvalidateOnMessages } from "./ConversationList";

export function OutboxTable({ feed, limit = 50 }: { feed?: LiveFeed; limit?: number }) {
  const trpc = useTRPC();
  const outbox = useQuery(trpc.conversation.outbox.queryOptions({ limit }, feed ? {} : { refetchInterval: 15_000 }));
  return (
    <>
      {feed && <OutboxLive feed={feed} />}
      <QueryTable
        query={outbox}
        label="Outbox"
        empty="Nothing in the outbox yet: replies sent through the local transport appear here."
        head={
          <>
            <th>Recorded</th>
            <th>To</th>
            <th>Message</th>
          </>
        }
      >
        {(rows) =>
          rows.map((r) => (
            <tr key={r.id} data-message-id={r.messageId}>
              <td className="nowrap">{formatDateTime(r.createdAt)}</td>
              <td className="mono nowrap">{r.to}</td>
              <td className="msgset-outbox-body">{r.body}</td>
            </tr>
          ))
        }
      </QueryTable>
    </>
  );
}

/** Refetches the outbox when a reply leaves the queue. */
function OutboxLive({ feed }: { feed: LiveFeed }) {
  const trpc = useTRPC();
  useInvalidateOnMessages(
    feed,
    trpc.conversation.outbox.queryKey(),
    (m) => m.direction === "outbound" && m.status !== "queued",
  );
  return null;
}
