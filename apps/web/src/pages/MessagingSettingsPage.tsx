/**
 * Messaging settings (`/settings/messaging`): the event rules Fleetcore applies to positions (speed
 * limit, how long a speeding must last, allowed idling, device offline events), how replies reach
 * drivers (quiet hours in the tenant's time zone, local outbox or WhatsApp), and the outbox the
 * local transport writes. Changes need settings:write; everyone else sees the values read-only.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useEffect, useId, useState } from "react";
import { Link } from "react-router";
import { OutboxTable } from "../components/feed/Outbox";
import { useSignedIn } from "../components/Guards";
import { ErrorAlert } from "../components/ui";
import { fieldErrors } from "../lib/errors";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

export function MessagingSettingsPage() {
  const me = useSignedIn();
  const writable = can(me, "settings", "write");
  return (
    <>
      <section className="panel">
        <h1>Messaging settings</h1>
        <p className="muted">
          Rules for the events Fleetcore raises from positions, and how replies to drivers are sent.
          {!writable && " You can see these settings; changing them needs the settings permission."}
        </p>
      </section>
      {can(me, "events", "read") && <EventRulesForm writable={writable} />}
      {can(me, "messages", "read") && (
        <>
          <MessagingForm writable={writable} />
          <section className="panel">
            <h2>Outbox</h2>
            <p className="muted">What the local transport recorded instead of sending, newest first.</p>
            <OutboxTable limit={100} />
          </section>
        </>
      )}
    </>
  );
}

type Errors = Partial<Record<string, string>>;

/** Whole number in [min, max], or an error message; empty → null when `optional`. */
function parseWhole(
  raw: string,
  { min, max, optional, unit }: { min: number; max: number; optional: boolean; unit: string },
): { value: number | null } | { error: string } {
  const text = raw.trim();
  if (text === "") return optional ? { value: null } : { error: "required" };
  const n = Number(text);
  if (!Number.isInteger(n)) return { error: `a whole number of ${unit}` };
  if (n < min || n > max) return { error: `from ${min} to ${max.toLocaleString()} ${unit}` };
  return { value: n };
}

function EventRulesForm({ writable }: { writable: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const rules = useQuery(trpc.event.rules.queryOptions());
  const [speed, setSpeed] = useState("");
  const [durationS, setDurationS] = useState("");
  const [idleMin, setIdleMin] = useState("");
  const [offline, setOffline] = useState(true);
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!rules.data) return;
    setSpeed(rules.data.overspeedKph === null ? "" : String(rules.data.overspeedKph));
    setDurationS(String(rules.data.overspeedMinDurationS));
    setIdleMin(rules.data.idleMaxS === null ? "" : String(Math.round((rules.data.idleMaxS / 60) * 100) / 100));
    setOffline(rules.data.deviceOfflineEvents);
  }, [rules.data]);
  const save = useMutation(
    trpc.event.updateRules.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.event.rules.queryKey(), data);
        setSaved(true);
      },
    }),
  );
  const server = fieldErrors(save.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const next: Errors = {};
    const s = parseWhole(speed, { min: 1, max: 300, optional: true, unit: "km/h" });
    const d = parseWhole(durationS, { min: 0, max: 3600, optional: false, unit: "seconds" });
    let idleMaxS: number | null = null;
    const idleText = idleMin.trim();
    if (idleText !== "") {
      const minutes = Number(idleText);
      if (!Number.isFinite(minutes)) next.idle = "a number of minutes";
      else if (minutes < 1 || minutes > 1440) next.idle = "from 1 to 1,440 minutes (24 h)";
      else idleMaxS = Math.round(minutes * 60);
    }
    if ("error" in s) next.speed = s.error;
    if ("error" in d) next.duration = d.error;
    setErrors(next);
    if (Object.keys(next).length > 0 || "error" in s || "error" in d) return;
    save.mutate({
      overspeedKph: s.value,
      overspeedMinDurationS: d.value ?? 0,
      idleMaxS,
      deviceOfflineEvents: offline,
    });
  };
  const err = (field: string, serverField: string) => errors[field] ?? server[serverField]?.[0];
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Event rules</h2>
      {rules.isPending && <p className="muted">Loading…</p>}
      <ErrorAlert error={rules.error} />
      {rules.data && (
        <form className="grid-form msgset-form" onSubmit={onSubmit} aria-label="Event rules" noValidate>
          <label>
            Speed limit (km/h)
            <input
              inputMode="numeric"
              value={speed}
              onChange={(e) => setSpeed(e.target.value)}
              placeholder="none"
              disabled={!writable}
              aria-invalid={Boolean(err("speed", "overspeedKph"))}
              aria-describedby={`${id}-speed`}
            />
            <FieldNote id={`${id}-speed`} error={err("speed", "overspeedKph")}>
              Default for vehicles without their own limit; empty for none.
            </FieldNote>
          </label>
          <label>
            Overspeed duration (s)
            <input
              inputMode="numeric"
              value={durationS}
              onChange={(e) => setDurationS(e.target.value)}
              disabled={!writable}
              aria-invalid={Boolean(err("duration", "overspeedMinDurationS"))}
              aria-describedby={`${id}-duration`}
            />
            <FieldNote id={`${id}-duration`} error={err("duration", "overspeedMinDurationS")}>
              How long a vehicle must stay over the limit (0–3600).
            </FieldNote>
          </label>
          <label>
            Idle allowed (minutes)
            <input
              inputMode="decimal"
              value={idleMin}
              onChange={(e) => setIdleMin(e.target.value)}
              placeholder="no idle events"
              disabled={!writable}
              aria-invalid={Boolean(err("idle", "idleMaxS"))}
              aria-describedby={`${id}-idle`}
            />
            <FieldNote id={`${id}-idle`} error={err("idle", "idleMaxS")}>
              Engine on and stationary for longer raises an idle event; empty for none.
            </FieldNote>
          </label>
          <label className="msgset-check">
            <input
              type="checkbox"
              checked={offline}
              onChange={(e) => setOffline(e.target.checked)}
              disabled={!writable}
            />
            Device offline / back online events
          </label>
          {writable && (
            <div className="actions">
              <button type="submit" disabled={save.isPending}>
                {save.isPending ? "Saving…" : "Save event rules"}
              </button>
              {saved && (
                <span className="success" role="status">
                  Saved.
                </span>
              )}
            </div>
          )}
          {save.error && Object.keys(server).length === 0 && <ErrorAlert error={save.error} />}
        </form>
      )}
    </section>
  );
}

function MessagingForm({ writable }: { writable: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const settings = useQuery(trpc.conversation.settings.queryOptions());
  const [quiet, setQuiet] = useState(false);
  const [start, setStart] = useState("22:00");
  const [end, setEnd] = useState("06:00");
  const [transport, setTransport] = useState<"local" | "whatsapp">("local");
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!settings.data) return;
    const on = settings.data.quietStart !== null && settings.data.quietEnd !== null;
    setQuiet(on);
    if (on) {
      setStart(settings.data.quietStart ?? "22:00");
      setEnd(settings.data.quietEnd ?? "06:00");
    }
    setTransport(settings.data.transport);
  }, [settings.data]);
  const save = useMutation(
    trpc.conversation.updateSettings.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.conversation.settings.queryKey(), data);
        setSaved(true);
      },
    }),
  );
  const server = fieldErrors(save.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const next: Errors = {};
    const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
    if (quiet) {
      if (!hhmm.test(start)) next.start = 'a time like "22:00"';
      if (!hhmm.test(end)) next.end = 'a time like "06:00"';
      if (!next.start && !next.end && start === end) next.end = "must differ from the start";
    }
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    save.mutate({ quietStart: quiet ? start : null, quietEnd: quiet ? end : null, transport });
  };
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Replies to drivers</h2>
      {settings.isPending && <p className="muted">Loading…</p>}
      <ErrorAlert error={settings.error} />
      {settings.data && (
        <form className="grid-form msgset-form" onSubmit={onSubmit} aria-label="Messaging settings" noValidate>
          <label className="msgset-check span-all">
            <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} disabled={!writable} />
            Quiet hours: replies are held back (blocked, with the reason) during these hours, in the organisation's time
            zone
          </label>
          {quiet && (
            <>
              <label>
                From
                <input
                  type="time"
                  value={start}
                  onChange={(e) => setStart(e.target.value)}
                  disabled={!writable}
                  aria-invalid={Boolean(errors.start ?? server.quietStart)}
                  aria-describedby={`${id}-start`}
                />
                <FieldNote id={`${id}-start`} error={errors.start ?? server.quietStart?.[0]} />
              </label>
              <label>
                Until
                <input
                  type="time"
                  value={end}
                  onChange={(e) => setEnd(e.target.value)}
                  disabled={!writable}
                  aria-invalid={Boolean(errors.end ?? server.quietEnd)}
                  aria-describedby={`${id}-end`}
                />
                <FieldNote id={`${id}-end`} error={errors.end ?? server.quietEnd?.[0]}>
                  {start > end ? "Spans midnight." : undefined}
                </FieldNote>
              </label>
            </>
          )}
          <fieldset className="msgset-transport span-all" disabled={!writable}>
            <legend>Send replies through</legend>
            <label className="msgset-check">
              <input
                type="radio"
                name={`${id}-transport`}
                value="local"
                checked={transport === "local"}
                onChange={() => setTransport("local")}
              />
              Local outbox — recorded below, nothing leaves Fleetcore (no WhatsApp account needed)
            </label>
            <label className="msgset-check">
              <input
                type="radio"
                name={`${id}-transport`}
                value="whatsapp"
                checked={transport === "whatsapp"}
                onChange={() => setTransport("whatsapp")}
              />
              WhatsApp Cloud API — needs an enabled WhatsApp <Link to="/integrations">integration</Link> with an access
              token; only within 24 h of the driver's last message
            </label>
          </fieldset>
          {writable && (
            <div className="actions">
              <button type="submit" disabled={save.isPending}>
                {save.isPending ? "Saving…" : "Save messaging settings"}
              </button>
              {saved && (
                <span className="success" role="status">
                  Saved.
                </span>
              )}
            </div>
          )}
          {save.error && Object.keys(server).length === 0 && <ErrorAlert error={save.error} />}
        </form>
      )}
    </section>
  );
}

/** A field's hint, or its error in its place. */
function FieldNote({ id, error, children }: { id: string; error?: string; children?: ReactNode }) {
  if (error) {
    return (
      <span id={id} className="error msgset-field-error" role="alert">
        {error}
      </span>
    );
  }
  if (!children) return <span id={id} hidden />;
  return (
    <span id={id} className="hint">
      {children}
    </span>
  );
}
