import { useState } from "react";

/** A new password typed twice: the two entries, and whether the last submit found them different. */
export function useNewPassword() {
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  return {
    password,
    confirm,
    setPassword,
    setConfirm,
    mismatch,
    /** Whether the two entries match; flags the mismatch when they don't. */
    check(): boolean {
      const ok = password === confirm;
      setMismatch(!ok);
      return ok;
    },
    clear() {
      setPassword("");
      setConfirm("");
    },
  };
}

/** The "new password" and "confirm" inputs (and optionally the length hint) for `useNewPassword`. */
export function NewPasswordFields({
  state,
  label = "New password",
  confirmLabel = "Confirm new password",
  hint = false,
}: {
  state: ReturnType<typeof useNewPassword>;
  label?: string;
  confirmLabel?: string;
  hint?: boolean;
}) {
  return (
    <>
      <label>
        {label}
        <input
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          value={state.password}
          onChange={(e) => state.setPassword(e.target.value)}
        />
      </label>
      <label>
        {confirmLabel}
        <input
          type="password"
          autoComplete="new-password"
          required
          value={state.confirm}
          onChange={(e) => state.setConfirm(e.target.value)}
        />
      </label>
      {hint && <p className="muted hint">At least 10 characters; a passphrase works well.</p>}
    </>
  );
}
