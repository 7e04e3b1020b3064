// Where an item of a plan comes from: its evidence grouped by passage (one link per document and page or
// section, however many quotes it gave), each opening the passage with its quotes marked. The first links show;
// the rest open on demand, so a fact stated in many documents does not stretch its row. An item no document
// states is marked as the assistant's proposal.
import { Button, Space, Tag, Tooltip } from "antd";
import { useState } from "react";

import type { PlanEvidence } from "../api/types";
import type { PassageRef } from "../components/PassageDrawer";
import { useI18n } from "../i18n";

export type OpenPassage = (ref: PassageRef) => void;

const SHOWN = 2; // passages listed before "+n more"

export function evidenceRef(e: Pick<PlanEvidence, "document_id" | "file_name" | "quote"> & { chunk_id?: string | null }): PassageRef {
  return { title: e.file_name, documentId: e.document_id, chunkId: e.chunk_id ?? null, quote: e.quote };
}

interface Group {
  first: PlanEvidence;
  quotes: string[];
}

/** One group per passage (chunk, else page or section of a document), in the order the evidence lists them. */
export function byPassage(evidence: PlanEvidence[]): Group[] {
  const groups = new Map<string, Group>();
  for (const e of evidence) {
    const key = `${e.document_id}|${e.chunk_id ?? e.page ?? e.section ?? ""}`;
    const group = groups.get(key);
    if (group) {
      if (!group.quotes.includes(e.quote)) group.quotes.push(e.quote);
    } else groups.set(key, { first: e, quotes: [e.quote] });
  }
  return [...groups.values()];
}

export function ProposedTag() {
  const { t } = useI18n();
  return (
    <Tooltip title={t("plan.proposedHint")}>
      <Tag color="purple" data-testid="proposed">
        {t("plan.proposed")}
      </Tag>
    </Tooltip>
  );
}

export function EvidenceLinks({
  evidence,
  proposed,
  onOpen,
}: {
  evidence: PlanEvidence[] | undefined;
  proposed?: boolean;
  onOpen: OpenPassage;
}) {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const groups = byPassage(evidence ?? []);
  if (!groups.length && !proposed) return <span>—</span>;
  const shown = all ? groups : groups.slice(0, SHOWN);
  return (
    <Space size={[4, 0]} wrap>
      {proposed && <ProposedTag />}
      {shown.map(({ first: e, quotes }, i) => {
        const where = e.page != null ? t("common.page", { n: e.page }) : e.section;
        const name = `${e.file_name}${where ? ` · ${where}` : ""}`;
        return (
          <Tooltip key={i} title={`${name}: ${quotes.map((q) => `“${q}”`).join(" ")}`}>
            <Button
              type="link"
              size="small"
              className="evidence-link"
              data-testid="evidence-link"
              aria-label={t("plan.openEvidence", { file: name, quote: quotes[0].slice(0, 80) })}
              onClick={() => onOpen({ ...evidenceRef(e), marks: quotes })}
            >
              {name}
              {quotes.length > 1 ? ` (${quotes.length})` : ""}
            </Button>
          </Tooltip>
        );
      })}
      {groups.length > SHOWN && (
        <Button type="text" size="small" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? t("plan.fewerEvidence") : t("plan.moreEvidence", { n: groups.length - SHOWN })}
        </Button>
      )}
    </Space>
  );
}
