/**
 * `/admin/crm/contracts`: customer contracts — every contract (status filter, search) or the
 * renewals due in the next 30/60/90 days; create, edit status (pending renewal, back to active,
 * expired, terminated with a reason), renew, upload a signed PDF (POST /api/files, then
 * `attachDocument`) and download it (GET /api/files/:id), with each
 * contract's history. `?contract=<id>` opens that contract's details (links from the timeline).
 * Data: `crm.contracts.*` (packages/core/src/crm/contracts.ts). Admins and account managers write.
 */
import {
  CRM_CONTRACT_DOCUMENT_MAX_BYTES,
  CRM_CONTRACT_STATUSES,
  CRM_CONTRACT_TRANSITIONS,
  type CrmContract,
  type CrmContractStatus,
} from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, Fragment, useDeferredValue, useState } from "react";
import { Link } from "react-router";
import { DataTable, ErrorAlert, StatusBadge } from "../../../components/ui";
import {
  calendarDateFromInput,
  formatCalendarDate,
  formatDateTime,
  humanize,
  localDayFromTodayInputValue,
  todayInputValue,
} from "../../../lib/format";
import { moneyInputValue } from "../../../lib/money";
import { useSearchParamsUpdater } from "../../../lib/searchParams";
import { fileUrl, uploadFiles } from "../../../lib/support";
import { useTRPC, useTRPCClient } from "../../../lib/trpc";
import { AdminNav } from "../AdminNav";
import { CurrencySelect, dateInputValue, Money, parseMoneyField, TenantSelect, useCrmWriter } from "./shared";

const WINDOWS = [30, 60, 90] as const;
type Window = (typeof WINDOWS)[number];

export function ContractsPage() {
  const trpc = useTRPC();
  const canWrite = useCrmWriter();
  const [params, setParam] = useSearchParamsUpdater();
  const view = params.get("view") === "renewals" ? "renewals" : "all";
  const windowDays = (WINDOWS as readonly number[]).includes(Number(params.get("days")))
    ? (Number(params.get("days")) as Window)
    : 30;
  const openId = params.get("contract");
  const [status, setStatus] = useState<CrmContractStatus | "">("");
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  const [creating, setCreating] = useState(false);
  const all = useQuery(
    trpc.crm.contracts.list.queryOptions(
      { status: status || undefined, search: deferredSearch || undefined },
      { enabled: view === "all" },
    ),
  );
  const due = useQuery(
    trpc.crm.contracts.renewalsDue.queryOptions({ days: windowDays }, { enabled: view === "renewals" }),
  );
  const query = view === "all" ? all : due;
  return (
    <>
      <AdminNav />
      {creating && <NewContractForm onDone={() => setCreating(false)} />}
      <section className="panel">
        <div className="panel-head">
          <h1>Contracts</h1>
          {canWrite && !creating && (
            <button type="button" onClick={() => setCreating(true)}>
              New contract
            </button>
          )}
        </div>
        <div className="filters">
          <fieldset className="crm-segmented">
            <legend className="sr-only">View</legend>
            <button
              type="button"
              className="button-secondary"
              aria-pressed={view === "all"}
              onClick={() => setParam({ view: null, days: null })}
            >
              All contracts
            </button>
            <button
              type="button"
              className="button-secondary"
              aria-pressed={view === "renewals"}
              onClick={() => setParam({ view: "renewals" })}
            >
              Renewals due
            </button>
          </fieldset>
          {view === "renewals" ? (
            <fieldset className="crm-segmented">
              <legend className="sr-only">Renewal window</legend>
              {WINDOWS.map((d) => (
                <button
                  key={d}
                  type="button"
                  className="button-secondary"
                  aria-pressed={windowDays === d}
                  onClick={() => setParam({ view: "renewals", days: String(d) })}
                >
                  {d} days
                </button>
              ))}
            </fieldset>
          ) : (
            <>
              <label>
                Status
                <select value={status} onChange={(e) => setStatus(e.target.value as CrmContractStatus | "")}>
                  <option value="">All</option>
                  {CRM_CONTRACT_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {humanize(s)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Search
                <input
                  type="search"
                  value={search}
                  placeholder="Plan or tenant"
                  onChange={(e) => setSearch(e.target.value)}
                />
              </label>
            </>
          )}
        </div>
        {view === "renewals" && (
          <p className="muted">
            Active or pending-renewal contracts expiring within {windowDays} days that have not been renewed yet.
          </p>
        )}
        {query.isPending && <p className="muted">Loading…</p>}
        <ErrorAlert error={query.error} />
        {query.data && (
          <ContractsTable
            rows={query.data}
            label={view === "all" ? "Contracts" : `Renewals due in ${windowDays} days`}
            empty={view === "all" ? "No contracts match." : `No renewals due in the next ${windowDays} days.`}
            openId={openId}
            onToggle={(id) => setParam({ contract: openId === id ? null : id })}
            canWrite={canWrite}
          />
        )}
      </section>
    </>
  );
}

/** A table of contracts with expandable details; also used by the tenant's success page. */
export function ContractsTable({
  rows,
  label,
  empty,
  openId,
  onToggle,
  canWrite,
  showTenant = true,
}: {
  rows: CrmContract[];
  label: string;
  empty: string;
  openId: string | null;
  onToggle: (id: string) => void;
  canWrite: boolean;
  showTenant?: boolean;
}) {
  const columns = showTenant ? 8 : 7;
  return (
    <DataTable
      rows={rows}
      label={label}
      empty={empty}
      head={
        <>
          {showTenant && <th>Tenant</th>}
          <th>Plan</th>
          <th>Term</th>
          <th className="num">Days left</th>
          <th className="num">Annual value</th>
          <th>Status</th>
          <th>Document</th>
          <th aria-label="Actions" />
        </>
      }
    >
      {(list) =>
        list.map((c) => (
          <Fragment key={c.id}>
            <tr>
              {showTenant && (
                <td>
                  <Link to={`/admin/tenants/${c.tenantId}/success`}>{c.tenantName}</Link>
                </td>
              )}
              <td>
                {c.planName}
                {c.autoRenew && <span className="tag">auto-renew</span>}
                {c.renewsContractId && <span className="tag">renewal</span>}
              </td>
              <td className="nowrap">
                {formatCalendarDate(c.effectiveDate)} – {formatCalendarDate(c.expiryDate)}
              </td>
              <td className="num">{c.status === "active" || c.status === "pending_renewal" ? c.daysToExpiry : "—"}</td>
              <td className="num">
                <Money minor={c.annualValueMinor} currency={c.currency} />
              </td>
              <td>
                <StatusBadge status={c.status} />
                {c.renewedByContractId && <span className="tag tag-ok">renewed</span>}
              </td>
              <td>{c.document ? <DocumentLink document={c.document} /> : <span className="muted">—</span>}</td>
              <td className="row-actions">
                <button
                  type="button"
                  className="button-secondary"
                  aria-expanded={openId === c.id}
                  aria-label={`Details of ${c.planName} for ${c.tenantName}`}
                  onClick={() => onToggle(c.id)}
                >
                  {openId === c.id ? "Hide" : "Details"}
                </button>
              </td>
            </tr>
            {openId === c.id && (
              <tr className="crm-detail">
                <td colSpan={columns}>
                  <ContractDetails contractId={c.id} canWrite={canWrite} />
                </td>
              </tr>
            )}
          </Fragment>
        ))
      }
    </DataTable>
  );
}

/** The contract's document as a link to `GET /api/files/:id` (sent as an attachment). */
function DocumentLink({ document }: { document: NonNullable<CrmContract["document"]> }) {
  return (
    <a href={fileUrl(document.fileId)} download={document.fileName} aria-label={`Download ${document.fileName}`}>
      {document.fileName}
    </a>
  );
}

function useRefreshContracts() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.crm.contracts.pathKey() });
}

function ContractDetails({ contractId, canWrite }: { contractId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.crm.contracts.get.queryOptions({ contractId }));
  if (detail.isPending) return <p className="muted">Loading…</p>;
  if (detail.isError) return <ErrorAlert error={detail.error} />;
  const c = detail.data;
  const live = c.status === "active" || c.status === "pending_renewal";
  return (
    <div className="columns">
      <section>
        <h3>Terms</h3>
        {c.terms ? <p className="pre-wrap">{c.terms}</p> : <p className="muted">No terms recorded.</p>}
        {c.terminationReason && <p className="error">Terminated: {c.terminationReason}</p>}
        <h3>History</h3>
        <ol className="timeline" aria-label="Contract history">
          {c.events.map((e) => (
            <li key={e.id}>
              <time dateTime={e.occurredAt.toISOString()}>{formatDateTime(e.occurredAt)}</time>
              <div>
                <strong>{humanize(e.kind)}</strong>
                {(e.fromStatus || e.toStatus) && (
                  <span className="muted">
                    {" "}
                    {e.fromStatus ? humanize(e.fromStatus) : "—"} → {e.toStatus ? humanize(e.toStatus) : "—"}
                  </span>
                )}
                {typeof e.details.reason === "string" && <p className="timeline-reason">“{e.details.reason}”</p>}
                <p className="muted">{e.actorEmail ? `by ${e.actorEmail}` : "automatic"}</p>
              </div>
            </li>
          ))}
        </ol>
      </section>
      {canWrite && (
        <section>
          {live && <StatusForm contract={c} />}
          {live && !c.renewedByContractId && <RenewForm contract={c} />}
          <UploadForm contract={c} />
        </section>
      )}
    </div>
  );
}

function StatusForm({ contract }: { contract: CrmContract }) {
  const trpc = useTRPC();
  const refresh = useRefreshContracts();
  const options = CRM_CONTRACT_TRANSITIONS[contract.status];
  const [status, setStatus] = useState<CrmContractStatus>(options[0] ?? contract.status);
  const [reason, setReason] = useState("");
  const change = useMutation(
    trpc.crm.contracts.changeStatus.mutationOptions({
      onSuccess: async () => {
        setReason("");
        await refresh();
      },
    }),
  );
  if (options.length === 0) return null;
  return (
    <form
      className="stack-form"
      aria-label="Change contract status"
      onSubmit={(e) => {
        e.preventDefault();
        change.mutate({ contractId: contract.id, status, reason: reason.trim() || undefined });
      }}
    >
      <h3>Status</h3>
      <label>
        New status
        <select value={status} onChange={(e) => setStatus(e.target.value as CrmContractStatus)}>
          {options.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Reason{status === "terminated" ? "" : " (optional)"}
        <input
          required={status === "terminated"}
          maxLength={1000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      <button type="submit" disabled={change.isPending}>
        {status === "terminated" ? "Terminate contract" : "Change status"}
      </button>
      <ErrorAlert error={change.error} />
    </form>
  );
}

function RenewForm({ contract }: { contract: CrmContract }) {
  const trpc = useTRPC();
  const refresh = useRefreshContracts();
  const start = new Date(contract.expiryDate.getTime() + 86_400_000);
  const oneYear = new Date(Date.UTC(start.getUTCFullYear() + 1, start.getUTCMonth(), start.getUTCDate() - 1));
  const currency = contract.currency ?? "USD";
  const [expiry, setExpiry] = useState(dateInputValue(oneYear));
  const [planName, setPlanName] = useState(contract.planName);
  const [value, setValue] = useState(moneyInputValue(contract.annualValueMinor, currency));
  const [problem, setProblem] = useState<string | null>(null);
  const renew = useMutation(trpc.crm.contracts.renew.mutationOptions({ onSuccess: refresh }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const money = parseMoneyField(value, currency);
    if (!money.ok) {
      setProblem(money.problem);
      return;
    }
    const minor = money.minor;
    if (!expiry) return;
    const expiryDate = calendarDateFromInput(expiry);
    setProblem(null);
    renew.mutate({
      contractId: contract.id,
      expiryDate,
      planName,
      annualValueMinor: minor,
      currency: minor === null ? contract.currency : currency,
    });
  };
  return (
    <form className="stack-form" aria-label="Renew contract" onSubmit={onSubmit}>
      <h3>Renew</h3>
      <p className="muted">The renewal starts on {formatCalendarDate(start)}; this contract expires at its end date.</p>
      <label>
        Plan
        <input required value={planName} onChange={(e) => setPlanName(e.target.value)} />
      </label>
      <label>
        New expiry date
        <input type="date" required value={expiry} onChange={(e) => setExpiry(e.target.value)} />
      </label>
      <label>
        Annual value ({currency})
        <input inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} />
      </label>
      <button type="submit" disabled={renew.isPending}>
        {renew.isPending ? "Renewing…" : "Renew contract"}
      </button>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <ErrorAlert error={renew.error} />
    </form>
  );
}

/**
 * Uploads a signed PDF through `POST /api/files` (provider-only, into the contract's tenant), then
 * makes it the contract's document with `crm.contracts.attachDocument`.
 */
function UploadForm({ contract }: { contract: CrmContract }) {
  const client = useTRPCClient();
  const refresh = useRefreshContracts();
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: async (pdf: File) => {
      const [stored] = await uploadFiles([pdf], contract.tenantId);
      if (!stored) throw new Error(`${pdf.name}: upload failed`);
      return client.crm.contracts.attachDocument.mutate({ contractId: contract.id, fileId: stored.id });
    },
    onSuccess: refresh,
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    if (file.size > CRM_CONTRACT_DOCUMENT_MAX_BYTES) {
      setProblem("The document may be at most 10 MB.");
      return;
    }
    setProblem(null);
    upload.mutate(file);
  };
  return (
    <form className="stack-form" aria-label="Upload contract document" onSubmit={onSubmit}>
      <h3>Document</h3>
      <label>
        Signed contract (PDF, at most 10 MB)
        <input type="file" accept="application/pdf,.pdf" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </label>
      <button type="submit" disabled={!file || upload.isPending}>
        {upload.isPending ? "Uploading…" : contract.document ? "Replace document" : "Upload document"}
      </button>
      {upload.isSuccess && (
        <p className="success" role="status">
          Document stored.
        </p>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <ErrorAlert error={upload.error} />
    </form>
  );
}

/** Creates a contract for a tenant (optionally `tenantId` fixed, from the tenant's page). */
export function NewContractForm({ onDone, tenantId: fixedTenant }: { onDone: () => void; tenantId?: string }) {
  const trpc = useTRPC();
  const refresh = useRefreshContracts();
  const [tenantId, setTenantId] = useState(fixedTenant ?? "");
  const [planName, setPlanName] = useState("");
  const [effective, setEffective] = useState(todayInputValue);
  // A one-year term by default: to the day before the same date next year.
  const [expiry, setExpiry] = useState(() => localDayFromTodayInputValue({ years: 1, days: -1 }));
  const [value, setValue] = useState("");
  const [currency, setCurrency] = useState("USD");
  const [terms, setTerms] = useState("");
  const [autoRenew, setAutoRenew] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(
    trpc.crm.contracts.create.mutationOptions({
      onSuccess: async () => {
        await refresh();
        onDone();
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const money = parseMoneyField(value, currency);
    if (!money.ok) {
      setProblem(money.problem);
      return;
    }
    const minor = money.minor;
    if (!effective || !expiry) return;
    const effectiveDate = calendarDateFromInput(effective);
    const expiryDate = calendarDateFromInput(expiry);
    setProblem(null);
    create.mutate({
      tenantId,
      planName,
      effectiveDate,
      expiryDate,
      annualValueMinor: minor,
      currency: minor === null ? null : currency,
      terms: terms.trim() || null,
      autoRenew,
    });
  };
  return (
    <section className="panel">
      <h2>New contract</h2>
      <form className="grid-form" aria-label="New contract" onSubmit={onSubmit}>
        {!fixedTenant && <TenantSelect value={tenantId} onChange={setTenantId} required />}
        <label>
          Plan
          <input required maxLength={120} value={planName} onChange={(e) => setPlanName(e.target.value)} />
        </label>
        <label>
          Effective date
          <input type="date" required value={effective} onChange={(e) => setEffective(e.target.value)} />
        </label>
        <label>
          Expiry date
          <input type="date" required value={expiry} onChange={(e) => setExpiry(e.target.value)} />
        </label>
        <label>
          Annual value
          <input inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <CurrencySelect value={currency} onChange={setCurrency} />
        <label>
          <span>
            <input type="checkbox" checked={autoRenew} onChange={(e) => setAutoRenew(e.target.checked)} /> Renews
            automatically
          </span>
        </label>
        <label className="span-all">
          Terms
          <textarea rows={3} value={terms} onChange={(e) => setTerms(e.target.value)} />
        </label>
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create contract"}
          </button>
          <button type="button" className="button-secondary" onClick={onDone}>
            Cancel
          </button>
        </div>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <ErrorAlert error={create.error} />
      </form>
    </section>
  );
}
