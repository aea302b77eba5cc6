/**
 * A page's view kept in the URL's search parameters (so a view can be shared and survives reload).
 */
import { useCallback } from "react";
import { useSearchParams } from "react-router";

/**
 * The current search parameters and `update(changes)`, which sets each given parameter (an empty,
 * null or undefined value removes it) and keeps the others, replacing the history entry.
 */
export function useSearchParamsUpdater(): [
  URLSearchParams,
  (changes: Record<string, string | null | undefined>) => void,
] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: Record<string, string | null | undefined>) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(changes)) {
            if (v) next.set(k, v);
            else next.delete(k);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [params, update];
}
