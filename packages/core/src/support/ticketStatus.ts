/**
 * The support ticket status flow (sup_tickets.status):
 *
 *   open → in_progress → awaiting_customer → resolved → closed
 *
 * with the moves of {@link TICKET_TRANSITIONS}: who may make each — support agents (provider staff
 * with write access), the requester side (the ticket's tenant users with support:write) or the
 * platform (`system`: automatic moves such as a customer reply waking a ticket that awaited them, or
 * closing resolved tickets after {@link AUTO_CLOSE_RESOLVED_AFTER_DAYS} days). Like Zendesk, a
 * customer reply on a resolved ticket reopens it, and closed tickets are final: a new ticket is needed.
 */
import { DomainError } from "../errors";

/** The statuses in flow order (sup_ticket_status). */
export const TICKET_STATUS_FLOW = ["open", "in_progress", "awaiting_customer", "resolved", "closed"] as const;
/** A ticket status (sup_tickets.status). */
export type TicketStatus = (typeof TICKET_STATUS_FLOW)[number];

/** Who makes a move: a provider support agent, the requester's side (tenant users), or the platform. */
export type TicketActorSide = "agent" | "requester" | "system";

/** Resolved tickets close by themselves after this many days without a reopening reply. */
export const AUTO_CLOSE_RESOLVED_AFTER_DAYS = 7;

/**
 * Allowed moves: from → to → the sides that may make it. Anything not listed is illegal.
 * - open → in_progress (an agent picks it up), awaiting_customer (an agent asks a question), resolved
 * - in_progress → awaiting_customer, resolved, open (an agent hands it back to the queue)
 * - awaiting_customer → in_progress (an agent, or automatically when the customer replies), resolved
 * - resolved → open (reopen: an agent, or the customer replying), closed (an agent, or the auto-close job)
 * - closed → nothing
 */
export const TICKET_TRANSITIONS: Readonly<Record<TicketStatus, Partial<Record<TicketStatus, TicketActorSide[]>>>> = {
  open: {
    in_progress: ["agent"],
    awaiting_customer: ["agent"],
    resolved: ["agent", "requester"],
  },
  in_progress: {
    awaiting_customer: ["agent"],
    resolved: ["agent", "requester"],
    open: ["agent"],
  },
  awaiting_customer: {
    in_progress: ["agent", "requester", "system"],
    resolved: ["agent", "requester"],
  },
  resolved: {
    open: ["agent", "requester"],
    closed: ["agent", "system"],
  },
  closed: {},
};

const SIDE_NAMES: Record<TicketActorSide, string> = {
  agent: "a support agent",
  requester: "the customer",
  system: "the platform",
};

/**
 * Why `side` may not move a ticket from `from` to `to`, or null when the move is allowed. The reason
 * names both states, e.g. "a ticket cannot move from closed to open: closed tickets are final; open a
 * new ticket".
 */
export function transitionProblem(from: TicketStatus, to: TicketStatus, side: TicketActorSide): string | null {
  if (from === to) return `the ticket is already ${from}`;
  const sides = TICKET_TRANSITIONS[from][to];
  if (!sides) {
    const hint =
      from === "closed"
        ? "closed tickets are final; open a new ticket"
        : to === "closed"
          ? "only resolved tickets can be closed"
          : `from ${from} it can move to ${allowedFrom(from) || "nothing"}`;
    return `a ticket cannot move from ${from} to ${to}: ${hint}`;
  }
  if (!sides.includes(side)) {
    return `${SIDE_NAMES[side]} cannot move a ticket from ${from} to ${to}: only ${sides.map((s) => SIDE_NAMES[s]).join(" or ")} can`;
  }
  return null;
}

function allowedFrom(from: TicketStatus): string {
  return Object.keys(TICKET_TRANSITIONS[from]).join(", ");
}

/**
 * Throws with {@link transitionProblem}'s reason when the move is not allowed: DomainError("invalid")
 * for a move the flow does not have, ("forbidden") for one it has but not for `side`.
 */
export function assertTransition(from: TicketStatus, to: TicketStatus, side: TicketActorSide): void {
  const problem = transitionProblem(from, to, side);
  if (!problem) return;
  const existsForOthers = from !== to && TICKET_TRANSITIONS[from][to] !== undefined;
  throw new DomainError(existsForOthers ? "forbidden" : "invalid", problem);
}

/** The statuses `side` may move a ticket to from `from`, in flow order. */
export function allowedTransitions(from: TicketStatus, side: TicketActorSide): TicketStatus[] {
  return TICKET_STATUS_FLOW.filter((to) => TICKET_TRANSITIONS[from][to]?.includes(side) ?? false);
}
