/**
 * Domain errors. The API layer maps them to transport codes (tRPC: NOT_FOUND, CONFLICT,
 * BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, TOO_MANY_REQUESTS); services never know about HTTP.
 */
export type DomainErrorCode = "not_found" | "conflict" | "invalid" | "unauthorized" | "forbidden" | "rate_limited";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** For `rate_limited`: seconds until a retry may succeed. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** Prisma's unique-constraint violation (P2002), without importing Prisma's runtime error class. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}

/** One readable sentence from zod issues: `slug: use lowercase letters…; countryCode: …`. */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/** What {@link parseInput} needs of a zod schema (core services take any schema with `safeParse`). */
export interface SafeParser<T> {
  safeParse(
    input: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/** `schema.parse(input)`, with a failure as DomainError("invalid") naming the fields ({@link describeIssues}). */
export function parseInput<T>(schema: SafeParser<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  return parsed.data;
}
