/**
 * The fields of a new ticket — subject, category, priority, description and attachments — shared by
 * the tenant's "New ticket" form and the agents' "New ticket for a tenant" form, each with the
 * server's field error (BAD_REQUEST `fieldErrors`, see lib/errors.ts) under it.
 */
import { TICKET_CATEGORIES, TICKET_PRIORITIES, type TicketCategory, type TicketPriority } from "@fleetcore/validators";
import { useId } from "react";
import { humanize } from "../../lib/format";
import { FilePicker } from "./SupportParts";

/** What the shared fields hold (files are held apart: they are uploaded before the ticket is sent). */
export interface TicketFieldValues {
  subject: string;
  category: TicketCategory;
  priority: TicketPriority;
  description: string;
}

/** A new ticket's starting values. */
export const EMPTY_TICKET_FIELDS: TicketFieldValues = {
  subject: "",
  category: "technical",
  priority: "medium",
  description: "",
};

/** Server field errors keyed by input field, as `fieldErrors()` of lib/errors.ts returns them. */
export type FieldErrors = Record<string, string[] | undefined>;

/** The input fields {@link TicketFields} shows errors for. */
export const TICKET_FIELD_NAMES = ["subject", "category", "priority", "description", "fileIds"] as const;

/** True when `errors` has a message for one of `fields` (the form then need not repeat it below). */
export function hasFieldError(errors: FieldErrors, fields: readonly string[]): boolean {
  return fields.some((f) => Boolean(errors[f]?.[0]));
}

/**
 * Props tying a control to its error message (`aria-invalid`, `aria-describedby`) when `errors`
 * has one for `field`; the message is rendered by {@link FieldError} with the same `id`.
 */
export function fieldAria(
  errors: FieldErrors,
  field: string,
  id: string,
): { "aria-invalid"?: true; "aria-describedby"?: string } {
  return errors[field]?.[0] ? { "aria-invalid": true, "aria-describedby": id } : {};
}

/** The server's first message for `field`, under its control (nothing when there is none). */
export function FieldError({ id, errors, field }: { id: string; errors: FieldErrors; field: string }) {
  const message = errors[field]?.[0];
  if (!message) return null;
  return (
    <span id={id} className="error field-error" role="alert">
      {message}
    </span>
  );
}

/**
 * Subject, category, priority, description and attachments, controlled by the parent form (which
 * renders them inside its `<form>`, uploads `files` and sends the ticket).
 * @param errors the server's field errors (`fieldErrors(mutation.error)`), each shown under its field
 */
export function TicketFields({
  value,
  onChange,
  files,
  onFilesChange,
  errors = {},
}: {
  value: TicketFieldValues;
  onChange: (value: TicketFieldValues) => void;
  files: File[];
  onFilesChange: (files: File[]) => void;
  errors?: FieldErrors;
}) {
  const id = useId();
  const set = <K extends keyof TicketFieldValues>(key: K, v: TicketFieldValues[K]) => onChange({ ...value, [key]: v });
  const errorId = (field: string) => `${id}-${field}-error`;
  const aria = (field: string) => fieldAria(errors, field, errorId(field));
  const note = (field: string) => <FieldError id={errorId(field)} errors={errors} field={field} />;
  return (
    <>
      <div className="ticket-field">
        <label>
          Subject
          <input
            required
            minLength={3}
            maxLength={200}
            value={value.subject}
            onChange={(e) => set("subject", e.target.value)}
            {...aria("subject")}
          />
        </label>
        {note("subject")}
      </div>
      <div className="ticket-form-row">
        <div className="ticket-field">
          <label>
            Category
            <select
              value={value.category}
              onChange={(e) => set("category", e.target.value as TicketCategory)}
              {...aria("category")}
            >
              {TICKET_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {humanize(c)}
                </option>
              ))}
            </select>
          </label>
          {note("category")}
        </div>
        <div className="ticket-field">
          <label>
            Priority
            <select
              value={value.priority}
              onChange={(e) => set("priority", e.target.value as TicketPriority)}
              {...aria("priority")}
            >
              {TICKET_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          {note("priority")}
        </div>
      </div>
      <div className="ticket-field">
        <label>
          Description
          <textarea
            required
            rows={6}
            maxLength={20000}
            value={value.description}
            onChange={(e) => set("description", e.target.value)}
            {...aria("description")}
          />
        </label>
        {note("description")}
      </div>
      <div className="ticket-field">
        <FilePicker files={files} onChange={onFilesChange} describedBy={aria("fileIds")["aria-describedby"]} />
        {note("fileIds")}
      </div>
    </>
  );
}
