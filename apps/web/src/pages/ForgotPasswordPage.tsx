import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { ErrorAlert } from "../components/ui";
import { useTRPC } from "../lib/trpc";

/** Asks for a reset link. The answer never says whether the account exists. */
export function ForgotPasswordPage() {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    request.mutate({ email });
  };
  return (
    <AuthCard title="Reset your password">
      {request.isSuccess ? (
        <p role="status">
          If an account exists for <strong>{email}</strong>, we sent a link to reset its password. It is valid for a
          limited time.
        </p>
      ) : (
        <form className="stack-form" onSubmit={onSubmit} aria-label="Reset your password">
          <p className="muted">Enter your email address and we will send you a link to choose a new password.</p>
          <label>
            Email
            <input
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </label>
          <ErrorAlert error={request.error} />
          <button type="submit" disabled={request.isPending}>
            {request.isPending ? "Sending…" : "Send reset link"}
          </button>
        </form>
      )}
      <p className="auth-links">
        <Link to="/login">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}
