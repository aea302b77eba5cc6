/**
 * `/admin/tenants/:tenantId/success`: customer success for one tenant (customer-health.md) — the
 * timeline (engagements, support tickets, lifecycle, contract history, tasks, invoices), engagements with a log
 * form in place, goals with progress bars, contracts and open opportunities. Admins and account
 * managers write; other staff read. Data: `crm.*` with the tenant's id.
 */
import {
  CRM_ENGAGEMENT_OUTCOMES,
  CRM_ENGAGEMENT_TYPES,
  CRM_GOAL_METRIC_TYPES,
  CRM_GOAL_PERIODS,
  type CrmAttendee,
  type CrmEngagement,
  type CrmEngagementOutcome,
  type CrmEngagementType,
  type CrmGoal,
  type CrmTimelineItem,
  MEASURED_GOAL_METRIC_TYPES,
} from "@fleetcore/validators";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { Loading } from "../../../components/Guards";
import { ConfirmAction, DataTable, ErrorAlert, QueryTable, StatusBadge } from "../../../components/ui";
import {
  calendarDateFromInput,
  formatCalendarDate,
  formatDateTime,
  humanize,
  localDateTimeInputValue,
} from "../../../lib/format";
import { useTRPC, useTRPCClient } from "../../../lib/trpc";
import { AdminNav } from "../AdminNav";
import { ContractsTable, NewContractForm } from "./ContractsPage";
import { dateInputValue, dateTimeFromInput, Money, STAGE_LABELS, useCrmWriter } from "./shared";

type GoalManualStatus = "on_track" | "at_risk" | "missed";

export function TenantSuccessPage() {
  const { tenantId = "" } = useParams();
  const trpc = useTRPC();
  const detail = useQuery(trpc.provider.tenants.get.queryOptions({ tenantId }, { retry: false }));
  if (detail.isPending) return <Loading />;
  if (detail.isError) {
    return (
      <>
        <AdminNav />
        <section className="panel">
          <h1>Customer success</h1>
          <ErrorAlert error={detail.error} />
          <Link to="/admin/tenants">Back to tenants</Link>
        </section>
      </>
    );
  }
  const { tenant } = detail.data;
  return (
    <>
      <AdminNav />
      <p className="crumbs">
        <Link to="/admin/tenants">Tenants</Link> / <Link to={`/admin/tenants/${tenant.id}`}>{tenant.name}</Link> /
        Customer success
      </p>
      <section className="panel">
        <div className="panel-head">
          <h1>
            {tenant.name}: customer success <StatusBadge status={tenant.status} />
          </h1>
        </div>
      </section>
      <Opportunities tenantId={tenant.id} />
      <Goals tenantId={tenant.id} />
      <Engagements tenantId={tenant.id} />
      <TenantContracts tenantId={tenant.id} />
      <Timeline tenantId={tenant.id} />
    </>
  );
}

function Opportunities({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const opportunities = useQuery(trpc.crm.opportunities.list.queryOptions({ tenantId }));
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>Open opportunities</h2>
        <Link to="/admin/crm/pipeline">Pipeline</Link>
      </div>
      <QueryTable
        query={opportunities}
        label="Open opportunities"
        empty="No open opportunities."
        head={
          <>
            <th>Name</th>
            <th>Stage</th>
            <th className="num">Value</th>
            <th className="num">Probability</th>
            <th>Close date</th>
            <th>Account manager</th>
          </>
        }
      >
        {(rows) =>
          rows.map((o) => (
            <tr key={o.id}>
              <td>{o.name}</td>
              <td>{STAGE_LABELS[o.stage]}</td>
              <td className="num">
                <Money minor={o.estimatedValueMinor} currency={o.currency} />
              </td>
              <td className="num">{o.effectiveProbabilityPct} %</td>
              <td>{formatCalendarDate(o.closeDate)}</td>
              <td>{o.accountManagerName ?? "—"}</td>
            </tr>
          ))
        }
      </QueryTable>
    </section>
  );
}

function TenantContracts({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const canWrite = useCrmWriter();
  const contracts = useQuery(trpc.crm.contracts.list.queryOptions({ tenantId }));
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <>
      {creating && <NewContractForm tenantId={tenantId} onDone={() => setCreating(false)} />}
      <section className="panel">
        <div className="panel-head">
          <h2>Contracts</h2>
          {canWrite && !creating && (
            <button type="button" onClick={() => setCreating(true)}>
              New contract
            </button>
          )}
        </div>
        <ErrorAlert error={contracts.error} />
        {contracts.data && (
          <ContractsTable
            rows={contracts.data}
            label="Contracts"
            empty="No contracts recorded."
            openId={openId}
            onToggle={(id) => setOpenId((current) => (current === id ? null : id))}
            canWrite={canWrite}
            showTenant={false}
          />
        )}
      </section>
    </>
  );
}

/** A progress bar (current / target, the bar capped at 100 %) with its percent. */
function Progress({ goal }: { goal: CrmGoal }) {
  const shown = Math.min(100, Math.max(0, goal.progressPct));
  return (
    <div className="crm-progress">
      <div
        className="crm-progress-bar"
        role="progressbar"
        aria-label={`Progress of ${goal.title}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={shown}
      >
        <div
          className={`crm-progress-fill${goal.status === "achieved" ? " crm-progress-fill-done" : ""}`}
          style={{ width: `${shown}%` }}
        />
      </div>
      <span className="num">{goal.progressPct} %</span>
    </div>
  );
}

function useRefreshCrm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.crm.pathKey() });
}

/** A tenant's goals with progress bars, the new-goal form and inline updates (also on the health page). */
export function Goals({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const canWrite = useCrmWriter();
  const refresh = useRefreshCrm();
  const goals = useQuery(trpc.crm.goals.list.queryOptions({ tenantId }));
  const [creating, setCreating] = useState(false);
  const remove = useMutation(trpc.crm.goals.delete.mutationOptions({ onSuccess: refresh }));
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>Goals</h2>
        {canWrite && !creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New goal
          </button>
        )}
      </div>
      {creating && <GoalForm tenantId={tenantId} onDone={() => setCreating(false)} />}
      <QueryTable
        query={goals}
        label="Goals"
        empty="No goals set."
        head={
          <>
            <th>Goal</th>
            <th>Metric</th>
            <th className="num">Current / target</th>
            <th>Progress</th>
            <th>Status</th>
            <th>Target date</th>
            <th aria-label="Actions" />
          </>
        }
      >
        {(rows) =>
          rows.map((g) => (
            <tr key={g.id}>
              <td>
                <strong>{g.title}</strong>
                {g.description && <div className="muted">{g.description}</div>}
              </td>
              <td>
                {humanize(g.metricType)} · {g.measurementPeriod}
                {MEASURED_GOAL_METRIC_TYPES.includes(g.metricType) && (
                  <div className="muted">measured by Fleetcore</div>
                )}
              </td>
              <td className="num nowrap">
                {g.currentValue} / {g.targetValue} {g.unit ?? ""}
              </td>
              <td>
                <Progress goal={g} />
              </td>
              <td>
                <StatusBadge status={g.status} />
                {g.completionDate && <div className="muted">done {formatCalendarDate(g.completionDate)}</div>}
              </td>
              <td>{formatCalendarDate(g.targetDate)}</td>
              <td className="row-actions">
                {canWrite && (
                  <>
                    <GoalUpdate goal={g} />{" "}
                    <ConfirmAction mutation={remove} input={{ goalId: g.id }} action="Delete" subject={g.title} />
                  </>
                )}
              </td>
            </tr>
          ))
        }
      </QueryTable>
    </section>
  );
}

/** Inline update of a goal's current value, status and completion date. */
function GoalUpdate({ goal }: { goal: CrmGoal }) {
  const trpc = useTRPC();
  const refresh = useRefreshCrm();
  const [open, setOpen] = useState(false);
  const [current, setCurrent] = useState(String(goal.currentValue));
  const measured = MEASURED_GOAL_METRIC_TYPES.includes(goal.metricType);
  const [status, setStatus] = useState<GoalManualStatus>(goal.status === "achieved" ? "on_track" : goal.status);
  const [completion, setCompletion] = useState(dateInputValue(goal.completionDate));
  const update = useMutation(
    trpc.crm.goals.update.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await refresh();
      },
    }),
  );
  if (!open) {
    return (
      <button
        type="button"
        className="button-secondary"
        aria-label={`Update ${goal.title}`}
        onClick={() => setOpen(true)}
      >
        Update
      </button>
    );
  }
  return (
    <form
      className="stack-form"
      aria-label={`Update ${goal.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate({
          goalId: goal.id,
          ...(measured ? {} : { currentValue: Number(current) }),
          status,
          completionDate: completion ? calendarDateFromInput(completion) : null,
        });
      }}
    >
      <label>
        Current value
        <input
          type="number"
          step="0.01"
          required
          value={current}
          disabled={measured}
          onChange={(e) => setCurrent(e.target.value)}
        />
      </label>
      {measured && <p className="muted">Measured by Fleetcore every few minutes: it cannot be typed in.</p>}
      <label>
        Status
        <select value={status} onChange={(e) => setStatus(e.target.value as GoalManualStatus)}>
          <option value="on_track">on track</option>
          <option value="at_risk">at risk</option>
          <option value="missed">missed</option>
        </select>
      </label>
      <label>
        Completion date
        <input type="date" value={completion} onChange={(e) => setCompletion(e.target.value)} />
      </label>
      <p className="muted">
        Achieved is set automatically once current ≥ target; missed once the target date passes without it.
      </p>
      <span>
        <button type="submit" disabled={update.isPending}>
          Save
        </button>{" "}
        <button type="button" className="button-secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </span>
      <ErrorAlert error={update.error} />
    </form>
  );
}

function GoalForm({ tenantId, onDone }: { tenantId: string; onDone: () => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshCrm();
  const [form, setForm] = useState({
    title: "",
    description: "",
    metricType: "adoption" as (typeof CRM_GOAL_METRIC_TYPES)[number],
    currentValue: "0",
    targetValue: "",
    unit: "",
    measurementPeriod: "quarterly" as (typeof CRM_GOAL_PERIODS)[number],
    targetDate: "",
  });
  const create = useMutation(
    trpc.crm.goals.create.mutationOptions({
      onSuccess: async () => {
        await refresh();
        onDone();
      },
    }),
  );
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      tenantId,
      title: form.title,
      description: form.description.trim() || null,
      metricType: form.metricType,
      currentValue: Number(form.currentValue),
      targetValue: Number(form.targetValue),
      unit: form.unit.trim() || null,
      measurementPeriod: form.measurementPeriod,
      targetDate: form.targetDate ? calendarDateFromInput(form.targetDate) : null,
    });
  };
  return (
    <form className="grid-form" aria-label="New goal" onSubmit={onSubmit}>
      <label>
        Title
        <input required maxLength={200} value={form.title} onChange={set("title")} />
      </label>
      <label>
        Metric
        <select value={form.metricType} onChange={set("metricType")}>
          {CRM_GOAL_METRIC_TYPES.map((m) => (
            <option key={m} value={m}>
              {humanize(m)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Current value
        <input type="number" step="0.01" required value={form.currentValue} onChange={set("currentValue")} />
      </label>
      <label>
        Target value
        <input type="number" step="0.01" min={0} required value={form.targetValue} onChange={set("targetValue")} />
      </label>
      <label>
        Unit
        <input maxLength={40} value={form.unit} onChange={set("unit")} placeholder="vehicles, %, USD…" />
      </label>
      <label>
        Period
        <select value={form.measurementPeriod} onChange={set("measurementPeriod")}>
          {CRM_GOAL_PERIODS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        Target date
        <input type="date" value={form.targetDate} onChange={set("targetDate")} />
      </label>
      <label className="span-all">
        Description
        <textarea rows={2} value={form.description} onChange={set("description")} />
      </label>
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          Create goal
        </button>
        <button type="button" className="button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ErrorAlert error={create.error} />
    </form>
  );
}

function Engagements({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const canWrite = useCrmWriter();
  const refresh = useRefreshCrm();
  const [type, setType] = useState<CrmEngagementType | "">("");
  const [outcome, setOutcome] = useState<CrmEngagementOutcome | "">("");
  const [editing, setEditing] = useState<CrmEngagement | null>(null);
  const engagements = useQuery(
    trpc.crm.engagements.list.queryOptions({ tenantId, type: type || undefined, outcome: outcome || undefined }),
  );
  const remove = useMutation(trpc.crm.engagements.delete.mutationOptions({ onSuccess: refresh }));
  return (
    <section className="panel">
      <h2>Engagements</h2>
      {canWrite && (
        <EngagementForm
          key={editing?.id ?? "new"}
          tenantId={tenantId}
          engagement={editing}
          onDone={() => setEditing(null)}
        />
      )}
      <search className="filters">
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value as CrmEngagementType | "")}>
            <option value="">All</option>
            {CRM_ENGAGEMENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select value={outcome} onChange={(e) => setOutcome(e.target.value as CrmEngagementOutcome | "")}>
            <option value="">All</option>
            {CRM_ENGAGEMENT_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {humanize(o)}
              </option>
            ))}
          </select>
        </label>
      </search>
      <QueryTable
        query={engagements}
        label="Engagements"
        empty="No engagements logged."
        head={
          <>
            <th>When</th>
            <th>Type</th>
            <th>Title</th>
            <th>Outcome</th>
            <th>Attendees</th>
            <th>Logged by</th>
            <th aria-label="Actions" />
          </>
        }
      >
        {(rows) =>
          rows.map((e) => (
            <tr key={e.id} id={`engagement-${e.id}`}>
              <td className="nowrap">
                {formatDateTime(e.occurredAt)}
                {!e.completedAt && e.scheduledAt && <span className="tag">scheduled</span>}
              </td>
              <td>{e.type}</td>
              <td>
                <strong>{e.title}</strong>
                {e.description && <div className="muted">{e.description}</div>}
              </td>
              <td>{e.outcome ? <StatusBadge status={e.outcome} /> : "—"}</td>
              <td>{e.attendees.map((a) => (a.role ? `${a.name} (${a.role})` : a.name)).join(", ") || "—"}</td>
              <td>{e.createdByEmail ?? "—"}</td>
              <td className="row-actions">
                {canWrite && (
                  <>
                    <button
                      type="button"
                      className="button-secondary"
                      aria-label={`Edit ${e.title}`}
                      onClick={() => setEditing(e)}
                    >
                      Edit
                    </button>{" "}
                    <ConfirmAction mutation={remove} input={{ engagementId: e.id }} action="Delete" subject={e.title} />
                  </>
                )}
              </td>
            </tr>
          ))
        }
      </QueryTable>
    </section>
  );
}

const NO_ATTENDEE: CrmAttendee = { name: "", email: "", role: "" };

/** Logs an engagement (or edits `engagement`), in place on the page (also on the health page). */
export function EngagementForm({
  tenantId,
  engagement,
  onDone,
}: {
  tenantId: string;
  engagement: CrmEngagement | null;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshCrm();
  const [type, setType] = useState<CrmEngagementType>(engagement?.type ?? "call");
  const [title, setTitle] = useState(engagement?.title ?? "");
  const [description, setDescription] = useState(engagement?.description ?? "");
  const [outcome, setOutcome] = useState<CrmEngagementOutcome | "">(engagement?.outcome ?? "");
  const [scheduledAt, setScheduledAt] = useState(
    engagement?.scheduledAt ? localDateTimeInputValue(engagement.scheduledAt) : "",
  );
  const [completedAt, setCompletedAt] = useState(() => {
    const at = engagement ? engagement.completedAt : new Date();
    return at ? localDateTimeInputValue(at) : "";
  });
  const [attendees, setAttendees] = useState<CrmAttendee[]>(engagement?.attendees ?? []);
  const onSuccess = async () => {
    setTitle("");
    setDescription("");
    setOutcome("");
    setAttendees([]);
    await refresh();
    onDone();
  };
  const create = useMutation(trpc.crm.engagements.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.crm.engagements.update.mutationOptions({ onSuccess }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const fields = {
      type,
      title,
      description: description.trim() || null,
      outcome: outcome || null,
      scheduledAt: dateTimeFromInput(scheduledAt),
      completedAt: dateTimeFromInput(completedAt),
      attendees: attendees.filter((a) => a.name.trim()),
    };
    if (engagement) update.mutate({ engagementId: engagement.id, ...fields });
    else create.mutate({ tenantId, ...fields });
  };
  const label = engagement ? `Edit ${engagement.title}` : "Log engagement";
  const setAttendee = (i: number, key: keyof CrmAttendee, value: string) =>
    setAttendees((list) => list.map((a, j) => (j === i ? { ...a, [key]: value } : a)));
  return (
    <form className="grid-form" aria-label={label} onSubmit={onSubmit}>
      <label>
        Type
        <select value={type} onChange={(e) => setType(e.target.value as CrmEngagementType)}>
          {CRM_ENGAGEMENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label>
        Title
        <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        Outcome
        <select value={outcome} onChange={(e) => setOutcome(e.target.value as CrmEngagementOutcome | "")}>
          <option value="">Not yet known</option>
          {CRM_ENGAGEMENT_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {humanize(o)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Scheduled for
        <input type="datetime-local" value={scheduledAt} onChange={(e) => setScheduledAt(e.target.value)} />
      </label>
      <label>
        Completed at
        <input type="datetime-local" value={completedAt} onChange={(e) => setCompletedAt(e.target.value)} />
      </label>
      <label className="span-all">
        Notes
        <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      {attendees.map((a, i) => (
        <fieldset key={i} className="crm-attendee">
          <legend className="sr-only">Attendee {i + 1}</legend>
          <label>
            Attendee {i + 1} name
            <input required value={a.name} onChange={(e) => setAttendee(i, "name", e.target.value)} />
          </label>
          <label>
            Attendee {i + 1} email
            <input type="email" value={a.email} onChange={(e) => setAttendee(i, "email", e.target.value)} />
          </label>
          <label>
            Attendee {i + 1} role
            <input value={a.role} onChange={(e) => setAttendee(i, "role", e.target.value)} />
          </label>
          <button
            type="button"
            className="button-secondary"
            aria-label={`Remove attendee ${i + 1}`}
            onClick={() => setAttendees((list) => list.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" className="button-secondary" onClick={() => setAttendees((l) => [...l, NO_ATTENDEE])}>
          Add attendee
        </button>
        <button type="submit" disabled={create.isPending || update.isPending}>
          {engagement ? "Save engagement" : "Log engagement"}
        </button>
        {engagement && (
          <button type="button" className="button-secondary" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
      <ErrorAlert error={create.error ?? update.error} />
    </form>
  );
}

const KIND_LABELS: Record<CrmTimelineItem["kind"], string> = {
  engagement: "Engagement",
  ticket_opened: "Ticket",
  ticket_resolved: "Ticket",
  lifecycle: "Lifecycle",
  contract: "Contract",
  task_created: "Task",
  task_done: "Task",
  invoice_issued: "Invoice",
  invoice_paid: "Invoice",
};

/** The tenant's merged timeline, paged by time (also on the health page). */
export function Timeline({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  // Pages continue from the previous page's `nextBefore` (the procedure pages by time, not by cursor).
  const timeline = useInfiniteQuery({
    queryKey: [...trpc.crm.timeline.queryKey({ tenantId }), "pages"],
    queryFn: ({ pageParam }) => client.crm.timeline.query({ tenantId, limit: 25, before: pageParam }),
    initialPageParam: undefined as Date | undefined,
    getNextPageParam: (page) => page.nextBefore ?? undefined,
  });
  const items = timeline.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="panel">
      <h2>Timeline</h2>
      <ErrorAlert error={timeline.error} />
      {timeline.isPending && <p className="muted">Loading…</p>}
      {!timeline.isPending && items.length === 0 && <p className="muted">Nothing has happened yet.</p>}
      {items.length > 0 && (
        <DataTable
          rows={items}
          label="Timeline"
          head={
            <>
              <th>When</th>
              <th>Kind</th>
              <th>What</th>
            </>
          }
        >
          {(rows) =>
            rows.map((item) => (
              <tr key={item.id}>
                <td className="nowrap">
                  <time dateTime={item.occurredAt.toISOString()}>{formatDateTime(item.occurredAt)}</time>
                </td>
                <td>
                  <span className="tag">{KIND_LABELS[item.kind]}</span>
                </td>
                <td>
                  {item.link ? <Link to={item.link}>{item.title}</Link> : item.title}
                  {item.detail && <div className="muted">{item.detail}</div>}
                </td>
              </tr>
            ))
          }
        </DataTable>
      )}
      {timeline.hasNextPage && (
        <button
          type="button"
          className="button-secondary"
          disabled={timeline.isFetchingNextPage}
          onClick={() => timeline.fetchNextPage()}
        >
          {timeline.isFetchingNextPage ? "Loading…" : "Older"}
        </button>
      )}
    </section>
  );
}
