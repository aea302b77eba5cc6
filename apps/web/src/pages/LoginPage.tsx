import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { Loading } from "../components/Guards";
import { ErrorAlert } from "../components/ui";
import { safeNextPath, useApplySession, useMe } from "../lib/session";
import { useTRPC } from "../lib/trpc";

export function LoginPage() {
  const trpc = useTRPC();
  const me = useMe();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get("next")) ?? "/";
  const applySession = useApplySession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (session) => {
        applySession(session);
        navigate(next, { replace: true });
      },
    }),
  );

  if (me.isPending) return <Loading />;
  // Already signed in (e.g. a bookmarked /login): carry on to where they were going.
  if (me.data?.kind === "user" && !login.isPending && !login.isSuccess) return <Navigate to={next} replace />;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email, password });
  };
  return (
    <AuthCard title="Sign in to Fleetcore">
      <form className="stack-form" onSubmit={onSubmit} aria-label="Sign in">
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <ErrorAlert error={login.error} />
        <button type="submit" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="auth-links">
        <Link to="/forgot-password">Forgot password?</Link>
      </p>
    </AuthCard>
  );
}
