import type { InvitationPreview } from "@fleetcore/validators";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { Loading } from "../components/Guards";
import { NewPasswordFields, useNewPassword } from "../components/PasswordFields";
import { ErrorAlert } from "../components/ui";
import { errorCode, errorMessage } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { loginPath, useApplySession, useMe, useSignOut } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/** An invitation link (`/invite/:token`): see what it is for, then accept or decline it. */
export function InvitePage() {
  const { token = "" } = useParams();
  const trpc = useTRPC();
  const preview = useQuery(trpc.invitation.preview.queryOptions({ token }, { retry: false, staleTime: 0 }));
  const [declined, setDeclined] = useState(false);

  if (preview.isPending) {
    return (
      <AuthCard title="Invitation">
        <Loading />
      </AuthCard>
    );
  }
  if (preview.isError) {
    const code = errorCode(preview.error);
    return (
      <AuthCard title="Invitation">
        <p className="error" role="alert">
          {code === "NOT_FOUND" || code === "BAD_REQUEST"
            ? "This invitation link is not valid. Check that you opened the whole link from the email."
            : errorMessage(preview.error)}
        </p>
        <p className="auth-links">
          <Link to="/login">Go to sign in</Link>
        </p>
      </AuthCard>
    );
  }
  const invitation = preview.data;
  if (declined) {
    return (
      <AuthCard title="Invitation declined">
        <p role="status">You declined the invitation to join {invitation.tenantName}.</p>
      </AuthCard>
    );
  }
  const closed = closedReason(invitation);
  return (
    <AuthCard title={`Join ${invitation.tenantName}`}>
      <dl className="facts">
        <dt>Organisation</dt>
        <dd>{invitation.tenantName}</dd>
        <dt>Role</dt>
        <dd>{invitation.roleName}</dd>
        <dt>Email</dt>
        <dd>{invitation.email}</dd>
        {!closed && (
          <>
            <dt>Valid until</dt>
            <dd>{formatDateTime(invitation.expiresAt)}</dd>
          </>
        )}
      </dl>
      {closed ? (
        <>
          <p className="error" role="alert">
            {closed}
          </p>
          <p className="auth-links">
            <Link to="/">Go to Fleetcore</Link>
          </p>
        </>
      ) : invitation.accountExists ? (
        <ExistingAccount token={token} invitation={invitation} onDeclined={() => setDeclined(true)} />
      ) : (
        <NewAccount token={token} invitation={invitation} onDeclined={() => setDeclined(true)} />
      )}
    </AuthCard>
  );
}

function closedReason(invitation: InvitationPreview): string | null {
  switch (invitation.status) {
    case "accepted":
      return "This invitation has already been accepted. Sign in to continue.";
    case "declined":
      return "This invitation was declined.";
    case "revoked":
      return "This invitation was withdrawn. Ask the organisation's administrator for a new one.";
    case "pending":
      return invitation.expired
        ? "This invitation has expired. Ask the organisation's administrator to send a new one."
        : null;
  }
}

interface Props {
  token: string;
  invitation: InvitationPreview;
  onDeclined: () => void;
}

function useAccept() {
  const trpc = useTRPC();
  const applySession = useApplySession();
  const navigate = useNavigate();
  return useMutation(
    trpc.invitation.accept.mutationOptions({
      onSuccess: (me) => {
        applySession(me);
        navigate("/", { replace: true });
      },
    }),
  );
}

function DeclineButton({ token, onDeclined }: { token: string; onDeclined: () => void }) {
  const trpc = useTRPC();
  const decline = useMutation(trpc.invitation.decline.mutationOptions({ onSuccess: onDeclined }));
  return (
    <>
      <button
        type="button"
        className="button-secondary"
        disabled={decline.isPending}
        onClick={() => decline.mutate({ token })}
      >
        Decline
      </button>
      <ErrorAlert error={decline.error} />
    </>
  );
}

/** The invited email already has an account: accept while signed in as it. */
function ExistingAccount({ token, invitation, onDeclined }: Props) {
  const me = useMe();
  const here = `/invite/${token}`;
  const { signOut } = useSignOut(loginPath(here));
  const accept = useAccept();
  if (me.isPending) return <Loading />;
  const user = me.data?.kind === "user" ? me.data.user : null;
  if (!user) {
    return (
      <>
        <p>
          You already have a Fleetcore account as <strong>{invitation.email}</strong>. Sign in to accept the invitation.
        </p>
        <p className="auth-actions">
          <Link className="button-link" to={loginPath(here)}>
            Sign in to accept
          </Link>
        </p>
      </>
    );
  }
  if (user.email.toLowerCase() !== invitation.email.toLowerCase()) {
    return (
      <>
        <p role="alert">
          You are signed in as <strong>{user.email}</strong>, but this invitation is for{" "}
          <strong>{invitation.email}</strong>. Sign out, then sign in as {invitation.email} to accept it.
        </p>
        <p className="auth-actions">
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </p>
      </>
    );
  }
  return (
    <>
      <p>
        Signed in as <strong>{user.email}</strong>.
      </p>
      <ErrorAlert error={accept.error} />
      <div className="auth-actions">
        <button type="button" disabled={accept.isPending} onClick={() => accept.mutate({ token })}>
          {accept.isPending ? "Accepting…" : "Accept"}
        </button>
        <DeclineButton token={token} onDeclined={onDeclined} />
      </div>
    </>
  );
}

/** No account yet: choose a name and password, which creates the account and signs in. */
function NewAccount({ token, invitation, onDeclined }: Props) {
  const me = useMe();
  const accept = useAccept();
  const [fullName, setFullName] = useState("");
  const newPassword = useNewPassword();
  const signedInAs = me.data?.kind === "user" ? me.data.user?.email : undefined;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!newPassword.check()) return;
    accept.mutate({ token, fullName, password: newPassword.password });
  };
  return (
    <form className="stack-form" onSubmit={onSubmit} aria-label="Accept invitation">
      <p className="muted">Create your account for {invitation.email}.</p>
      {signedInAs && (
        <p className="muted">
          You are signed in as {signedInAs}; accepting signs you in as {invitation.email} instead.
        </p>
      )}
      <label>
        Full name
        <input autoComplete="name" required value={fullName} onChange={(e) => setFullName(e.target.value)} />
      </label>
      <NewPasswordFields state={newPassword} label="Password" confirmLabel="Confirm password" hint />
      <ErrorAlert error={newPassword.mismatch ? "The passwords do not match." : accept.error} />
      <div className="auth-actions">
        <button type="submit" disabled={accept.isPending}>
          {accept.isPending ? "Creating your account…" : "Accept invitation"}
        </button>
        <DeclineButton token={token} onDeclined={onDeclined} />
      </div>
    </form>
  );
}
