/**
 * Pieces shared by the CRM pages: who may write, tenant and employee pickers, money display and
 * input, calendar-date and local date-time conversions for form inputs (the browser-local helpers
 * are in lib/format.ts).
 */
import { CRM_OPEN_STAGES, CRM_PIPELINE_STAGES, type CrmOpenStage, type CrmPipelineStage } from "@fleetcore/validators";
import { useQuery } from "@tanstack/react-query";
import { useSignedIn } from "../../../components/Guards";
import { calendarDateFromInput } from "../../../lib/format";
import { formatMoney, minorDigits, parseMoneyInput } from "../../../lib/money";
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

/**
 * A money field's text → integer minor units of `currency` (empty → null unless `required`), or the
 * sentence to show when it is not an amount with at most the currency's minor-unit digits.
 */
export function parseMoneyField(
  value: string,
  currency: string,
  opts: { required?: boolean } = {},
): { ok: true; minor: bigint | null } | { ok: false; problem: string } {
  if (!value.trim() && !opts.required) return { ok: true, minor: null };
  const minor = parseMoneyInput(value, currency);
  return minor === null
    ? {
        ok: false,
        problem: `Enter the value as an amount of ${currency} with at most ${minorDigits(currency)} decimals.`,
      }
    : { ok: true, minor };
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

/** The text of the fields an opportunity form and lead conversion share (see {@link OpportunityFields}). */
export interface OpportunityFieldValues {
  name: string;
  /** "" for none. */
  tenantId: string;
  /** The estimated annual value as typed, in `currency`. */
  value: string;
  currency: string;
  /** `<input type="date">` value. */
  closeDate: string;
  stage: CrmOpenStage;
}

/**
 * The shared opportunity fields of a `grid-form`: name, tenant, estimated annual value, currency,
 * expected close date and (with `showStage`) the open stage to start in.
 */
export function OpportunityFields({
  values,
  onChange,
  nameLabel = "Name",
  tenantLabel = "Tenant",
  tenantNone,
  showStage,
}: {
  values: OpportunityFieldValues;
  onChange: (next: OpportunityFieldValues) => void;
  nameLabel?: string;
  tenantLabel?: string;
  tenantNone: string;
  showStage: boolean;
}) {
  const set = <K extends keyof OpportunityFieldValues>(key: K, value: OpportunityFieldValues[K]) =>
    onChange({ ...values, [key]: value });
  return (
    <>
      <label>
        {nameLabel}
        <input required maxLength={200} value={values.name} onChange={(e) => set("name", e.target.value)} />
      </label>
      <TenantSelect
        label={tenantLabel}
        value={values.tenantId}
        onChange={(v) => set("tenantId", v)}
        none={tenantNone}
      />
      <label>
        Estimated annual value
        <input required inputMode="decimal" value={values.value} onChange={(e) => set("value", e.target.value)} />
      </label>
      <CurrencySelect value={values.currency} onChange={(v) => set("currency", v)} />
      <label>
        Expected close date
        <input type="date" required value={values.closeDate} onChange={(e) => set("closeDate", e.target.value)} />
      </label>
      {showStage && (
        <label>
          Stage
          <select value={values.stage} onChange={(e) => set("stage", e.target.value as CrmOpenStage)}>
            {CRM_OPEN_STAGES.map((s) => (
              <option key={s} value={s}>
                {STAGE_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}

/**
 * {@link OpportunityFieldValues} as request fields (value in minor units, close date as UTC
 * midnight, no tenant → null), or the problem to show.
 */
export function opportunityFieldsInput(v: OpportunityFieldValues):
  | {
      ok: true;
      fields: {
        name: string;
        tenantId: string | null;
        estimatedValueMinor: bigint;
        currency: string;
        closeDate: Date;
        stage: CrmOpenStage;
      };
    }
  | { ok: false; problem: string } {
  const money = parseMoneyField(v.value, v.currency, { required: true });
  if (!money.ok) return money;
  if (money.minor === null || !v.closeDate) return { ok: false, problem: "Enter the value and the close date." };
  return {
    ok: true,
    fields: {
      name: v.name,
      tenantId: v.tenantId || null,
      estimatedValueMinor: money.minor,
      currency: v.currency,
      closeDate: calendarDateFromInput(v.closeDate),
      stage: v.stage,
    },
  };
}
