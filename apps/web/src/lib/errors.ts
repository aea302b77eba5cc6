import { TRPCClientError } from "@trpc/client";

/** Field errors from a BAD_REQUEST (see the API's errorFormatter), keyed by input field. */
export function fieldErrors(error: unknown): Record<string, string[] | undefined> {
  if (error instanceof TRPCClientError) {
    const data = error.data as { fieldErrors?: Record<string, string[] | undefined> | null } | undefined;
    return data?.fieldErrors ?? {};
  }
  return {};
}

/** The tRPC error code (`UNAUTHORIZED`, `FORBIDDEN`, `NOT_FOUND`, …), or null for other errors. */
export function errorCode(error: unknown): string | null {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string } | undefined;
    return data?.code ?? null;
  }
  return null;
}

/** A message a person can read. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const fields = fieldErrors(error);
    const first = Object.entries(fields).find(([, v]) => v && v.length > 0);
    if (first) return `${first[0]}: ${first[1]?.[0]}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
