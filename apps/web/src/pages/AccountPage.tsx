import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useSignedIn } from "../components/Guards";
import { NewPasswordFields, useNewPassword } from "../components/PasswordFields";
import { ErrorAlert, MutationButton, QueryTable } from "../components/ui";
import { formatDateTime } from "../lib/format";
import { useTRPC } from "../lib/trpc";

/** The signed-in person's account: password and sessions. */
export function AccountPage() {
  const me = useSignedIn();
  return (
    <>
      <section className="panel">
        <h1>Your account</h1>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{me.user.fullName ?? "—"}</dd>
          <dt>Email</dt>
          <dd>{me.user.email}</dd>
          {me.provider && (
            <>
              <dt>Provider role</dt>
              <dd>
                {me.provider.role}
                {me.provider.title && ` · ${me.provider.title}`}
              </dd>
            </>
          )}
          {me.memberships.length > 0 && (
            <>
              <dt>Organisations</dt>
              <dd>{me.memberships.map((m) => `${m.tenantName} (${m.roles.join(", ")})`).join("; ")}</dd>
            </>
          )}
        </dl>
      </section>
      <ChangePasswordForm />
      <Sessions />
    </>
  );
}

function ChangePasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState("");
  const newPassword = useNewPassword();
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: async () => {
        setCurrent("");
        newPassword.clear();
        await queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!newPassword.check()) return;
    change.mutate({ currentPassword: current, newPassword: newPassword.password });
  };
  return (
    <section className="panel">
      <h2>Change password</h2>
      <form className="grid-form" onSubmit={onSubmit} aria-label="Change password">
        <label>
          Current password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <NewPasswordFields state={newPassword} />
        <div className="actions">
          <button type="submit" disabled={change.isPending}>
            {change.isPending ? "Saving…" : "Change password"}
          </button>
        </div>
        <ErrorAlert error={newPassword.mismatch ? "The new passwords do not match." : change.error} />
        {change.isSuccess && (
          <p className="success" role="status">
            Password changed. Your other sessions were signed out.
          </p>
        )}
      </form>
    </section>
  );
}

function Sessions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
  const revoke = useMutation(trpc.auth.revokeSession.mutationOptions({ onSuccess: refresh }));
  const signOutOthers = useMutation(trpc.auth.signOutOtherSessions.mutationOptions({ onSuccess: refresh }));
  const others = sessions.data?.filter((s) => !s.current).length ?? 0;
  return (
    <section className="panel">
      <h2>Sessions</h2>
      <p className="muted">Where you are signed in. Revoke any session you don't recognise.</p>
      <QueryTable
        query={sessions}
        label="Sessions"
        head={
          <>
            <th>Browser</th>
            <th>IP address</th>
            <th>Signed in</th>
            <th>Last active</th>
            <th>Expires</th>
            <th aria-label="Actions" />
          </>
        }
      >
        {(rows) =>
          rows.map((s) => (
            <tr key={s.id} className={s.current ? "current" : undefined}>
              <td>
                {describeUserAgent(s.userAgent)}
                {s.current && <span className="tag tag-ok">this session</span>}
              </td>
              <td className="mono">{s.ipAddress ?? "—"}</td>
              <td>{formatDateTime(s.createdAt)}</td>
              <td>{formatDateTime(s.lastSeenAt)}</td>
              <td>{formatDateTime(s.expiresAt)}</td>
              <td className="row-actions">
                {!s.current && (
                  <MutationButton mutation={revoke} input={{ sessionId: s.id }}>
                    Revoke
                  </MutationButton>
                )}
              </td>
            </tr>
          ))
        }
      </QueryTable>
      <p className="panel-actions">
        <button
          type="button"
          className="button-secondary"
          disabled={signOutOthers.isPending || others === 0}
          onClick={() => signOutOthers.mutate()}
        >
          Sign out other sessions
        </button>
        {signOutOthers.isSuccess && (
          <span className="success" role="status">
            Signed out {signOutOthers.data.count} other {signOutOthers.data.count === 1 ? "session" : "sessions"}.
          </span>
        )}
      </p>
      <ErrorAlert error={revoke.error ?? signOutOthers.error} />
    </section>
  );
}

/** "Chrome on Linux" from a User-Agent header, or the header itself when it is unusual. */
function describeUserAgent(ua: string | null): string {
  if (!ua) return "Unknown browser";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : null;
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Android/.test(ua)
      ? "Android"
      : /iPhone|iPad/.test(ua)
        ? "iOS"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : null;
  if (!browser) return ua.length > 60 ? `${ua.slice(0, 60)}…` : ua;
  return os ? `${browser} on ${os}` : browser;
}
