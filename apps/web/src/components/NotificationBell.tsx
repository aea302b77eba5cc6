/**
 * The bell in the top bar: the signed-in person's in-app notifications (`notification.list`), kept
 * live by the `notification` event on the person's Socket.IO room (and refreshed on reconnection and
 * every minute as a fallback). Opening one marks it read and follows its link.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { formatDateTime } from "../lib/format";
import { useSocketEvent } from "../lib/supportSocket";
import { useTRPC } from "../lib/trpc";

export function NotificationBell() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const list = useQuery(trpc.notification.list.queryOptions({ limit: 20 }, { refetchInterval: 60_000 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.notification.list.queryKey() });
  const markRead = useMutation(trpc.notification.markRead.mutationOptions({ onSuccess: refresh }));

  useSocketEvent("notification", () => void refresh(), { onReconnect: true });

  // Close on a click outside or Escape.
  useEffect(() => {
    if (!open) return;
    const onClick = (e: MouseEvent) => {
      if (panel.current && !panel.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", onClick);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onClick);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const unread = list.data?.unread ?? 0;
  return (
    <div className="bell" ref={panel}>
      <button
        type="button"
        className="button-quiet bell-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
        onClick={() => setOpen((o) => !o)}
      >
        <svg
          aria-hidden="true"
          width="18"
          height="18"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <section className="bell-panel" aria-label="Notifications">
          <div className="bell-head">
            <strong>Notifications</strong>
            <button
              type="button"
              className="button-quiet"
              disabled={unread === 0 || markRead.isPending}
              onClick={() => markRead.mutate({})}
            >
              Mark all read
            </button>
          </div>
          {list.data && list.data.items.length === 0 && <p className="muted">Nothing yet.</p>}
          <ul className="bell-list">
            {list.data?.items.map((n) => (
              <li key={n.id} className={n.readAt ? "bell-item" : "bell-item bell-unread"}>
                <button
                  type="button"
                  className="bell-open"
                  onClick={() => {
                    if (!n.readAt) markRead.mutate({ ids: [n.id] });
                    setOpen(false);
                    if (n.link) navigate(n.link);
                  }}
                >
                  <span className="bell-title">{n.title}</span>
                  {n.body && <span className="bell-body">{n.body}</span>}
                  <span className="muted bell-time">{formatDateTime(n.createdAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
