import type { ReactNode } from "react";
import { Link } from "react-router";

/** The centred card of the signed-out pages (sign in, password reset, invitations). */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="auth-page">
      <Link to="/" className="auth-brand">
        <img src="/favicon.svg" alt="" width={28} height={28} />
        Fleetcore
      </Link>
      <main className="auth-card">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}
