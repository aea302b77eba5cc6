/**
 * Pieces shared by the CRM pages: who may write, tenant and employee pickers, money display and
 * input, calendar-date and local date-time conversions for form inputs.
 */
import { CRM_PIPELINE_STAGES, type CrmPipelineStage } from "@fleetcore/validators";
import { useQuery } from "@tanstack/react-query";
import { useSignedIn } from "../../../components/Guards";
import { formatMoney } from "../../../lib/money";
import { useTRPC } from "../../../lib/trpc";
import "./crm.css";

/** True for staff who may change CRM records (admins and account managers; analysts and support agents read). */
export function useCrmWriter(): boolean {
  const me = useSignedIn();
  return me.provider?.role === "admin" || me.provider?.role === "account_manager";
}

/** True for provider admins (reopen won/lost, stage probabilities). */
export function useCrmAdmin(): boolean {
  return useSignedIn().provider?.role === "admin";
}

/** Stage names as people read them. */
export const STAGE_LABELS: Record<CrmPipelineStage, string> = {
  prospecting: "Prospecting",
  qualified: "Qualified",
  proposal_sent: "Proposal sent",
  negotiation: "Negotiation",
  won: "Won",
  lost: "Lost",
};

export const STAGES = CRM_PIPELINE_STAGES;

/** An amount in its currency, e.g. "$12,000.00"; "—" when there is none. */
export function Money({ minor, currency }: { minor: bigint | null | undefined; currency: string | null | undefined }) {
  if (minor === null || minor === undefined || !currency) return <>—</>;
  return <span className="nowrap">{formatMoney(minor, currency)}</span>;
}

/** A calendar day (UTC midnight Date) as an `<input type="date">` value. */
export function dateInputValue(d: Date | null | undefined): string {
  return d ? d.toISOString().slice(0, 10) : "";
}

/** A `YYYY-MM-DD` input value → the UTC midnight Date a calendar day travels as, or null when empty. */
export function dateFromInput(value: string): Date | null {
  return value ? new Date(`${value}T00:00:00Z`) : null;
}

/** An instant as a `<input type="datetime-local">` value in the browser's time zone. */
export function localDateTimeValue(d: Date | null | undefined): string {
  if (!d) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `<input type="datetime-local">` value (local time) → Date, or null when empty. */
export function dateTimeFromInput(value: string): Date | null {
  return value ? new Date(value) : null;
}

/** A `<select>` of live tenants (by name); `none` adds an empty choice with that label. */
export function TenantSelect({
  value,
  onChange,
  label = "Tenant",
  none,
  required,
}: {
  value: string;
  onChange: (tenantId: string) => void;
  label?: string;
  none?: string;
  required?: boolean;
}) {
  const trpc = useTRPC();
  const tenants = useQuery(trpc.provider.tenants.list.queryOptions({}, { staleTime: 60_000 }));
  return (
    <label>
      {label}
      <select value={value} required={required} onChange={(e) => onChange(e.target.value)}>
        {none !== undefined ? <option value="">{none}</option> : <option value="">Choose…</option>}
        {(tenants.data ?? []).map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A `<select>` of active provider staff; the empty choice reads `none` ("Nobody" by default). */
export function EmployeeSelect({
  value,
  onChange,
  label,
  none = "Nobody",
}: {
  value: string;
  onChange: (employeeId: string) => void;
  label: string;
  none?: string;
}) {
  const trpc = useTRPC();
  const employees = useQuery(trpc.provider.employees.list.queryOptions(undefined, { staleTime: 60_000 }));
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{none}</option>
        {(employees.data ?? []).map((e) => (
          <option key={e.id} value={e.id}>
            {e.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Common ISO 4217 codes offered in currency pickers (any other code can be typed where free text is allowed). */
export const COMMON_CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "JPY", "MXN", "BRL"];

/** A currency `<select>` of {@link COMMON_CURRENCIES} (plus `value` when it is another code). */
export function CurrencySelect({
  value,
  onChange,
  label = "Currency",
  allowNone,
}: {
  value: string;
  onChange: (currency: string) => void;
  label?: string;
  allowNone?: boolean;
}) {
  const options = COMMON_CURRENCIES.includes(value) || !value ? COMMON_CURRENCIES : [value, ...COMMON_CURRENCIES];
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {allowNone && <option value="">None</option>}
        {options.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );
}
