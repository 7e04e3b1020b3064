// A cited passage read in place: the chunk from its document, the quote marked, and whether the citation holds.
import { Drawer, Space, Spin, Tag, Typography } from "antd";
import { Link } from "react-router-dom";

import { get, seg } from "../api/client";
import type { DocumentDetail } from "../api/types";
import { useLoad } from "../hooks/useLoad";
import { useI18n } from "../i18n";
import { ErrorAlert } from "./ErrorAlert";
import { findRanges, Highlight } from "./Highlight";

export interface PassageRef {
  title: string;
  documentId: string;
  chunkId: string | null;
  quote: string;
  /** Every quote to mark in the passage when it gave more than one (the first is `quote`). */
  marks?: string[];
  supported?: boolean;
}

export function documentLink(pid: string, ref: PassageRef): string {
  const query = new URLSearchParams();
  if (ref.chunkId) query.set("chunk", ref.chunkId);
  if (ref.quote) query.set("quote", ref.quote);
  return `/p/${encodeURIComponent(pid)}/documents/${encodeURIComponent(ref.documentId)}?${query}`;
}

export function PassageDrawer({ pid, passage, onClose }: { pid: string; passage: PassageRef | null; onClose: () => void }) {
  // The body (and its request) exists only while the drawer is open.
  return (
    <Drawer open={!!passage} onClose={onClose} title={passage?.title} size={Math.min(736, window.innerWidth)} destroyOnHidden>
      {passage && <PassageBody pid={pid} passage={passage} />}
    </Drawer>
  );
}

function PassageBody({ pid, passage }: { pid: string; passage: PassageRef }) {
  const { t } = useI18n();
  const { data: doc, error, loading } = useLoad(
    (signal) => get<DocumentDetail>(`/projects/${seg(pid)}/documents/${seg(passage.documentId)}`, { include_chunks: true }, signal),
    [pid, passage.documentId],
  );
  // A citation without its passage's id (a conflict's value, a requirement's source) opens the first
  // passage of the document that holds its quote.
  const chunk =
    doc?.chunks?.find((c) => c.id === passage.chunkId) ??
    (passage.chunkId || !passage.quote ? undefined : doc?.chunks?.find((c) => findRanges(c.text, [passage.quote]).length > 0));
  return (
    <div data-testid="passage">
      <Space wrap style={{ marginBottom: 12 }}>
        {passage.supported !== undefined && (
          <Tag color={passage.supported ? "success" : "error"} data-testid="support">
            {passage.supported ? t("ask.supported") : t("ask.notSupported")}
          </Tag>
        )}
        {doc && <Typography.Text strong>{doc.file_name}</Typography.Text>}
        {chunk?.page != null && <Tag>{t("common.page", { n: chunk.page })}</Tag>}
        {chunk?.section && <Tag color="blue">{chunk.section}</Tag>}
      </Space>
      <ErrorAlert error={error} />
      {loading && <Spin />}
      {doc && (
        <div className="passage">
          {chunk ? <Highlight text={chunk.text} marks={passage.marks ?? [passage.quote]} /> : <mark className="quote">{passage.quote}</mark>}
        </div>
      )}
      <Typography.Paragraph style={{ marginTop: 16 }}>
        <Link to={documentLink(pid, passage)}>{t("ask.openDocument")}</Link>
      </Typography.Paragraph>
    </div>
  );
}
