import type { DisplayToken } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useSignedIn } from "../components/Guards";
import { OneTimeSecret } from "../components/OneTimeSecret";
import { ErrorAlert, MutationButton, QueryTable, StatusBadge } from "../components/ui";
import { formatDateTime } from "../lib/format";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/** Wall-display links: screens that show the live fleet without anyone signing in. */
export function DisplaysPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const writable = can(me, "displays", "write");
  const displays = useQuery(trpc.display.list.queryOptions());
  const revoke = useMutation(
    trpc.display.revoke.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.display.list.queryKey() }),
    }),
  );
  return (
    <>
      <section className="panel">
        <h1>Wall displays</h1>
        <p className="muted">
          A display link signs a screen (a TV in the dispatch room) in to {me.activeTenant?.name} read-only: it shows
          the live fleet and nothing else. Revoke a link to sign its screens out.
        </p>
        <QueryTable
          query={displays}
          label="Display links"
          empty="No display links yet."
          head={
            <>
              <th>Name</th>
              <th>State</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th className="num">Screens</th>
              {writable && <th aria-label="Actions" />}
            </>
          }
        >
          {(rows) =>
            rows.map((d) => {
              const state = displayState(d);
              return (
                <tr key={d.id}>
                  <td>{d.name}</td>
                  <td>
                    <StatusBadge status={state} />
                  </td>
                  <td>
                    {formatDateTime(d.createdAt)}
                    {d.createdBy && <span className="muted"> by {d.createdBy}</span>}
                  </td>
                  <td>{d.expiresAt ? formatDateTime(d.expiresAt) : "never"}</td>
                  <td>{formatDateTime(d.lastUsedAt)}</td>
                  <td className="num">{d.activeSessions}</td>
                  {writable && (
                    <td className="row-actions">
                      {state === "active" && (
                        <MutationButton mutation={revoke} input={{ displayTokenId: d.id }} label={`Revoke ${d.name}`}>
                          Revoke
                        </MutationButton>
                      )}
                    </td>
                  )}
                </tr>
              );
            })
          }
        </QueryTable>
        <ErrorAlert error={revoke.error} />
      </section>
      {writable && <CreateDisplayForm />}
    </>
  );
}

function displayState(d: DisplayToken): "active" | "revoked" | "expired" {
  if (d.revokedAt) return "revoked";
  if (d.expiresAt && d.expiresAt.getTime() <= Date.now()) return "expired";
  return "active";
}

function CreateDisplayForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [expiresAt, setExpiresAt] = useState("");
  const [created, setCreated] = useState<{ name: string; url: string } | null>(null);
  const create = useMutation(
    trpc.display.create.mutationOptions({
      onSuccess: async (result) => {
        setCreated({ name: result.display.name, url: `${window.location.origin}${result.path}` });
        setName("");
        setExpiresAt("");
        await queryClient.invalidateQueries({ queryKey: trpc.display.list.queryKey() });
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    create.mutate({ name, expiresAt: expiresAt ? new Date(expiresAt) : undefined });
  };
  return (
    <section className="panel">
      <h2>Create a display link</h2>
      {created && (
        <OneTimeSecret
          id="display-url"
          label="Display URL"
          value={created.url}
          title={
            <>
              <strong>Display link for “{created.name}” created.</strong> Open it on the screen that should show the
              fleet.
            </>
          }
          warning="Copy it now: this link won’t be shown again. Anyone with it can see the live fleet until you revoke it."
          onDone={() => setCreated(null)}
        />
      )}
      <form className="grid-form" onSubmit={onSubmit} aria-label="Create a display link">
        <label>
          Name
          <input
            required
            maxLength={80}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Dispatch TV"
          />
        </label>
        <label>
          Expires (optional)
          <input type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
        </label>
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create display link"}
          </button>
        </div>
        <ErrorAlert error={create.error} />
      </form>
    </section>
  );
}
