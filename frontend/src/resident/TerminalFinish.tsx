/** At a public office's terminal, under the receipt: "print, then finish", which wipes the resident (./terminal.ts). */
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { wipeResident } from "./terminal.js";

export function TerminalFinish(): ReactNode {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  return (
    <div className="notice terminal no-print" data-testid="terminal-finish">
      <p>{t("phone.finishHint")}</p>
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void wipeResident();
        }}
      >
        {t("phone.finish")}
      </button>
    </div>
  );
}
