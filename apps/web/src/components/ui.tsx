import { type ReactNode, useState } from "react";
import { errorMessage } from "../lib/errors";

/** An error a person can read, announced to screen readers; renders nothing while `error` is empty. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (error === null || error === undefined || error === false) return null;
  return (
    <p className="error" role="alert">
      {errorMessage(error)}
    </p>
  );
}

/** A coloured status word (`status-active`, `status-suspended`, … in styles.css). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

interface TableProps<T> {
  /** The table's accessible name. */
  label: string;
  /** The header cells (`<th>`s). */
  head: ReactNode;
  /** Shown instead of the table when there are no rows; without it an empty table is shown. */
  empty?: string;
  /** The body rows. */
  children: (rows: T[]) => ReactNode;
}

/** A horizontally scrollable table of `rows`, or the `empty` note when there are none. */
export function DataTable<T>({ rows, label, head, empty, children }: TableProps<T> & { rows: T[] }) {
  if (rows.length === 0 && empty !== undefined) return <p className="muted">{empty}</p>;
  return (
    <div className="table-scroll">
      <table aria-label={label}>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children(rows)}</tbody>
      </table>
    </div>
  );
}

/** A `DataTable` of a query's rows, with its loading and error states. */
export function QueryTable<T>({
  query,
  ...table
}: TableProps<T> & { query: { isPending: boolean; error: unknown; data: T[] | undefined } }) {
  return (
    <>
      {query.isPending && <p className="muted">Loading…</p>}
      <ErrorAlert error={query.error} />
      {query.data && <DataTable rows={query.data} {...table} />}
    </>
  );
}

/** A secondary button that runs `mutation` with `input`, disabled while it is running. */
export function MutationButton<I>({
  mutation,
  input,
  label,
  children,
}: {
  mutation: { isPending: boolean; mutate: (input: I) => void };
  input: I;
  /** The accessible name, when the visible text alone is ambiguous (one button per table row). */
  label?: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="button-secondary"
      aria-label={label}
      disabled={mutation.isPending}
      onClick={() => mutation.mutate(input)}
    >
      {children}
    </button>
  );
}

/**
 * A row action that asks first: "<action>" → "<action> <subject>? <consequence>" with a danger
 * button that runs `mutation` with `input`, and Cancel.
 */
export function ConfirmAction<I>({
  mutation,
  input,
  action,
  subject,
  consequence = "",
}: {
  mutation: { isPending: boolean; error: unknown; mutate: (input: I) => void };
  input: I;
  action: string;
  subject: string;
  consequence?: string;
}) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button
        type="button"
        className="button-secondary"
        aria-label={`${action} ${subject}`}
        onClick={() => setConfirming(true)}
      >
        {action}
      </button>
    );
  }
  return (
    <span className="confirm">
      {action} {subject}? {consequence}
      <button
        type="button"
        className="button-danger"
        disabled={mutation.isPending}
        onClick={() => mutation.mutate(input)}
      >
        Confirm
      </button>
      <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      <ErrorAlert error={mutation.error} />
    </span>
  );
}
