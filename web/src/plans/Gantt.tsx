// The plan's schedule as a Gantt chart: a bar per phase from its start to its end, its milestones as diamonds on
// its row, milestones outside any phase and the cut-over's dated stages on rows of their own. Only dated items
// are drawn; the rest are listed under the chart, so nothing the plan holds is silently left out. The chart's
// accessible description lists what it draws, in words.
import { Typography } from "antd";
import { useMemo } from "react";

import type { PlanDetail } from "../api/types";
import { Chart, graphic, type ChartOption } from "../components/Chart";
import { useI18n } from "../i18n";

const DAY = 86_400_000;
const BAR = "#2563eb";
const PROPOSED_BAR = "#7c3aed";
const MARK = "#b45309";

interface Bar {
  row: number;
  start: number;
  end: number;
  name: string;
  proposed: boolean;
}
interface Mark {
  row: number;
  at: number;
  name: string;
}

export interface Schedule {
  rows: string[];
  from: number; // the earliest date drawn (ms)
  to: number; // the latest
  bars: Bar[];
  marks: Mark[];
  undated: string[];
  described: string[];
}

const ms = (d: string) => new Date(`${d}T00:00:00Z`).getTime();

/** What the chart draws and what it cannot (undated items), from a plan. */
interface Words {
  milestones: string;
  cutover: string;
  starts: string;
  ends: string;
  noStart: string;
  noEnd: string;
}

export function schedule(plan: PlanDetail, words: Words): Schedule {
  const rows: string[] = [];
  const bars: Bar[] = [];
  const marks: Mark[] = [];
  const undated: string[] = [];
  const described: string[] = [];
  const milestoneMarks = (row: number, where: string, items: PlanDetail["milestones"]) => {
    for (const m of items ?? []) {
      if (m.date) {
        marks.push({ row, at: ms(m.date), name: m.name });
        described.push(`${m.name} ${m.date}`);
      } else undated.push(where ? `${where} › ${m.name}` : m.name);
    }
  };
  for (const phase of plan.phases ?? []) {
    const row = rows.push(phase.name) - 1;
    if (phase.start && phase.end) {
      bars.push({ row, start: ms(phase.start), end: ms(phase.end) + DAY, name: phase.name, proposed: !!phase.proposed });
      described.push(`${phase.name} ${phase.start} – ${phase.end}`);
    } else if (phase.start || phase.end) {
      // One date only: a marker where it is, and the phase listed as lacking the other.
      const date = (phase.start ?? phase.end)!;
      marks.push({ row, at: ms(date), name: `${phase.name} (${phase.start ? words.starts : words.ends} ${date})` });
      described.push(`${phase.name} ${phase.start ? words.starts : words.ends} ${date}`);
      undated.push(`${phase.name} (${phase.start ? words.noEnd : words.noStart})`);
    } else undated.push(phase.name);
    milestoneMarks(row, phase.name, phase.milestones);
  }
  if ((plan.milestones ?? []).length) milestoneMarks(rows.push(words.milestones) - 1, "", plan.milestones);
  const stages = plan.cutover?.stages ?? [];
  if (stages.length) {
    const row = rows.push(words.cutover) - 1;
    for (const stage of stages) {
      const name = stage.scope ? `${stage.name}: ${stage.scope}` : stage.name;
      if (stage.date) {
        marks.push({ row, at: ms(stage.date), name });
        described.push(`${name} ${stage.date}`);
      } else undated.push(`${words.cutover} › ${name}`);
    }
  }
  // Rows with nothing dated on them are left out of the chart (they are in the undated list).
  const used = new Set([...bars.map((b) => b.row), ...marks.map((m) => m.row)]);
  const kept = rows.map((_, i) => i).filter((i) => used.has(i));
  const renumber = new Map(kept.map((old, i) => [old, i]));
  const times = [...bars.flatMap((b) => [b.start, b.end]), ...marks.map((m) => m.at)];
  return {
    rows: kept.map((i) => rows[i]),
    from: Math.min(...times),
    to: Math.max(...times),
    bars: bars.map((b) => ({ ...b, row: renumber.get(b.row)! })),
    marks: marks.map((m) => ({ ...m, row: renumber.get(m.row)! })),
    undated,
    described,
  };
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

export function Gantt({ plan }: { plan: PlanDetail }) {
  const { t } = useI18n();
  const plot = useMemo(
    () =>
      schedule(plan, {
        milestones: t("plan.milestonesRow"),
        cutover: t("plan.cutoverRow"),
        starts: t("plan.starts"),
        ends: t("plan.ends"),
        noStart: t("plan.noStart"),
        noEnd: t("plan.noEnd"),
      }),
    [plan, t],
  );
  const description = `${t("plan.gantt")}: ${plot.described.join("; ") || t("plan.ganttEmpty")}`;
  const option = useMemo<ChartOption>(
    () => ({
      aria: { enabled: true, label: { description } },
      grid: { left: 8, right: 24, top: 16, bottom: 48, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: (p: { seriesIndex: number; value: number[]; name: string }) =>
          p.seriesIndex === 0 ? `${p.name}: ${day(p.value[1])} – ${day(p.value[2] - DAY)}` : `${p.name}: ${day(p.value[0])}`,
      },
      legend: { bottom: 0, data: [t("plan.phases"), t("plan.milestones")] },
      // A week either side, so a marker on the first or last day is not cut by the plot's edge.
      xAxis: { type: "time", min: plot.from - 7 * DAY, max: plot.to + 7 * DAY, splitLine: { show: true, lineStyle: { color: "#e5e7eb" } } },
      yAxis: { type: "category", data: plot.rows, inverse: true, axisTick: { show: false } },
      series: [
        {
          type: "custom",
          name: t("plan.phases"),
          itemStyle: { color: BAR },
          encode: { x: [1, 2], y: 0 },
          data: plot.bars.map((b) => ({
            name: b.name,
            value: [b.row, b.start, b.end],
            itemStyle: { color: b.proposed ? PROPOSED_BAR : BAR },
          })),
          renderItem: (
            params: { coordSys: { x: number; y: number; width: number; height: number } },
            api: { value: (i: number) => number; coord: (v: number[]) => number[]; size: (v: number[]) => number[]; style: () => object },
          ) => {
            const row = api.value(0);
            const from = api.coord([api.value(1), row]);
            const to = api.coord([api.value(2), row]);
            const height = api.size([0, 1])[1] * 0.5;
            const shape = graphic.clipRectByRect(
              { x: from[0], y: from[1] - height / 2, width: Math.max(to[0] - from[0], 3), height },
              params.coordSys,
            );
            return shape && { type: "rect", shape, style: api.style() };
          },
        },
        {
          type: "scatter",
          name: t("plan.milestones"),
          symbol: "diamond",
          symbolSize: 14,
          itemStyle: { color: MARK, borderColor: "#fff", borderWidth: 1 },
          label: { show: false },
          z: 3,
          data: plot.marks.map((m) => ({ name: m.name, value: [m.at, m.row] })),
        },
      ],
    }),
    [plot, description, t],
  );
  return (
    <div data-testid="gantt">
      {plot.rows.length > 0 ? (
        <Chart option={option} height={Math.max(160, plot.rows.length * 40 + 80)} label={description} testId="gantt-chart" />
      ) : (
        <Typography.Paragraph type="secondary">{t("plan.ganttEmpty")}</Typography.Paragraph>
      )}
      {plot.undated.length > 0 && (
        <Typography.Paragraph data-testid="undated">
          <Typography.Text strong>{t("plan.undated")}: </Typography.Text>
          {plot.undated.join("; ")}
        </Typography.Paragraph>
      )}
    </div>
  );
}
