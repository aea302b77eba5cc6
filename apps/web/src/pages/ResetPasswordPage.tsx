import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { NewPasswordFields, useNewPassword } from "../components/PasswordFields";
import { ErrorAlert } from "../components/ui";
import { useTRPC } from "../lib/trpc";

/** Sets a new password from an emailed `?token=`. */
export function ResetPasswordPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const newPassword = useNewPassword();
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
    if (!newPassword.check()) return;
    reset.mutate({ token, newPassword: newPassword.password });
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
          <NewPasswordFields state={newPassword} hint />
          <ErrorAlert error={newPassword.mismatch ? "The passwords do not match." : reset.error} />
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
