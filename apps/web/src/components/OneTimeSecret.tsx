import { type ReactNode, useRef, useState } from "react";

/**
 * A secret shown this once (a display link, an API key): only its hash is stored, so it cannot be
 * shown again. Offers copy to the clipboard, falling back to selecting the text where copying is blocked.
 */
export function OneTimeSecret({
  id,
  title,
  label,
  value,
  warning,
  onDone,
}: {
  /** DOM id of the read-only input. */
  id: string;
  title: ReactNode;
  /** Accessible name of the input, e.g. "Display URL". */
  label: string;
  value: string;
  warning: ReactNode;
  onDone: () => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      input.current?.select();
      setCopied("no");
    }
  };
  return (
    <div className="once" role="status">
      <p>{title}</p>
      <div className="copy-row">
        <label className="sr-only" htmlFor={id}>
          {label}
        </label>
        <input id={id} ref={input} readOnly value={value} onFocus={(e) => e.target.select()} />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="warning">{warning}</p>
      {copied === "yes" && <p className="success">Copied to the clipboard.</p>}
      {copied === "no" && <p className="muted">Copying is blocked here: the text is selected, press Ctrl+C.</p>}
      <button type="button" className="button-secondary" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
