/**
 * `/admin/crm/pipeline`: the opportunity board. One column per stage (count, total value per
 * currency, stage probability); cards show name, tenant or lead, value, close date and account
 * manager. Admins and account managers move a card by dragging it onto another column (native
 * HTML5 drag and drop; dropped on a card it goes just above that card) or — keyboard and screen
 * readers — with the card's stage select. Moving to lost asks for the reason; won/lost cards stay
 * put unless an admin reopens them. Moves show at once and are rolled back if the server refuses
 * (with its reason). Data: `crm.opportunities.board` / `moveStage` (packages/core/src/crm/opportunities.ts).
 */
import type { CrmBoard, CrmOpportunity, CrmPipelineStage } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, type FormEvent, useState } from "react";
import { Loading } from "../../../components/Guards";
import { ConfirmAction, ErrorAlert } from "../../../components/ui";
import { formatCalendarDate, localDayFromTodayInputValue } from "../../../lib/format";
import { formatMoney, moneyInputValue } from "../../../lib/money";
import { useTRPC } from "../../../lib/trpc";
import { AdminNav } from "../AdminNav";
import {
  dateInputValue,
  EmployeeSelect,
  Money,
  OpportunityFields,
  type OpportunityFieldValues,
  opportunityFieldsInput,
  STAGE_LABELS,
  STAGES,
  useCrmAdmin,
  useCrmWriter,
} from "./shared";

/** The drag payload's type: an opportunity id. */
const DRAG_TYPE = "application/x-fleetcore-opportunity";

type Move = {
  opportunityId: string;
  stage: CrmPipelineStage;
  lostReason?: string;
  beforeOpportunityId?: string | null;
};

/** The board with one card moved (the optimistic view of a move; the server's answer replaces it). */
function moveLocally(board: CrmBoard, move: Move): CrmBoard {
  const card = board.columns.flatMap((c) => c.cards).find((c) => c.id === move.opportunityId);
  if (!card) return board;
  const moved: CrmOpportunity = { ...card, stage: move.stage };
  return {
    columns: board.columns.map((column) => {
      let cards = column.cards.filter((c) => c.id !== card.id);
      if (column.stage === move.stage) {
        const at = move.beforeOpportunityId ? cards.findIndex((c) => c.id === move.beforeOpportunityId) : -1;
        cards = at >= 0 ? [...cards.slice(0, at), moved, ...cards.slice(at)] : [...cards, moved];
      }
      const totals = new Map<string, { currency: string; totalMinor: bigint; count: number }>();
      for (const c of cards) {
        const t = totals.get(c.currency) ?? { currency: c.currency, totalMinor: 0n, count: 0 };
        t.totalMinor += c.estimatedValueMinor;
        t.count += 1;
        totals.set(c.currency, t);
      }
      return {
        ...column,
        cards,
        count: cards.length,
        totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
      };
    }),
  };
}

export function PipelinePage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCrmWriter();
  const boardKey = trpc.crm.opportunities.board.queryKey({});
  const board = useQuery(trpc.crm.opportunities.board.queryOptions({}));
  const [editing, setEditing] = useState<CrmOpportunity | "new" | null>(null);
  const [draggingId, setDraggingId] = useState<string | null>(null);
  const [askLost, setAskLost] = useState<{ card: CrmOpportunity; beforeOpportunityId: string | null } | null>(null);
  const move = useMutation(
    trpc.crm.opportunities.moveStage.mutationOptions({
      onMutate: async (input) => {
        await queryClient.cancelQueries({ queryKey: boardKey });
        const previous = queryClient.getQueryData<CrmBoard>(boardKey);
        if (previous) queryClient.setQueryData<CrmBoard>(boardKey, moveLocally(previous, input));
        return { previous };
      },
      onError: (_err, _input, context) => {
        if (context?.previous) queryClient.setQueryData(boardKey, context.previous);
      },
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.crm.opportunities.board.queryKey() }),
    }),
  );

  /** Moves `card` to `stage` (above `beforeOpportunityId` if given); lost asks for the reason first. */
  const requestMove = (card: CrmOpportunity, stage: CrmPipelineStage, beforeOpportunityId: string | null = null) => {
    if (stage === card.stage && (!beforeOpportunityId || beforeOpportunityId === card.id)) return;
    if (stage === "lost" && card.stage !== "lost") {
      setAskLost({ card, beforeOpportunityId });
      return;
    }
    move.mutate({ opportunityId: card.id, stage, beforeOpportunityId });
  };
  const cardById = (id: string) => board.data?.columns.flatMap((c) => c.cards).find((c) => c.id === id);

  if (board.isPending) return <Loading />;
  return (
    <>
      <AdminNav />
      {editing && (
        <OpportunityForm
          key={editing === "new" ? "new" : editing.id}
          opportunity={editing === "new" ? null : editing}
          onDone={() => setEditing(null)}
        />
      )}
      <section className="panel">
        <div className="panel-head">
          <h1>Pipeline</h1>
          {canWrite && editing === null && (
            <button type="button" onClick={() => setEditing("new")}>
              New opportunity
            </button>
          )}
        </div>
        <p className="muted">
          {canWrite
            ? "Drag a card onto another stage, or use its stage menu. Won and lost are final; an admin can reopen."
            : "Read only: admins and account managers move opportunities."}
        </p>
        <ErrorAlert error={board.error} />
        <ErrorAlert error={move.error} />
        {askLost && (
          <LostReasonForm
            card={askLost.card}
            onCancel={() => setAskLost(null)}
            onConfirm={(lostReason) => {
              move.mutate({
                opportunityId: askLost.card.id,
                stage: "lost",
                lostReason,
                beforeOpportunityId: askLost.beforeOpportunityId,
              });
              setAskLost(null);
            }}
          />
        )}
        {board.data && (
          <div className="crm-board">
            {board.data.columns.map((column) => (
              <Column
                key={column.stage}
                column={column}
                canWrite={canWrite}
                draggingId={draggingId}
                onDragCard={setDraggingId}
                onDropCard={(id, beforeId) => {
                  const card = cardById(id);
                  if (card) requestMove(card, column.stage, beforeId);
                }}
                onChooseStage={requestMove}
                onEdit={setEditing}
              />
            ))}
          </div>
        )}
      </section>
    </>
  );
}

type BoardColumn = CrmBoard["columns"][number];

function Column({
  column,
  canWrite,
  draggingId,
  onDragCard,
  onDropCard,
  onChooseStage,
  onEdit,
}: {
  column: BoardColumn;
  canWrite: boolean;
  draggingId: string | null;
  onDragCard: (id: string | null) => void;
  onDropCard: (id: string, beforeId: string | null) => void;
  onChooseStage: (card: CrmOpportunity, stage: CrmPipelineStage) => void;
  onEdit: (card: CrmOpportunity) => void;
}) {
  const [over, setOver] = useState(false);
  const [overCard, setOverCard] = useState<string | null>(null);
  const label = STAGE_LABELS[column.stage];
  const accepts = (e: DragEvent) => canWrite && e.dataTransfer.types.includes(DRAG_TYPE);
  const dropped = (e: DragEvent, beforeId: string | null) => {
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    setOverCard(null);
    const id = e.dataTransfer.getData(DRAG_TYPE);
    if (id) onDropCard(id, beforeId === id ? null : beforeId);
  };
  return (
    <section
      className={`crm-column${over ? " crm-column-over" : ""}`}
      aria-label={label}
      data-stage={column.stage}
      onDragOver={(e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "move";
        setOver(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) {
          setOver(false);
          setOverCard(null);
        }
      }}
      onDrop={(e) => dropped(e, null)}
    >
      <header className="crm-column-head">
        <h2>
          {label} <span className="tag">{column.count}</span>
        </h2>
        <p>
          {column.totals.length > 0
            ? column.totals.map((t) => formatMoney(t.totalMinor, t.currency)).join(" · ")
            : "No value"}
        </p>
        <p>{column.probabilityPct} % probability</p>
      </header>
      <ul className="crm-cards" aria-label={`${label} opportunities`}>
        {column.cards.map((card) => (
          <li
            key={card.id}
            className={overCard === card.id ? "crm-card-before" : undefined}
            onDragOver={(e) => {
              if (!accepts(e)) return;
              e.preventDefault();
              setOverCard(card.id);
            }}
            onDrop={(e) => dropped(e, card.id)}
          >
            <Card
              card={card}
              canWrite={canWrite}
              dragging={draggingId === card.id}
              onDragStart={(e) => {
                e.dataTransfer.setData(DRAG_TYPE, card.id);
                e.dataTransfer.setData("text/plain", card.name);
                e.dataTransfer.effectAllowed = "move";
                onDragCard(card.id);
              }}
              onDragEnd={() => onDragCard(null)}
              onChooseStage={(stage) => onChooseStage(card, stage)}
              onEdit={() => onEdit(card)}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

function Card({
  card,
  canWrite,
  dragging,
  onDragStart,
  onDragEnd,
  onChooseStage,
  onEdit,
}: {
  card: CrmOpportunity;
  canWrite: boolean;
  dragging: boolean;
  onDragStart: (e: DragEvent) => void;
  onDragEnd: () => void;
  onChooseStage: (stage: CrmPipelineStage) => void;
  onEdit: () => void;
}) {
  const isAdmin = useCrmAdmin();
  const closed = card.stage === "won" || card.stage === "lost";
  const movable = canWrite && !closed;
  return (
    <article
      className={`crm-card${dragging ? " crm-card-dragging" : ""}`}
      aria-label={card.name}
      data-opportunity-id={card.id}
      draggable={movable}
      onDragStart={movable ? onDragStart : undefined}
      onDragEnd={onDragEnd}
    >
      <h3>
        {canWrite ? (
          <button
            type="button"
            className="button-quiet-dark crm-card-title"
            onClick={onEdit}
            aria-label={`Edit ${card.name}`}
          >
            {card.name}
          </button>
        ) : (
          card.name
        )}
      </h3>
      <dl>
        <dt>{card.tenantName ? "Tenant" : "Lead"}</dt>
        <dd>{card.tenantName ?? card.leadCompanyName ?? "—"}</dd>
        <dt>Value</dt>
        <dd>
          <Money minor={card.estimatedValueMinor} currency={card.currency} />
          {card.probabilityPct !== null && <span className="tag">{card.probabilityPct} %</span>}
        </dd>
        <dt>{closed ? "Closed" : "Closes"}</dt>
        <dd>{formatCalendarDate(card.closeDate)}</dd>
        <dt>Manager</dt>
        <dd>{card.accountManagerName ?? "—"}</dd>
        {card.lostReason && (
          <>
            <dt>Reason</dt>
            <dd>{card.lostReason}</dd>
          </>
        )}
      </dl>
      {movable && (
        <label>
          Stage
          <select
            aria-label={`Stage of ${card.name}`}
            value={card.stage}
            onChange={(e) => onChooseStage(e.target.value as CrmPipelineStage)}
          >
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {STAGE_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
      )}
      {closed && isAdmin && <ReopenButton card={card} />}
    </article>
  );
}

/** Admins: reopen a won or lost opportunity to negotiation, with a reason. */
function ReopenButton({ card }: { card: CrmOpportunity }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  const reopen = useMutation(
    trpc.crm.opportunities.reopen.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.crm.opportunities.board.queryKey() }),
    }),
  );
  if (!asking) {
    return (
      <button
        type="button"
        className="button-secondary"
        onClick={() => setAsking(true)}
        aria-label={`Reopen ${card.name}`}
      >
        Reopen
      </button>
    );
  }
  return (
    <form
      className="stack-form"
      aria-label={`Reopen ${card.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        reopen.mutate({ opportunityId: card.id, reason });
      }}
    >
      <label>
        Why reopen?
        <input required minLength={3} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <button type="submit" disabled={reopen.isPending}>
        Reopen to negotiation
      </button>
      <ErrorAlert error={reopen.error} />
    </form>
  );
}

function LostReasonForm({
  card,
  onConfirm,
  onCancel,
}: {
  card: CrmOpportunity;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState("");
  return (
    <form
      className="crm-dialog stack-form"
      aria-label="Lost reason"
      onSubmit={(e) => {
        e.preventDefault();
        onConfirm(reason.trim());
      }}
    >
      <strong>Mark “{card.name}” as lost</strong>
      <label>
        Why was it lost?
        <input
          required
          // biome-ignore lint/a11y/noAutofocus: the form opens in answer to the move, so focus belongs here
          autoFocus
          maxLength={1000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      <div className="panel-actions">
        <button type="submit" disabled={!reason.trim()}>
          Mark as lost
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Creates an opportunity, or edits `opportunity` (its stage moves on the board, not here). */
function OpportunityForm({ opportunity, onDone }: { opportunity: CrmOpportunity | null; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const o = opportunity;
  const [fields, setFields] = useState<OpportunityFieldValues>(() => ({
    name: o?.name ?? "",
    tenantId: o?.tenantId ?? "",
    value: o ? moneyInputValue(o.estimatedValueMinor, o.currency) : "",
    currency: o?.currency ?? "USD",
    closeDate: o ? dateInputValue(o.closeDate) : localDayFromTodayInputValue({ days: 30 }),
    stage: "prospecting",
  }));
  const [probability, setProbability] = useState(o?.probabilityPct?.toString() ?? "");
  const [managerId, setManagerId] = useState(o?.accountManagerId ?? "");
  const [problem, setProblem] = useState<string | null>(null);
  const onSuccess = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.crm.opportunities.pathKey() });
    onDone();
  };
  const create = useMutation(trpc.crm.opportunities.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.crm.opportunities.update.mutationOptions({ onSuccess }));
  const remove = useMutation(trpc.crm.opportunities.delete.mutationOptions({ onSuccess }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const input = opportunityFieldsInput(fields);
    if (!input.ok) {
      setProblem(input.problem);
      return;
    }
    setProblem(null);
    const { stage, ...common } = input.fields;
    const rest = {
      ...common,
      probabilityPct: probability === "" ? null : Number.parseInt(probability, 10),
      accountManagerId: managerId || null,
    };
    if (o) update.mutate({ opportunityId: o.id, ...rest });
    else create.mutate({ ...rest, stage });
  };
  const title = o ? `Edit ${o.name}` : "New opportunity";
  const pending = create.isPending || update.isPending;
  return (
    <section className="panel">
      <h2>{title}</h2>
      <form className="grid-form" onSubmit={onSubmit} aria-label={title}>
        <OpportunityFields values={fields} onChange={setFields} tenantNone="No tenant (new business)" showStage={!o} />
        <label>
          Probability override (%)
          <input
            type="number"
            min={0}
            max={100}
            value={probability}
            placeholder="stage default"
            onChange={(e) => setProbability(e.target.value)}
          />
        </label>
        <EmployeeSelect label="Account manager" value={managerId} onChange={setManagerId} />
        <div className="actions">
          <button type="submit" disabled={pending}>
            {pending ? "Saving…" : o ? "Save opportunity" : "Create opportunity"}
          </button>
          <button type="button" className="button-secondary" onClick={onDone}>
            Cancel
          </button>
          {o && (
            <ConfirmAction
              mutation={remove}
              input={{ opportunityId: o.id }}
              action="Delete"
              subject={o.name}
              consequence="It leaves the board and the forecast."
            />
          )}
        </div>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <ErrorAlert error={create.error ?? update.error} />
      </form>
    </section>
  );
}
