import type { BusinessCalendarSettings, SlaPolicy } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Loading, useSignedIn } from "../../components/Guards";
import { ErrorAlert } from "../../components/ui";
import { formatMinutes } from "../../lib/support";
import { useTRPC } from "../../lib/trpc";
import { AdminNav } from "./AdminNav";
import { SupportNav } from "./SupportNav";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/**
 * SLA targets per priority and the business calendar (hours, workdays, time zone, holidays). Every
 * staff role reads them; provider admins edit. Changes apply to tickets created or re-prioritised later.
 */
export function SupportSettingsPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const settings = useQuery(trpc.supportSettings.get.queryOptions());
  const editable = me.provider?.role === "admin";
  return (
    <>
      <AdminNav />
      <SupportNav />
      <section className="panel">
        <h1>SLA settings</h1>
        <p className="muted">
          Targets are counted in the business hours below unless a policy runs around the clock; time awaiting the
          customer pauses the resolution target (Zendesk's pausable SLA).{" "}
          {editable ? "" : "Only provider admins can change them."}
        </p>
      </section>
      {settings.isPending && <Loading />}
      <ErrorAlert error={settings.error} />
      {settings.data && (
        <>
          <section className="panel">
            <h2>Targets per priority</h2>
            <div className="table-scroll">
              <table aria-label="SLA policies">
                <thead>
                  <tr>
                    <th>Priority</th>
                    <th>First response</th>
                    <th>Resolution</th>
                    <th>Clock</th>
                    {editable && <th aria-label="Actions" />}
                  </tr>
                </thead>
                <tbody>
                  {settings.data.policies.map((p) => (
                    <PolicyRow
                      key={`${p.priority}-${p.firstResponseMinutes}-${p.resolutionMinutes}-${p.businessHoursOnly}`}
                      policy={p}
                      editable={editable}
                    />
                  ))}
                </tbody>
              </table>
            </div>
            {editable && <p className="hint muted">Targets in minutes; 1 day = 1,440 minutes.</p>}
          </section>
          <CalendarForm calendar={settings.data.calendar} editable={editable} />
        </>
      )}
    </>
  );
}

function useRefreshSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.supportSettings.get.queryKey() });
}

function PolicyRow({ policy, editable }: { policy: SlaPolicy; editable: boolean }) {
  const trpc = useTRPC();
  const refresh = useRefreshSettings();
  const [first, setFirst] = useState(String(policy.firstResponseMinutes));
  const [resolution, setResolution] = useState(String(policy.resolutionMinutes));
  const [business, setBusiness] = useState(policy.businessHoursOnly);
  const save = useMutation(trpc.supportSettings.updatePolicy.mutationOptions({ onSuccess: refresh }));
  const dirty =
    first !== String(policy.firstResponseMinutes) ||
    resolution !== String(policy.resolutionMinutes) ||
    business !== policy.businessHoursOnly;
  if (!editable) {
    return (
      <tr>
        <td>{policy.priority}</td>
        <td>{formatMinutes(policy.firstResponseMinutes)}</td>
        <td>{formatMinutes(policy.resolutionMinutes)}</td>
        <td>{policy.businessHoursOnly ? "business hours" : "24/7"}</td>
      </tr>
    );
  }
  return (
    <tr>
      <td>{policy.priority}</td>
      <td>
        <input
          type="number"
          min={1}
          max={525600}
          aria-label={`First response minutes for ${policy.priority}`}
          value={first}
          onChange={(e) => setFirst(e.target.value)}
        />
      </td>
      <td>
        <input
          type="number"
          min={1}
          max={525600}
          aria-label={`Resolution minutes for ${policy.priority}`}
          value={resolution}
          onChange={(e) => setResolution(e.target.value)}
        />
      </td>
      <td>
        <label className="nowrap">
          <input type="checkbox" checked={business} onChange={(e) => setBusiness(e.target.checked)} /> business hours
          only
        </label>
      </td>
      <td className="row-actions">
        <button
          type="button"
          className="button-secondary"
          aria-label={`Save ${policy.priority} policy`}
          disabled={!dirty || save.isPending}
          onClick={() =>
            save.mutate({
              priority: policy.priority,
              firstResponseMinutes: Number.parseInt(first, 10),
              resolutionMinutes: Number.parseInt(resolution, 10),
              businessHoursOnly: business,
            })
          }
        >
          Save
        </button>
        <ErrorAlert error={save.error} />
      </td>
    </tr>
  );
}

function CalendarForm({ calendar, editable }: { calendar: BusinessCalendarSettings; editable: boolean }) {
  const trpc = useTRPC();
  const refresh = useRefreshSettings();
  const [timezone, setTimezone] = useState(calendar.timezone);
  const [workdays, setWorkdays] = useState<number[]>(calendar.workdays);
  const [dayStart, setDayStart] = useState(calendar.dayStart);
  const [dayEnd, setDayEnd] = useState(calendar.dayEnd);
  const [holidays, setHolidays] = useState(calendar.holidays.join("\n"));
  const save = useMutation(trpc.supportSettings.updateCalendar.mutationOptions({ onSuccess: refresh }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      timezone: timezone.trim(),
      workdays,
      dayStart,
      dayEnd,
      holidays: holidays
        .split(/[\s,]+/)
        .map((h) => h.trim())
        .filter(Boolean),
    });
  };
  return (
    <section className="panel">
      <h2>Business calendar</h2>
      <form className="stack-form" aria-label="Business calendar" onSubmit={onSubmit}>
        <label>
          Time zone (IANA, e.g. Europe/Paris)
          <input required disabled={!editable} value={timezone} onChange={(e) => setTimezone(e.target.value)} />
        </label>
        <fieldset className="weekday-set" disabled={!editable}>
          <legend>Working days</legend>
          {WEEKDAYS.map((name, i) => {
            const iso = i + 1;
            return (
              <label key={name} className="inline-check">
                <input
                  type="checkbox"
                  checked={workdays.includes(iso)}
                  onChange={(e) =>
                    setWorkdays(e.target.checked ? [...workdays, iso].sort() : workdays.filter((d) => d !== iso))
                  }
                />
                {name}
              </label>
            );
          })}
        </fieldset>
        <div className="ticket-form-row">
          <label>
            Day starts
            <input
              type="time"
              required
              disabled={!editable}
              value={dayStart}
              onChange={(e) => setDayStart(e.target.value)}
            />
          </label>
          <label>
            Day ends
            <input
              type="time"
              required
              disabled={!editable}
              value={dayEnd}
              onChange={(e) => setDayEnd(e.target.value)}
            />
          </label>
        </div>
        <label>
          Holidays (one YYYY-MM-DD per line)
          <textarea rows={4} disabled={!editable} value={holidays} onChange={(e) => setHolidays(e.target.value)} />
        </label>
        {editable && (
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save calendar"}
          </button>
        )}
        <ErrorAlert error={save.error} />
        {save.isSuccess && (
          <p className="success" role="status">
            Calendar saved.
          </p>
        )}
      </form>
    </section>
  );
}
