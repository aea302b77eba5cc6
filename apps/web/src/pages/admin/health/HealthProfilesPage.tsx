/**
 * `/admin/health/profiles`: the health scoring profiles (issue 8: "weights and thresholds are
 * configurable by provider admins per segment or lifecycle stage") — each profile's priority, the
 * tenants it applies to, its component weights, band thresholds and alert rules. Provider admins
 * create, edit and delete profiles (the catch-all profile can be edited but keeps applying to every
 * tenant, and cannot be deleted); other staff read them. Changes apply from the next daily scoring
 * run. Data: `healthProfiles.list`, `.create`, `.update`, `.delete` (packages/core/src/health/profiles.ts;
 * docs/health-score.md "Profiles").
 */
import {
  HEALTH_COMPONENT_KEYS,
  HEALTH_LIFECYCLES,
  HEALTH_SEGMENTS,
  type HealthAlertRules,
  type HealthComponentKey,
  type HealthLifecycle,
  type HealthProfile,
  type HealthSegment,
} from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { Link } from "react-router";
import { useSignedIn } from "../../../components/Guards";
import { ConfirmAction, ErrorAlert, QueryTable } from "../../../components/ui";
import { fieldErrors } from "../../../lib/errors";
import { formatDate, formatDateTime } from "../../../lib/format";
import { useTRPC } from "../../../lib/trpc";
import { AdminNav } from "../AdminNav";
import { COMPONENT_LABELS } from "./shared";

const SEGMENT_LABELS: Record<HealthSegment, string> = {
  smb: "SMB",
  mid_market: "Mid-market",
  enterprise: "Enterprise",
};
const LIFECYCLE_LABELS: Record<HealthLifecycle, string> = {
  onboarding: "Onboarding (first 30 days)",
  established: "Established (after 30 days)",
};

/** Fields of the form whose server errors show under their control (the rest go to the alert). */
const FORM_FIELDS = ["name", "segment", "lifecycle", "priority", "weights", "thresholds", "alertRules"] as const;
type FormField = (typeof FORM_FIELDS)[number];

const isCatchAll = (p: Pick<HealthProfile, "segment" | "lifecycle">) => p.segment === null && p.lifecycle === null;

/** "Every tenant (catch-all)", "SMB", "Onboarding", "Enterprise · Onboarding". */
function appliesTo(p: Pick<HealthProfile, "segment" | "lifecycle">): string {
  if (isCatchAll(p)) return "Every tenant no other profile matches (catch-all)";
  const segment = p.segment ? (SEGMENT_LABELS[p.segment as HealthSegment] ?? p.segment) : null;
  const lifecycle = p.lifecycle ? (LIFECYCLE_LABELS[p.lifecycle as HealthLifecycle] ?? p.lifecycle) : null;
  return [segment ? `${segment} tenants` : "Tenants of any segment", lifecycle?.toLowerCase()]
    .filter(Boolean)
    .join(", ");
}

export function HealthProfilesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const isAdmin = useSignedIn().provider?.role === "admin";
  const list = useQuery(trpc.healthProfiles.list.queryOptions());
  /** null: no form; "new": the create form; a profile: its edit form. */
  const [editing, setEditing] = useState<HealthProfile | "new" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.healthProfiles.list.queryKey() });
  const remove = useMutation(
    trpc.healthProfiles.delete.mutationOptions({
      onSuccess: async (deleted) => {
        await refresh();
        setNotice(`Deleted "${deleted.name}". Its tenants are scored by the next matching profile from the next run.`);
      },
    }),
  );
  const done = (message: string | null) => {
    setEditing(null);
    if (message) setNotice(message);
  };
  return (
    <>
      <AdminNav />
      <p className="crumbs">
        <Link to="/admin/portfolio">Portfolio</Link> / Health profiles
      </p>
      <section className="panel">
        <div className="panel-head">
          <h1>Health profiles</h1>
          {isAdmin && editing === null && (
            <button
              type="button"
              onClick={() => {
                setNotice(null);
                setEditing("new");
              }}
            >
              New profile
            </button>
          )}
        </div>
        <p className="muted hint">
          Each tenant is scored by the highest-priority profile that matches its segment and lifecycle stage
          (onboarding: the first 30 days after it was created); a tie goes to the more specific profile. The catch-all
          profile scores everyone else. <strong>Changes apply from the next daily scoring run</strong>; scores already
          stored are not recomputed.
          {!isAdmin && " Only provider admins change profiles."}
        </p>
        {notice && (
          <p className="success" role="status">
            {notice}
          </p>
        )}
        <QueryTable
          query={list}
          label="Health profiles"
          empty="No profiles."
          head={
            <>
              <th>Profile</th>
              <th className="num">Priority</th>
              <th>Applies to</th>
              <th>Weights</th>
              <th title="Red below the first, green above the second, yellow between">Red / green</th>
              <th>Alert rules</th>
              {isAdmin && (
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </>
          }
        >
          {(rows) =>
            rows.map((p) => (
              <tr key={p.id}>
                <td>
                  <strong>{p.name}</strong>
                  <span className="hint muted hp-updated" title={formatDateTime(p.updatedAt)}>
                    updated {formatDate(p.updatedAt)}
                  </span>
                </td>
                <td className="num">{p.priority}</td>
                <td className="hp-applies">{appliesTo(p)}</td>
                <td>
                  <ul className="hp-weights">
                    {HEALTH_COMPONENT_KEYS.map((k) => (
                      <li key={k}>
                        {COMPONENT_LABELS[k]} {p.weights[k]}%
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="nowrap" title="Red below the first, green above the second, yellow between">
                  &lt; {p.thresholds.red} / &gt; {p.thresholds.green}
                </td>
                <td>
                  <AlertRulesText rules={p.alertRules} />
                </td>
                {isAdmin && (
                  <td className="row-actions">
                    <button
                      type="button"
                      className="button-secondary"
                      aria-label={`Edit ${p.name}`}
                      onClick={() => {
                        setNotice(null);
                        setEditing(p);
                      }}
                    >
                      Edit
                    </button>{" "}
                    {isCatchAll(p) ? (
                      <span
                        className="muted hint"
                        title="The catch-all profile cannot be deleted: some profile must score every tenant"
                      >
                        catch-all
                      </span>
                    ) : (
                      <ConfirmAction
                        mutation={remove}
                        input={{ id: p.id }}
                        action="Delete"
                        subject={p.name}
                        consequence="Its tenants get the next matching profile."
                      />
                    )}
                  </td>
                )}
              </tr>
            ))
          }
        </QueryTable>
      </section>
      {isAdmin && editing !== null && (
        <ProfileForm
          key={editing === "new" ? "new" : editing.id}
          profile={editing === "new" ? null : editing}
          onDone={async (message) => {
            await refresh();
            done(message);
          }}
          onCancel={() => done(null)}
        />
      )}
    </>
  );
}

function AlertRulesText({ rules }: { rules: HealthAlertRules }) {
  return (
    <ul className="hp-rules">
      <li title="The score fell by more than this many points vs 7 days earlier">
        drop &gt; {rules.scoreDrop} pts / 7 d
      </li>
      <li title="Churn risk reached this (0–100)">churn ≥ {rules.churnRisk}</li>
      <li title="A contract expires within this many days with no engagement in as many">
        renewal ≤ {rules.renewalNoEngagementDays} d, no engagement
      </li>
    </ul>
  );
}

/** The form's values: inputs hold text, parsed on submit. */
interface Draft {
  name: string;
  segment: HealthSegment | "";
  lifecycle: HealthLifecycle | "";
  priority: string;
  weights: Record<HealthComponentKey, string>;
  red: string;
  green: string;
  scoreDrop: string;
  churnRisk: string;
  renewalNoEngagementDays: string;
}

/** A new profile starts from the default's figures (customer-health.md), priority 10 (above the catch-all). */
function draftOf(p: HealthProfile | null): Draft {
  return {
    name: p?.name ?? "",
    segment: (p?.segment as HealthSegment | null) ?? "",
    lifecycle: (p?.lifecycle as HealthLifecycle | null) ?? "",
    priority: String(p?.priority ?? 10),
    weights: {
      productUsage: String(p?.weights.productUsage ?? 40),
      support: String(p?.weights.support ?? 25),
      engagement: String(p?.weights.engagement ?? 20),
      business: String(p?.weights.business ?? 15),
    },
    red: String(p?.thresholds.red ?? 50),
    green: String(p?.thresholds.green ?? 75),
    scoreDrop: String(p?.alertRules.scoreDrop ?? 10),
    churnRisk: String(p?.alertRules.churnRisk ?? 70),
    renewalNoEngagementDays: String(p?.alertRules.renewalNoEngagementDays ?? 30),
  };
}

/** A whole number from an input, or null. */
function whole(text: string): number | null {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return null;
  return Number(t);
}

/**
 * Create (`profile` null) or edit a profile. Weights are four whole percentages with their live
 * sum (the server requires 100); the catch-all profile's segment and lifecycle stay "any". Server
 * field errors show under their group; other refusals (a taken name or segment × lifecycle) below.
 */
function ProfileForm({
  profile,
  onDone,
  onCancel,
}: {
  profile: HealthProfile | null;
  onDone: (message: string) => void | Promise<void>;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [draft, setDraft] = useState<Draft>(() => draftOf(profile));
  const [local, setLocal] = useState<Partial<Record<FormField, string>>>({});
  const catchAll = profile !== null && isCatchAll(profile);
  const applied = (name: string) => `Saved "${name}". It applies from the next daily scoring run.`;
  const create = useMutation(trpc.healthProfiles.create.mutationOptions({ onSuccess: (p) => onDone(applied(p.name)) }));
  const update = useMutation(trpc.healthProfiles.update.mutationOptions({ onSuccess: (p) => onDone(applied(p.name)) }));
  const save = profile ? update : create;
  const server = fieldErrors(save.error);
  const err = (field: FormField) => local[field] ?? server[field]?.[0];
  const aria = (field: FormField) =>
    err(field) ? { "aria-invalid": true as const, "aria-describedby": `${id}-${field}-error` } : {};
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setWeight = (key: HealthComponentKey, value: string) =>
    setDraft((d) => ({ ...d, weights: { ...d.weights, [key]: value } }));

  const weightValues = HEALTH_COMPONENT_KEYS.map((k) => whole(draft.weights[k]));
  const weightSum = weightValues.reduce<number>((a, w) => a + (w ?? 0), 0);
  const sumOk = weightValues.every((w) => w !== null) && weightSum === 100;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const next: Partial<Record<FormField, string>> = {};
    const priority = whole(draft.priority);
    const red = whole(draft.red);
    const green = whole(draft.green);
    const scoreDrop = whole(draft.scoreDrop);
    const churnRisk = whole(draft.churnRisk);
    const renewalDays = whole(draft.renewalNoEngagementDays);
    if (priority === null) next.priority = "a whole number";
    if (weightValues.some((w) => w === null)) next.weights = "each weight is a whole number of percent";
    if (red === null || green === null) next.thresholds = "whole numbers";
    if (scoreDrop === null || churnRisk === null || renewalDays === null) next.alertRules = "whole numbers";
    setLocal(next);
    if (Object.keys(next).length > 0) return;
    const [productUsage, support, engagement, business] = weightValues as number[];
    const values = {
      name: draft.name,
      segment: catchAll ? null : draft.segment || null,
      lifecycle: catchAll ? null : draft.lifecycle || null,
      priority: priority as number,
      weights: {
        productUsage: productUsage as number,
        support: support as number,
        engagement: engagement as number,
        business: business as number,
      },
      thresholds: { red: red as number, green: green as number },
      alertRules: {
        scoreDrop: scoreDrop as number,
        churnRisk: churnRisk as number,
        renewalNoEngagementDays: renewalDays as number,
      },
    };
    if (profile) update.mutate({ id: profile.id, ...values });
    else create.mutate(values);
  };

  /** The field's error (local or the server's) under its control, else the hint. */
  const note = (field: FormField, hint?: string) => {
    const message = err(field);
    if (message) {
      return (
        <span id={`${id}-${field}-error`} className="error field-error" role="alert">
          {message}
        </span>
      );
    }
    return hint ? <span className="hint muted">{hint}</span> : null;
  };

  const title = profile ? `Edit profile ${profile.name}` : "New profile";
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      <form className="grid-form hp-form" aria-label={title} onSubmit={onSubmit} noValidate>
        <label>
          Name
          <input value={draft.name} maxLength={60} onChange={(e) => set("name", e.target.value)} {...aria("name")} />
          {note("name", "Stored with every score it produces.")}
        </label>
        <label>
          Segment
          <select
            value={draft.segment}
            disabled={catchAll}
            onChange={(e) => set("segment", e.target.value as Draft["segment"])}
            {...aria("segment")}
          >
            <option value="">Any segment</option>
            {HEALTH_SEGMENTS.map((s) => (
              <option key={s} value={s}>
                {SEGMENT_LABELS[s]}
              </option>
            ))}
          </select>
          {note("segment")}
        </label>
        <label>
          Lifecycle stage
          <select
            value={draft.lifecycle}
            disabled={catchAll}
            onChange={(e) => set("lifecycle", e.target.value as Draft["lifecycle"])}
            {...aria("lifecycle")}
          >
            <option value="">Any stage</option>
            {HEALTH_LIFECYCLES.map((l) => (
              <option key={l} value={l}>
                {LIFECYCLE_LABELS[l]}
              </option>
            ))}
          </select>
          {note("lifecycle")}
        </label>
        <label>
          Priority
          <input
            type="number"
            min={0}
            max={1000}
            step={1}
            value={draft.priority}
            onChange={(e) => set("priority", e.target.value)}
            {...aria("priority")}
          />
          {note("priority", "0–1000; the highest matching profile wins.")}
        </label>
        {catchAll && (
          <p className="hint muted span-all">
            This is the catch-all profile: it scores every tenant no other profile matches, so it applies to any segment
            and any stage.
          </p>
        )}

        <fieldset className="hp-group span-all">
          <legend>Weights (%)</legend>
          {HEALTH_COMPONENT_KEYS.map((k) => (
            <label key={k}>
              {COMPONENT_LABELS[k]}
              <input
                type="number"
                min={0}
                max={100}
                step={1}
                value={draft.weights[k]}
                onChange={(e) => setWeight(k, e.target.value)}
                {...aria("weights")}
              />
            </label>
          ))}
          <output
            className={`hp-sum ${sumOk ? "success" : "error"}`}
            aria-live="polite"
            aria-label="Sum of the weights"
          >
            Sum {weightSum} / 100{sumOk ? " ✓" : ""}
          </output>
          {note("weights", "Whole percentages adding up to 100; 0 leaves a component out of the score.")}
        </fieldset>

        <fieldset className="hp-group span-all">
          <legend>Bands</legend>
          <label>
            Red below
            <input
              type="number"
              min={1}
              max={98}
              step={1}
              value={draft.red}
              onChange={(e) => set("red", e.target.value)}
              {...aria("thresholds")}
            />
          </label>
          <label>
            Green above
            <input
              type="number"
              min={2}
              max={99}
              step={1}
              value={draft.green}
              onChange={(e) => set("green", e.target.value)}
              {...aria("thresholds")}
            />
          </label>
          {note(
            "thresholds",
            `Red below ${draft.red || "…"}, green above ${draft.green || "…"}, yellow between (red must be below green).`,
          )}
        </fieldset>

        <fieldset className="hp-group span-all">
          <legend>Alert rules</legend>
          <label>
            Score drop in 7 days (points)
            <input
              type="number"
              min={1}
              max={100}
              step={1}
              value={draft.scoreDrop}
              onChange={(e) => set("scoreDrop", e.target.value)}
              {...aria("alertRules")}
            />
          </label>
          <label>
            Churn risk at least (0–100)
            <input
              type="number"
              min={1}
              max={100}
              step={1}
              value={draft.churnRisk}
              onChange={(e) => set("churnRisk", e.target.value)}
              {...aria("alertRules")}
            />
          </label>
          <label>
            Renewal without engagement (days)
            <input
              type="number"
              min={1}
              max={365}
              step={1}
              value={draft.renewalNoEngagementDays}
              onChange={(e) => set("renewalNoEngagementDays", e.target.value)}
              {...aria("alertRules")}
            />
          </label>
          {note(
            "alertRules",
            "Alerts when the score falls by more than this, churn risk reaches this, or a contract expires within this many days with no engagement in as many.",
          )}
        </fieldset>

        <div className="actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : profile ? "Save profile" : "Create profile"}
          </button>
          <button type="button" className="button-secondary" onClick={onCancel} disabled={save.isPending}>
            Cancel
          </button>
        </div>
        {save.error && !FORM_FIELDS.some((f) => server[f]?.[0]) && <ErrorAlert error={save.error} />}
      </form>
    </section>
  );
}
