/**
 * `/admin/portfolio/:tenantId`: one tenant's health (issue 8 "Tenant detail") — the score with its
 * band, trends and churn risk; the score history with the four component lines; the component
 * breakdown with the reason sentences and weights; the churn drivers and horizon; activity charts
 * (logins, active vehicles, positions, messages); open tasks and alerts; goals; "Log engagement" in
 * place and the timeline (engagements, tickets, lifecycle, contracts, invoices, tasks) — the last
 * three are the customer success page's own components. The history range is in the URL
 * (`?range=90d|1y|2y`). Data: `portfolio.tenant`, `.scoreHistory`, `.activity`, `.alerts`,
 * `.tasks.*`, `crm.*`, and `healthProfiles.forTenant` (the profile the next scoring run applies).
 */
import type { PortfolioActivityPoint } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Loading } from "../../../components/Guards";
import { DataTable, ErrorAlert, MutationButton, StatusBadge } from "../../../components/ui";
import { formatCalendarDate, formatDate, humanize } from "../../../lib/format";
import { useTRPC } from "../../../lib/trpc";
import { AdminNav } from "../AdminNav";
import { Money, useCrmWriter } from "../crm/shared";
import { EngagementForm, Goals, Timeline } from "../crm/TenantSuccessPage";
import { BandChip, COMPONENT_COLORS, COMPONENT_LABELS, churnText, TrendArrow } from "./shared";

const DAY_MS = 86_400_000;
const RANGES = [
  { key: "90d", label: "90 days", days: 90 },
  { key: "1y", label: "1 year", days: 365 },
  { key: "2y", label: "2 years", days: 730 },
] as const;

/** Today's UTC midnight (score days are UTC calendar days). */
function utcToday(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

const dayLabel = (ms: number) => formatCalendarDate(new Date(ms));

export function TenantHealthPage() {
  const { tenantId = "" } = useParams();
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const range = RANGES.find((r) => r.key === params.get("range")) ?? RANGES[0];
  const to = utcToday();
  const from = new Date(to.getTime() - (range.days - 1) * DAY_MS);
  const health = useQuery(trpc.portfolio.tenant.queryOptions({ tenantId }, { retry: false }));
  // The profile the next scoring run applies (it may differ from the stored score's after a profile change).
  const nextProfile = useQuery(trpc.healthProfiles.forTenant.queryOptions({ tenantId }, { retry: false }));
  if (health.isPending) return <Loading />;
  if (health.isError) {
    return (
      <>
        <AdminNav />
        <section className="panel">
          <h1>Tenant health</h1>
          <ErrorAlert error={health.error} />
          <Link to="/admin/portfolio">Back to the portfolio</Link>
        </section>
      </>
    );
  }
  const { row, components, churnDrivers } = health.data;
  return (
    <>
      <AdminNav />
      <p className="crumbs">
        <Link to="/admin/portfolio">Portfolio</Link> / {row.name}
      </p>
      <section className="panel">
        <div className="panel-head">
          <h1>
            {row.name} <BandChip band={row.band} score={row.score} />
          </h1>
          <span className="panel-actions" style={{ margin: 0 }}>
            <Link to={`/admin/tenants/${row.tenantId}`}>Tenant admin</Link>
            <Link to={`/admin/tenants/${row.tenantId}/success`}>Customer success</Link>
          </span>
        </div>
        <dl className="facts facts-inline">
          <dt>Trend 7 days</dt>
          <dd>
            <TrendArrow delta={row.trend7} />
          </dd>
          <dt>Trend 30 days</dt>
          <dd>
            <TrendArrow delta={row.trend30} days={30} />
          </dd>
          <dt>Churn risk</dt>
          <dd>{churnText(row.churnRisk, row.churnHorizonDays)}</dd>
          <dt>ARR</dt>
          <dd>
            <Money minor={row.arrMinor} currency={row.currency} />
          </dd>
          <dt>Renewal</dt>
          <dd>{formatCalendarDate(row.renewalDate)}</dd>
          <dt>Last engagement</dt>
          <dd>{formatDate(row.lastEngagementAt)}</dd>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={row.status} />
          </dd>
          <dt>Profile</dt>
          <dd>
            {row.profile ? <Link to="/admin/health/profiles">{row.profile}</Link> : "—"}
            {nextProfile.data && nextProfile.data.profile.name !== row.profile && (
              <span className="muted">
                {" "}
                (next run: <Link to="/admin/health/profiles">{nextProfile.data.profile.name}</Link>)
              </span>
            )}
          </dd>
          <dt>Account managers</dt>
          <dd>{row.accountManagers.map((m) => `${m.name} (${humanize(m.role)})`).join(", ") || "—"}</dd>
        </dl>
        {row.day && <p className="muted hint">Scored on {formatCalendarDate(row.day)}.</p>}
      </section>

      <div className="analytics-charts">
        <section className="panel" aria-label="Score components">
          <h2>Why this score</h2>
          <DataTable
            rows={components}
            label="Score components"
            empty="No components recorded for the latest score."
            head={
              <>
                <th>Component</th>
                <th className="num" title="Weight applied (the profile's, renormalised over the components with data)">
                  Weight
                </th>
                <th className="num">Score</th>
                <th>Reason</th>
              </>
            }
          >
            {(rows) =>
              rows.map((c) => (
                <tr key={c.key}>
                  <td>{COMPONENT_LABELS[c.key] ?? humanize(c.key)}</td>
                  <td
                    className="num"
                    title={
                      c.effectiveWeight === c.weight
                        ? undefined
                        : `${c.weight} % in the profile; ${c.score === null ? "left out: no data" : "renormalised because a component had no data"}`
                    }
                  >
                    {c.effectiveWeight} %
                  </td>
                  <td className="num">{c.score === null ? <span className="muted">no data</span> : c.score}</td>
                  <td className="health-reason">{c.reason}</td>
                </tr>
              ))
            }
          </DataTable>
        </section>
        <section className="panel" aria-label="Churn risk">
          <h2>Churn risk: {churnText(row.churnRisk, row.churnHorizonDays)}</h2>
          <DataTable
            rows={churnDrivers}
            label="Churn drivers"
            empty="No churn drivers."
            head={
              <>
                <th>Driver</th>
                <th className="num">Contribution</th>
                <th>Reason</th>
              </>
            }
          >
            {(rows) =>
              rows.map((d) => (
                <tr key={d.driver}>
                  <td>{humanize(d.driver)}</td>
                  <td className="num">+{d.contribution}</td>
                  <td className="health-reason">{d.reason}</td>
                </tr>
              ))
            }
          </DataTable>
        </section>
      </div>

      <section className="panel">
        <div className="panel-head">
          <h2>History</h2>
          <fieldset className="health-scope">
            <legend className="sr-only">Range</legend>
            {RANGES.map((r) => (
              <button
                key={r.key}
                type="button"
                aria-pressed={r.key === range.key}
                className={r.key === range.key ? undefined : "button-secondary"}
                onClick={() => setParams({ range: r.key }, { replace: true })}
              >
                {r.label}
              </button>
            ))}
          </fieldset>
        </div>
        <ScoreHistory tenantId={row.tenantId} from={from} to={to} />
        <Activity tenantId={row.tenantId} from={from} to={to} />
      </section>

      <Tasks tenantId={row.tenantId} />
      <Alerts tenantId={row.tenantId} />
      <Goals tenantId={row.tenantId} />
      <LogEngagement tenantId={row.tenantId} />
      <Timeline tenantId={row.tenantId} />
    </>
  );
}

function ScoreHistory({ tenantId, from, to }: { tenantId: string; from: Date; to: Date }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.portfolio.scoreHistory.queryOptions({ tenantId, from, to }));
  const data = history.data?.map((p) => ({ ...p, t: p.day.getTime() })) ?? [];
  return (
    <figure className="analytics-chart" aria-label="Score history">
      <figcaption>
        <h3>Score and components</h3>
      </figcaption>
      <ErrorAlert error={history.error} />
      {history.data?.length === 0 && <p className="muted">No scores in this range.</p>}
      <ResponsiveContainer width="100%" height={280}>
        <LineChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={dayLabel} />
          <YAxis domain={[0, 100]} width={36} />
          <Tooltip labelFormatter={(ms) => dayLabel(Number(ms))} />
          <Legend />
          <Line
            dataKey="score"
            name="Score"
            stroke={COMPONENT_COLORS.score}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
          {(["productUsage", "support", "engagement", "business"] as const).map((k) => (
            <Line
              key={k}
              dataKey={k}
              name={COMPONENT_LABELS[k]}
              stroke={COMPONENT_COLORS[k]}
              dot={false}
              strokeWidth={1}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

const ACTIVITY_CHARTS: { key: string; title: string; lines: { key: keyof PortfolioActivityPoint; name: string }[] }[] =
  [
    { key: "logins", title: "Logins", lines: [{ key: "logins", name: "Logins" }] },
    { key: "vehicles", title: "Active vehicles", lines: [{ key: "activeVehicles", name: "Active vehicles" }] },
    { key: "positions", title: "Positions", lines: [{ key: "positions", name: "Positions" }] },
    {
      key: "messages",
      title: "Messages",
      lines: [
        { key: "messagesSent", name: "Sent" },
        { key: "messagesReceived", name: "Received" },
      ],
    },
  ];
const LINE_COLORS = ["#2563eb", "#7c3aed"];

function Activity({ tenantId, from, to }: { tenantId: string; from: Date; to: Date }) {
  const trpc = useTRPC();
  const activity = useQuery(trpc.portfolio.activity.queryOptions({ tenantId, from, to }));
  const data = activity.data?.map((p) => ({ ...p, t: p.day.getTime() })) ?? [];
  return (
    <>
      <ErrorAlert error={activity.error} />
      {activity.data?.length === 0 && <p className="muted">No activity recorded in this range.</p>}
      <div className="analytics-charts">
        {ACTIVITY_CHARTS.map((c) => (
          <figure key={c.key} className="analytics-chart" aria-label={`${c.title} per day`}>
            <figcaption>
              <h3>{c.title}</h3>
            </figcaption>
            <ResponsiveContainer width="100%" height={180}>
              <LineChart data={data}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={dayLabel} />
                <YAxis width={52} allowDecimals={false} />
                <Tooltip labelFormatter={(ms) => dayLabel(Number(ms))} />
                {c.lines.length > 1 && <Legend />}
                {c.lines.map((l, i) => (
                  <Line
                    key={l.key}
                    dataKey={l.key}
                    name={l.name}
                    stroke={LINE_COLORS[i]}
                    dot={false}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </figure>
        ))}
      </div>
    </>
  );
}

function Tasks({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCrmWriter();
  const tasks = useQuery(trpc.portfolio.tasks.list.queryOptions({ tenantId, status: "open" }));
  const complete = useMutation(
    trpc.portfolio.tasks.complete.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.portfolio.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.crm.timeline.pathKey() }),
        ]),
    }),
  );
  return (
    <section className="panel">
      <h2>Open tasks</h2>
      <ErrorAlert error={tasks.error ?? complete.error} />
      {tasks.data && (
        <DataTable
          rows={tasks.data}
          label="Open tasks"
          empty="No open tasks."
          head={
            <>
              <th>Task</th>
              <th>Due</th>
              <th>Assignee</th>
              <th>Source</th>
              <th aria-label="Actions" />
            </>
          }
        >
          {(rows) =>
            rows.map((t) => (
              <tr key={t.id} id={`task-${t.id}`}>
                <td>
                  <strong>{t.title}</strong>
                  {t.description && <div className="muted">{t.description}</div>}
                </td>
                <td className="nowrap">{formatCalendarDate(t.dueDate)}</td>
                <td>{t.assigneeName ?? "—"}</td>
                <td>{humanize(t.source)}</td>
                <td className="row-actions">
                  {canWrite && (
                    <MutationButton mutation={complete} input={{ taskId: t.id }} label={`Complete ${t.title}`}>
                      Done
                    </MutationButton>
                  )}
                </td>
              </tr>
            ))
          }
        </DataTable>
      )}
    </section>
  );
}

function Alerts({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const alerts = useQuery(trpc.portfolio.alerts.queryOptions({ tenantId, limit: 20 }));
  return (
    <section className="panel">
      <h2>Health alerts</h2>
      <ErrorAlert error={alerts.error} />
      {alerts.data && (
        <DataTable
          rows={alerts.data}
          label="Health alerts"
          empty="No health alerts."
          head={
            <>
              <th>Day</th>
              <th>Kind</th>
              <th>Alert</th>
              <th>State</th>
            </>
          }
        >
          {(rows) =>
            rows.map((a) => (
              <tr key={a.id}>
                <td className="nowrap">{formatCalendarDate(a.day)}</td>
                <td>{humanize(a.kind)}</td>
                <td>{a.message}</td>
                <td>
                  <span className={a.open ? "tag tag-bad" : "tag"}>{a.open ? "open" : "closed"}</span>
                </td>
              </tr>
            ))
          }
        </DataTable>
      )}
    </section>
  );
}

function LogEngagement({ tenantId }: { tenantId: string }) {
  const canWrite = useCrmWriter();
  const queryClient = useQueryClient();
  const trpc = useTRPC();
  if (!canWrite) return null;
  return (
    <section className="panel">
      <h2>Log engagement</h2>
      <EngagementForm
        tenantId={tenantId}
        engagement={null}
        onDone={() => queryClient.invalidateQueries({ queryKey: trpc.portfolio.tenant.pathKey() })}
      />
    </section>
  );
}
