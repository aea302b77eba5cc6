import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { errorMessage } from "../lib/errors";
import { useTRPC } from "../lib/trpc";

/** Sets a new password from an emailed `?token=`. */
export function ResetPasswordPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());

  if (!token) {
    return (
      <AuthCard title="Choose a new password">
        <p className="error" role="alert">
          This link has no reset token. Open the link from the email again, or ask for a new one.
        </p>
        <p className="auth-links">
          <Link to="/forgot-password">Request a new link</Link>
        </p>
      </AuthCard>
    );
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    reset.mutate({ token, newPassword: password });
  };
  return (
    <AuthCard title="Choose a new password">
      {reset.isSuccess ? (
        <>
          <p role="status">Your password has been changed, and every session was signed out.</p>
          <p className="auth-links">
            <Link to="/login">Sign in</Link>
          </p>
        </>
      ) : (
        <form className="stack-form" onSubmit={onSubmit} aria-label="Choose a new password">
          <label>
            New password
            <input
              type="password"
              autoComplete="new-password"
              required
              minLength={10}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <label>
            Confirm new password
            <input
              type="password"
              autoComplete="new-password"
              required
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </label>
          <p className="muted hint">At least 10 characters; a passphrase works well.</p>
          {(mismatch || reset.isError) && (
            <p className="error" role="alert">
              {mismatch ? "The passwords do not match." : errorMessage(reset.error)}
            </p>
          )}
          <button type="submit" disabled={reset.isPending}>
            {reset.isPending ? "Saving…" : "Set new password"}
          </button>
          <p className="auth-links">
            <Link to="/forgot-password">Request a new link</Link>
          </p>
        </form>
      )}
    </AuthCard>
  );
}
