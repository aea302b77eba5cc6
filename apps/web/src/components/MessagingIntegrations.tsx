/**
 * WhatsApp Cloud API and Samsara connections of the tenant (integration.*): which phone number id or
 * org id is connected, the webhook URL to configure on the provider's side, and whether each secret
 * is set. Secrets are write-only: the API never returns them, so the form can only set or replace
 * them (an empty field keeps the stored one).
 */
import type { AppRouter } from "@fleetcore/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { type FormEvent, useId, useState } from "react";
import { fieldErrors } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { useTRPC } from "../lib/trpc";
import { ConfirmAction, ErrorAlert, QueryTable } from "./ui";

type Integration = inferRouterOutputs<AppRouter>["integration"]["list"][number];
type Provider = Integration["provider"];

const PROVIDER_LABELS: Record<Provider, string> = { whatsapp: "WhatsApp Cloud API", samsara: "Samsara" };
const EXTERNAL_ID_LABELS: Record<Provider, string> = { whatsapp: "Phone number id", samsara: "Org id" };
const SECRET_LABELS: Record<Provider, string> = { whatsapp: "App secret", samsara: "Webhook secret" };

/** A random verify token (Meta echoes it back in the subscription handshake; any string ≥ 8 works). */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_");
}

export function MessagingIntegrations({ writable }: { writable: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const headingId = useId();
  const list = useQuery(trpc.integration.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.integration.list.queryKey() });
  const remove = useMutation(trpc.integration.delete.mutationOptions({ onSuccess: refresh }));
  const [editing, setEditing] = useState<Integration | null>(null);
  const [adding, setAdding] = useState(false);
  const origin = window.location.origin;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Messaging and telematics</h2>
      <p className="muted">
        Driver messages arrive through WhatsApp's webhook and Samsara events through Samsara's. Point the provider at
        the webhook URL shown; signatures are checked with the secret stored here.
      </p>
      <QueryTable
        query={list}
        label="Messaging integrations"
        empty="No WhatsApp or Samsara connection yet."
        head={
          <>
            <th>Provider</th>
            <th>Id</th>
            <th>Webhook URL</th>
            <th>Secrets</th>
            <th>Last event</th>
            {writable && <th aria-label="Actions" />}
          </>
        }
      >
        {(rows) =>
          rows.map((i) => (
            <tr key={i.id} data-integration-id={i.id}>
              <td>
                {PROVIDER_LABELS[i.provider]}
                {i.displayName && <div className="muted">{i.displayName}</div>}
                {!i.enabled && <span className="tag tag-bad">disabled</span>}
              </td>
              <td className="mono">{i.externalId}</td>
              <td>
                <code className="msgset-url">{`${origin}${i.webhookPath}`}</code>
              </td>
              <td>
                <SecretStates integration={i} />
              </td>
              <td className="nowrap">{formatDateTime(i.lastEventAt)}</td>
              {writable && (
                <td className="row-actions">
                  <button
                    type="button"
                    className="button-secondary"
                    aria-label={`Edit ${PROVIDER_LABELS[i.provider]} ${i.externalId}`}
                    onClick={() => {
                      setAdding(false);
                      setEditing(i);
                    }}
                  >
                    Edit
                  </button>
                  <ConfirmAction
                    mutation={remove}
                    input={{ integrationId: i.id }}
                    action="Delete"
                    subject={`${PROVIDER_LABELS[i.provider]} ${i.externalId}`}
                    consequence="Its webhooks are refused from then on."
                  />
                </td>
              )}
            </tr>
          ))
        }
      </QueryTable>
      {writable && !adding && !editing && (
        <p>
          <button type="button" className="button-secondary" onClick={() => setAdding(true)}>
            Add a connection
          </button>
        </p>
      )}
      {writable && (adding || editing) && (
        <IntegrationForm
          key={editing?.id ?? "new"}
          integration={editing}
          onDone={async () => {
            setAdding(false);
            setEditing(null);
            await refresh();
          }}
          onCancel={() => {
            setAdding(false);
            setEditing(null);
          }}
        />
      )}
    </section>
  );
}

function SecretStates({ integration: i }: { integration: Integration }) {
  const items: [string, boolean][] =
    i.provider === "whatsapp"
      ? [
          ["App secret", i.hasSecret],
          ["Verify token", i.hasVerifyToken],
          ["Access token", i.hasAccessToken],
        ]
      : [["Webhook secret", i.hasSecret]];
  return (
    <ul className="msgset-secrets">
      {items.map(([label, set]) => (
        <li key={label} className={set ? "msgset-secret-set" : "msgset-secret-unset"}>
          {label}: {set ? "set" : "not set"}
        </li>
      ))}
    </ul>
  );
}

/** Adds a connection (`integration` null) or edits one. */
function IntegrationForm({
  integration,
  onDone,
  onCancel,
}: {
  integration: Integration | null;
  onDone: () => Promise<void>;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [provider, setProvider] = useState<Provider>(integration?.provider ?? "whatsapp");
  const [externalId, setExternalId] = useState(integration?.externalId ?? "");
  const [displayName, setDisplayName] = useState(integration?.displayName ?? "");
  const [secret, setSecret] = useState("");
  const [verifyToken, setVerifyToken] = useState("");
  const [accessToken, setAccessToken] = useState("");
  const [clearAccessToken, setClearAccessToken] = useState(false);
  const [enabled, setEnabled] = useState(integration?.enabled ?? true);
  const [localError, setLocalError] = useState<string | null>(null);
  const create = useMutation(trpc.integration.create.mutationOptions({ onSuccess: onDone }));
  const update = useMutation(trpc.integration.update.mutationOptions({ onSuccess: onDone }));
  const error = create.error ?? update.error;
  const fields = fieldErrors(error);
  const pending = create.isPending || update.isPending;
  const whatsapp = provider === "whatsapp";

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setLocalError(null);
    const ext = externalId.trim();
    if (whatsapp && !/^\d{5,20}$/.test(ext)) {
      setLocalError("Phone number id: the numeric id Meta shows for the number (not the phone number itself).");
      return;
    }
    if (!whatsapp && !/^[\w-]{1,64}$/.test(ext)) {
      setLocalError("Org id: 1–64 letters, digits, - or _.");
      return;
    }
    if (!integration && !secret.trim()) {
      setLocalError(`${SECRET_LABELS[provider]} is required.`);
      return;
    }
    if (whatsapp && verifyToken.trim() && verifyToken.trim().length < 8) {
      setLocalError("Verify token: at least 8 characters.");
      return;
    }
    if (whatsapp && !integration && !verifyToken.trim()) {
      setLocalError("Verify token is required (Meta sends it back when you subscribe the webhook).");
      return;
    }
    const name = displayName.trim() || null;
    if (integration) {
      update.mutate({
        integrationId: integration.id,
        externalId: ext,
        displayName: name,
        enabled,
        secret: secret.trim() || undefined,
        ...(whatsapp
          ? {
              verifyToken: verifyToken.trim() || undefined,
              accessToken: clearAccessToken ? null : accessToken.trim() || undefined,
            }
          : {}),
      });
    } else {
      create.mutate({
        provider,
        externalId: ext,
        displayName: name,
        enabled,
        secret: secret.trim(),
        ...(whatsapp ? { verifyToken: verifyToken.trim(), accessToken: accessToken.trim() || null } : {}),
      });
    }
  };

  const secretHint = (set: boolean | undefined) =>
    integration ? (set ? "set; empty keeps it" : "not set") : undefined;
  return (
    <form
      className="grid-form msgset-integration-form"
      onSubmit={onSubmit}
      aria-label={integration ? `Edit ${PROVIDER_LABELS[provider]} ${integration.externalId}` : "Add a connection"}
      noValidate
    >
      <h3 className="span-all">
        {integration ? `Edit ${PROVIDER_LABELS[provider]}` : "Add a WhatsApp or Samsara connection"}
      </h3>
      <label>
        Provider
        <select value={provider} onChange={(e) => setProvider(e.target.value as Provider)} disabled={!!integration}>
          <option value="whatsapp">{PROVIDER_LABELS.whatsapp}</option>
          <option value="samsara">{PROVIDER_LABELS.samsara}</option>
        </select>
      </label>
      <label>
        {EXTERNAL_ID_LABELS[provider]}
        <input
          required
          value={externalId}
          maxLength={64}
          inputMode={whatsapp ? "numeric" : undefined}
          onChange={(e) => setExternalId(e.target.value)}
          aria-invalid={Boolean(fields.externalId)}
        />
        <span className="hint">
          {whatsapp ? "WhatsApp Manager → API setup → Phone number ID" : "Samsara → Settings → Org ID"}
        </span>
      </label>
      <label>
        Name (optional)
        <input value={displayName} maxLength={120} onChange={(e) => setDisplayName(e.target.value)} />
      </label>
      <label>
        {SECRET_LABELS[provider]}
        <input
          type="password"
          autoComplete="off"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          placeholder={secretHint(integration?.hasSecret)}
          aria-invalid={Boolean(fields.secret)}
        />
        <span className="hint">
          {whatsapp
            ? "Meta app → App settings → Basic → App secret (signs every webhook)"
            : "Samsara → Settings → Webhooks → the webhook's secret key (base64)"}
        </span>
      </label>
      {whatsapp && (
        <>
          <label>
            Verify token
            <span className="msgset-inline">
              <input
                autoComplete="off"
                value={verifyToken}
                onChange={(e) => setVerifyToken(e.target.value)}
                placeholder={secretHint(integration?.hasVerifyToken)}
                aria-invalid={Boolean(fields.verifyToken)}
              />
              <button type="button" className="button-quiet-dark" onClick={() => setVerifyToken(randomToken())}>
                Generate
              </button>
            </span>
            <span className="hint">
              Enter the same value in Meta's webhook setup; it is not shown again once saved.
            </span>
          </label>
          <label>
            Access token
            <input
              type="password"
              autoComplete="off"
              value={accessToken}
              disabled={clearAccessToken}
              onChange={(e) => setAccessToken(e.target.value)}
              placeholder={secretHint(integration?.hasAccessToken) ?? "optional"}
            />
            <span className="hint">Needed to send replies through WhatsApp (a system user's permanent token).</span>
          </label>
          {integration?.hasAccessToken && (
            <label className="msgset-check">
              <input
                type="checkbox"
                checked={clearAccessToken}
                onChange={(e) => setClearAccessToken(e.target.checked)}
              />
              Remove the access token
            </label>
          )}
        </>
      )}
      <label className="msgset-check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enabled
      </label>
      <p className="span-all muted" id={`${id}-url`}>
        Webhook URL: <code className="msgset-url">{`${window.location.origin}/webhooks/${provider}`}</code>
      </p>
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : integration ? "Save" : "Add connection"}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {localError && (
        <p className="error span-all" role="alert">
          {localError}
        </p>
      )}
      <ErrorAlert error={error} />
    </form>
  );
}
