// A 5x5 grid of buttons (probability rows, impact columns), each cell naming its count; a click filters the table.
import { Typography } from "antd";

import type { HeatMap } from "../api/types";
import { useI18n } from "../i18n";
import { BAND_BACKGROUND } from "./labels";

export type Which = "inherent" | "residual";
export interface Cell {
  which: Which;
  probability: number;
  impact: number;
}

export function HeatMapGrid({
  heatmap,
  which,
  selected,
  onSelect,
}: {
  heatmap: HeatMap;
  which: Which;
  selected: Cell | null;
  onSelect: (cell: Cell | null) => void;
}) {
  const { t } = useI18n();
  const rows = [5, 4, 3, 2, 1];
  const cols = [1, 2, 3, 4, 5];
  const cellOf = (p: number, i: number) => heatmap.cells.find((c) => c.probability === p && c.impact === i);
  const title = which === "inherent" ? t("risks.before") : t("risks.after");
  return (
    <figure style={{ margin: 0 }} data-testid={`heatmap-${which}`}>
      <figcaption>
        <Typography.Text strong>{title}</Typography.Text>
      </figcaption>
      <div className="heatmap-grid" role="group" aria-label={title}>
        {rows.map((p) => (
          <div key={p} style={{ display: "contents" }}>
            <div className="heatmap-axis" aria-hidden>
              {p}
            </div>
            {cols.map((i) => {
              const cell = cellOf(p, i);
              const count = which === "inherent" ? heatmap.inherent[p - 1][i - 1] : heatmap.residual[p - 1][i - 1];
              const isSelected = selected?.which === which && selected.probability === p && selected.impact === i;
              return (
                <button
                  key={i}
                  type="button"
                  className={`heatmap-cell${isSelected ? " selected" : ""}`}
                  style={{ background: cell ? BAND_BACKGROUND[cell.band] : "#f1f5f9" }}
                  aria-pressed={isSelected}
                  aria-label={t("risks.cellLabel", { p, i, n: count })}
                  data-testid={`cell-${which}-${p}-${i}`}
                  onClick={() => onSelect(isSelected ? null : { which, probability: p, impact: i })}
                >
                  {count || ""}
                </button>
              );
            })}
          </div>
        ))}
        <div />
        {cols.map((i) => (
          <div key={i} className="heatmap-axis" aria-hidden>
            {i}
          </div>
        ))}
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        ↑ {t("risks.probability")} · → {t("risks.impact")}
      </Typography.Text>
    </figure>
  );
}
