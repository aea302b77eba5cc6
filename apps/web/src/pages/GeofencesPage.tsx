/**
 * Geofences (`/geofences`): the active tenant's geofences on a map (filled in their colour, named)
 * beside a list (kind, speed limit, active switch, edit, delete). People with fleet:write draw a
 * circle or a polygon on the map (terra-draw), adjust it, and save it with a name, a speed limit
 * and a colour; "Edit" puts a geofence's shape back on the map to reshape it.
 * Lazy-loaded (App.tsx): MapLibre and terra-draw stay out of the main bundle.
 */
import type { Geofence, GeofenceShapeData } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useCallback, useEffect, useMemo, useState } from "react";
import { useSignedIn } from "../components/Guards";
import type { DrawingState, DrawKind, GeofenceDrawing } from "../components/geofences/drawing";
import { GeofenceMap } from "../components/geofences/GeofenceMap";
import { ConfirmAction, ErrorAlert } from "../components/ui";
import { connectLiveFleet, LiveFleet } from "../lib/livePositions";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/** What the form beside the map is doing: a new geofence of a kind, or editing one. */
type Editor = { type: "new"; kind: DrawKind } | { type: "edit"; geofence: Geofence; geometryError: string | null };

const KIND_LABELS: Record<DrawKind, string> = { circle: "Circle", polygon: "Polygon" };
const DEFAULT_COLOR = "#2563eb";

/** "Depot 2" before "Depot 10". */
const byName = new Intl.Collator(undefined, { numeric: true });

export function GeofencesPage() {
  const me = useSignedIn();
  const tenant = me.activeTenant;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const writable = can(me, "fleet", "write");
  const geofences = useQuery(trpc.geofence.list.queryOptions({ includeInactive: true }));
  const invalidate = useCallback(
    () => queryClient.invalidateQueries({ queryKey: trpc.geofence.pathKey() }),
    [queryClient, trpc],
  );
  // Vehicles as context on the map; the map subscribes to the store itself (no re-render here).
  const [fleet] = useState(() => new LiveFleet());
  useEffect(() => connectLiveFleet(fleet), [fleet]);

  const [drawing, setDrawing] = useState<GeofenceDrawing | null>(null);
  const [drawState, setDrawState] = useState<DrawingState>("idle");
  const [editor, setEditor] = useState<Editor | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ id: string; seq: number } | null>(null);

  const sorted = useMemo(
    () => [...(geofences.data ?? [])].sort((a, b) => byName.compare(a.name, b.name)),
    [geofences.data],
  );
  // The geofence being reshaped is on the map as terra-draw's feature, not as a stored one.
  const editedId = editor?.type === "edit" && !editor.geometryError ? editor.geofence.id : null;
  const onMap = useMemo(
    () => (geofences.data ? geofences.data.filter((g) => g.id !== editedId) : undefined),
    [geofences.data, editedId],
  );

  const close = useCallback(() => {
    drawing?.stop();
    setEditor(null);
  }, [drawing]);

  const startDrawing = (kind: DrawKind) => {
    if (!drawing) return;
    drawing.startDrawing(kind);
    setEditor({ type: "new", kind });
    setSelectedId(null);
  };
  const startEditing = (geofence: Geofence) => {
    if (!drawing) return;
    const geometryError = drawing.edit(geofence.shape);
    if (geometryError) drawing.stop();
    setEditor({ type: "edit", geofence, geometryError });
    setSelectedId(geofence.id);
    setFocus((f) => ({ id: geofence.id, seq: (f?.seq ?? 0) + 1 }));
  };
  const select = (id: string) => {
    setSelectedId(id);
    setFocus((f) => ({ id, seq: (f?.seq ?? 0) + 1 }));
  };

  // Escape cancels drawing or editing.
  useEffect(() => {
    if (!editor) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") close();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [editor, close]);

  const toggle = useMutation(trpc.geofence.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(
    trpc.geofence.delete.mutationOptions({
      onSuccess: (_, input) => {
        if (editor?.type === "edit" && editor.geofence.id === input.geofenceId) close();
        if (selectedId === input.geofenceId) setSelectedId(null);
        return invalidate();
      },
    }),
  );

  if (!tenant) return null;
  const busy = editor !== null;
  return (
    <div className="livemap geofence-page">
      <aside className="livemap-side" aria-label="Geofence list">
        <h1>Geofences</h1>
        <p className="muted livemap-summary">
          {tenant.name} · {geofences.data ? `${geofences.data.length} geofences` : "loading…"}
        </p>
        {writable && (
          <div className="geofence-tools">
            {(["circle", "polygon"] as const).map((kind) => (
              <button
                key={kind}
                type="button"
                className="button-secondary"
                disabled={!drawing || busy}
                aria-pressed={editor?.type === "new" && editor.kind === kind}
                onClick={() => startDrawing(kind)}
              >
                Draw {kind}
              </button>
            ))}
          </div>
        )}
        {editor && drawing && (
          <GeofenceForm
            key={editor.type === "edit" ? editor.geofence.id : `new-${editor.kind}`}
            editor={editor}
            drawing={drawing}
            drawState={drawState}
            onCancel={close}
            onSaved={(g) => {
              close();
              setSelectedId(g.id);
              return invalidate();
            }}
          />
        )}
        {geofences.isPending && <p className="muted">Loading geofences…</p>}
        <ErrorAlert error={geofences.error} />
        {geofences.data && sorted.length === 0 && !editor && (
          <p className="muted">No geofences yet.{writable ? " Draw a circle or a polygon on the map." : ""}</p>
        )}
        <ErrorAlert error={toggle.error} />
        <ul className="livemap-list geofence-list" aria-label="Geofences">
          {sorted.map((g) => (
            <li
              key={g.id}
              data-geofence-id={g.id}
              className={g.id === selectedId ? "geofence-row geofence-row-selected" : "geofence-row"}
            >
              <button type="button" className="geofence-row-main" onClick={() => select(g.id)}>
                <span className="geofence-swatch" style={{ background: g.color }} aria-hidden="true" />
                <span className="geofence-row-name">{g.name}</span>
                <span className="geofence-row-meta">
                  {KIND_LABELS[g.kind]} · {g.speedLimitKph === null ? "no speed limit" : `${g.speedLimitKph} km/h`}
                  {g.active ? "" : " · inactive"}
                </span>
              </button>
              {writable && (
                <div className="geofence-row-actions">
                  <label className="geofence-toggle">
                    <input
                      type="checkbox"
                      checked={g.active}
                      disabled={toggle.isPending}
                      onChange={() => toggle.mutate({ geofenceId: g.id, active: !g.active })}
                    />
                    Active
                  </label>
                  <button
                    type="button"
                    className="button-secondary"
                    aria-label={`Edit ${g.name}`}
                    disabled={!drawing || busy}
                    onClick={() => startEditing(g)}
                  >
                    Edit
                  </button>
                  <ConfirmAction
                    mutation={remove}
                    input={{ geofenceId: g.id }}
                    action="Delete"
                    subject={g.name}
                    consequence="It stops applying to vehicles."
                  />
                </div>
              )}
            </li>
          ))}
        </ul>
      </aside>
      <div className="livemap-map">
        <GeofenceMap
          geofences={onMap}
          fleet={fleet}
          selectedId={selectedId}
          focus={focus}
          onSelect={select}
          onDrawingReady={setDrawing}
          onDrawingState={setDrawState}
        />
      </div>
    </div>
  );
}

/** How to draw, for the hint above the form. */
function drawHint(editor: Editor, state: DrawingState): string {
  if (editor.type === "edit") {
    if (editor.geometryError) return `Its shape cannot be edited on the map (${editor.geometryError}).`;
    return editor.geofence.kind === "circle"
      ? "Drag the circle to move it, or a handle on its edge to resize it."
      : "Drag the shape or its corners; click a midpoint to add a corner, right-click a corner to remove it.";
  }
  if (state === "drawing") {
    return editor.kind === "circle"
      ? "Click the centre on the map, move out to the radius and click again."
      : "Click each corner on the map; click the first corner again (or press Enter) to close the shape.";
  }
  return "Adjust the shape if needed, then name and save it.";
}

/** Name, speed limit and colour of the geofence being drawn or edited, with Save and Cancel. */
function GeofenceForm({
  editor,
  drawing,
  drawState,
  onCancel,
  onSaved,
}: {
  editor: Editor;
  drawing: GeofenceDrawing;
  drawState: DrawingState;
  onCancel: () => void;
  onSaved: (g: Geofence) => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const existing = editor.type === "edit" ? editor.geofence : undefined;
  const [name, setName] = useState(existing?.name ?? "");
  const [speed, setSpeed] = useState(existing?.speedLimitKph?.toString() ?? "");
  const [color, setColor] = useState(existing?.color ?? DEFAULT_COLOR);
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(trpc.geofence.create.mutationOptions({ onSuccess: onSaved }));
  const update = useMutation(trpc.geofence.update.mutationOptions({ onSuccess: onSaved }));
  const mutation = existing ? update : create;
  const ready = existing !== undefined || drawState === "drawn";

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const speedLimitKph = speed.trim() === "" ? null : Number(speed);
    let shape: GeofenceShapeData | null = null;
    if (!existing || drawing.geometryChanged) {
      shape = drawing.shape();
      if (!shape) {
        setProblem("Draw the shape on the map first.");
        return;
      }
    }
    if (!existing) {
      if (shape) create.mutate({ name, speedLimitKph, color, shape });
      return;
    }
    update.mutate({ geofenceId: existing.id, name, speedLimitKph, color, ...(shape ? { shape } : {}) });
  };

  const title = existing ? `Edit ${existing.name}` : `New ${editor.type === "new" ? editor.kind : ""} geofence`;
  return (
    <form className="geofence-form" aria-label={title} onSubmit={onSubmit}>
      <h2>{title}</h2>
      <p className="muted geofence-hint" role="status">
        {drawHint(editor, drawState)}
      </p>
      <label>
        Name
        <input required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <div className="geofence-form-row">
        <label>
          Speed limit (km/h)
          <input
            type="number"
            min={1}
            max={300}
            step={1}
            inputMode="numeric"
            placeholder="none"
            value={speed}
            onChange={(e) => setSpeed(e.target.value)}
          />
        </label>
        <label>
          Colour
          <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
        </label>
      </div>
      <div className="actions">
        <button type="submit" disabled={!ready || mutation.isPending}>
          {mutation.isPending ? "Saving…" : existing ? "Save changes" : "Save geofence"}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <ErrorAlert error={problem ?? mutation.error} />
    </form>
  );
}
