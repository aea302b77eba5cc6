import type { Member, Role } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useSignedIn } from "../components/Guards";
import { ErrorAlert, MutationButton, QueryTable, StatusBadge } from "../components/ui";
import { formatDate, formatDateTime } from "../lib/format";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/** The active tenant's members, pending invitations and the invite form. */
export function MembersPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const writable = can(me, "members", "write");
  const members = useQuery(trpc.member.list.queryOptions());
  const roles = useQuery(trpc.member.roles.queryOptions());
  return (
    <>
      <section className="panel">
        <h1>Members of {me.activeTenant?.name}</h1>
        <QueryTable
          query={members}
          label="Members"
          empty="No members yet."
          head={
            <>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Status</th>
              <th>Joined</th>
              <th>Last sign-in</th>
              {writable && <th aria-label="Actions" />}
            </>
          }
        >
          {(rows) =>
            rows.map((m) => (
              <MemberRow
                key={m.id}
                member={m}
                roles={roles.data ?? []}
                writable={writable}
                isSelf={m.userId === me.user.id}
              />
            ))
          }
        </QueryTable>
      </section>
      {can(me, "members", "read") && <PendingInvitations writable={writable} />}
      {writable && <InviteForm roles={roles.data ?? []} />}
    </>
  );
}

function MemberRow({
  member,
  roles,
  writable,
  isSelf,
}: {
  member: Member;
  roles: Role[];
  writable: boolean;
  isSelf: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.member.list.queryKey() });
  const changeRole = useMutation(trpc.member.changeRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(
    trpc.member.remove.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await refresh();
      },
    }),
  );
  const currentRole = member.roles[0];
  const error = changeRole.error ?? remove.error;
  return (
    <tr>
      <td>{member.email}</td>
      <td>
        {member.fullName ?? "—"}
        {isSelf && <span className="tag">you</span>}
      </td>
      <td>
        {writable && roles.length > 0 ? (
          <select
            aria-label={`Role of ${member.email}`}
            value={currentRole?.id ?? ""}
            disabled={changeRole.isPending}
            onChange={(e) => changeRole.mutate({ memberId: member.id, roleId: e.target.value })}
          >
            {!currentRole && <option value="">—</option>}
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        ) : (
          member.roles.map((r) => r.name).join(", ") || "—"
        )}
      </td>
      <td>
        <StatusBadge status={member.status} />
      </td>
      <td>{formatDate(member.joinedAt)}</td>
      <td>{formatDateTime(member.lastLoginAt)}</td>
      {writable && (
        <td className="row-actions">
          {confirming ? (
            <span className="confirm">
              Remove {member.email}?
              <button
                type="button"
                className="button-danger"
                disabled={remove.isPending}
                onClick={() => remove.mutate({ memberId: member.id })}
              >
                Confirm removal
              </button>
              <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button
              type="button"
              className="button-secondary"
              aria-label={`Remove ${member.email}`}
              onClick={() => setConfirming(true)}
            >
              Remove
            </button>
          )}
          <ErrorAlert error={error} />
        </td>
      )}
    </tr>
  );
}

function PendingInvitations({ writable }: { writable: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.member.invitations.queryOptions());
  const revoke = useMutation(
    trpc.member.revokeInvitation.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.member.invitations.queryKey() }),
    }),
  );
  return (
    <section className="panel">
      <h2>Pending invitations</h2>
      <QueryTable
        query={invitations}
        label="Pending invitations"
        empty="No pending invitations."
        head={
          <>
            <th>Email</th>
            <th>Role</th>
            <th>Invited by</th>
            <th>Sent</th>
            <th>Expires</th>
            {writable && <th aria-label="Actions" />}
          </>
        }
      >
        {(rows) =>
          rows.map((i) => (
            <tr key={i.id}>
              <td>{i.email}</td>
              <td>{i.role.name}</td>
              <td>{i.invitedBy ?? "—"}</td>
              <td>{formatDateTime(i.createdAt)}</td>
              <td>
                {formatDateTime(i.expiresAt)}
                {i.expired && <span className="tag tag-bad">expired</span>}
              </td>
              {writable && (
                <td className="row-actions">
                  <MutationButton
                    mutation={revoke}
                    input={{ invitationId: i.id }}
                    label={`Revoke invitation for ${i.email}`}
                  >
                    Revoke
                  </MutationButton>
                </td>
              )}
            </tr>
          ))
        }
      </QueryTable>
      <ErrorAlert error={revoke.error} />
    </section>
  );
}

function InviteForm({ roles }: { roles: Role[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [roleId, setRoleId] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  // Default to the least powerful role offered (the last of the built-in order owner → viewer).
  const defaultRole = roles.find((r) => r.name === "viewer") ?? roles[roles.length - 1];
  const chosenRoleId = roleId || defaultRole?.id || "";
  const invite = useMutation(
    trpc.member.invite.mutationOptions({
      onSuccess: async (invitation) => {
        setSentTo(invitation.email);
        setEmail("");
        await queryClient.invalidateQueries({ queryKey: trpc.member.invitations.queryKey() });
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSentTo(null);
    invite.mutate({ email, roleId: chosenRoleId });
  };
  return (
    <section className="panel">
      <h2>Invite a member</h2>
      <form className="grid-form" onSubmit={onSubmit} aria-label="Invite a member">
        <label>
          Email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Role
          <select required value={chosenRoleId} onChange={(e) => setRoleId(e.target.value)}>
            {roles.map((r) => (
              <option key={r.id} value={r.id} title={r.description ?? undefined}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <div className="actions">
          <button type="submit" disabled={invite.isPending || !chosenRoleId}>
            {invite.isPending ? "Sending…" : "Send invitation"}
          </button>
        </div>
        <ErrorAlert error={invite.error} />
        {sentTo && (
          <p className="success" role="status">
            Invitation sent to {sentTo}.
          </p>
        )}
      </form>
    </section>
  );
}
