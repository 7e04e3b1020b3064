// One document: its details and its passages with page or section. ?chunk=<id>&quote=<text> scrolls to the cited
// passage and marks the quote.
import { Alert, Card, Descriptions, List, Space, Tag, Typography } from "antd";
import { useEffect } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";

import { get, seg } from "../api/client";
import type { DocumentDetail } from "../api/types";
import { ErrorAlert } from "../components/ErrorAlert";
import { Highlight } from "../components/Highlight";
import { STATUS_COLOR } from "../components/labels";
import { useLoad } from "../hooks/useLoad";
import { useI18n, useLabel } from "../i18n";
import { useProjectId } from "../Shell";

export function DocumentView() {
  const pid = useProjectId();
  const { docId = "" } = useParams();
  const [params] = useSearchParams();
  const chunkId = params.get("chunk");
  const quote = params.get("quote");
  const { t } = useI18n();
  const label = useLabel();
  const { data: doc, error, reload } = useLoad(
    (signal) => get<DocumentDetail>(`/projects/${seg(pid)}/documents/${seg(docId)}`, { include_chunks: true }, signal),
    [pid, docId],
  );

  useEffect(() => {
    if (doc && chunkId) document.getElementById(`chunk-${chunkId}`)?.scrollIntoView({ block: "center" });
  }, [doc, chunkId]);

  return (
    <>
      <Space style={{ marginBottom: 8 }}>
        <Link to={`/p/${encodeURIComponent(pid)}/documents`}>← {t("documents.title")}</Link>
      </Space>
      <ErrorAlert error={error} onRetry={reload} />
      {doc && (
        <>
          <Typography.Title level={2} style={{ wordBreak: "break-all" }}>
            {doc.title || doc.file_name}
          </Typography.Title>
          <Descriptions size="small" bordered column={{ xs: 1, sm: 2, lg: 3 }} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t("documents.file")}>{doc.file_name}</Descriptions.Item>
            <Descriptions.Item label={t("documents.type")}>{label("doctype", doc.doc_type)}</Descriptions.Item>
            <Descriptions.Item label={t("documents.language")}>{label("lang", doc.language)}</Descriptions.Item>
            <Descriptions.Item label={t("documents.date")}>{doc.doc_date ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("documents.status")}>
              <Tag color={STATUS_COLOR[doc.status]}>{label("status", doc.status)}</Tag> {doc.reason}
            </Descriptions.Item>
            <Descriptions.Item label={t("documents.pages")}>{doc.page_count ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("documents.chunks")}>{doc.chunk_count}</Descriptions.Item>
            <Descriptions.Item label={t("documents.indexedAt")}>
              {doc.indexed_at ? new Date(doc.indexed_at).toLocaleString() : "—"}
            </Descriptions.Item>
            {Object.entries(doc.meta).map(([k, v]) => (
              <Descriptions.Item key={k} label={k}>
                {v}
              </Descriptions.Item>
            ))}
          </Descriptions>
          {doc.warnings.length > 0 && (
            <Alert type="warning" showIcon title={t("documents.warnings")} description={doc.warnings.join(" · ")} style={{ marginBottom: 16 }} />
          )}
          {quote && <Typography.Paragraph type="secondary">{t("documents.highlighted")}</Typography.Paragraph>}
          <Typography.Title level={3} style={{ fontSize: 18 }}>
            {t("documents.passages")}
          </Typography.Title>
          <List
            dataSource={doc.chunks ?? []}
            renderItem={(c) => {
              const cited = c.id === chunkId;
              return (
                <Card
                  id={`chunk-${c.id}`}
                  size="small"
                  data-testid={cited ? "cited-chunk" : "chunk"}
                  style={{ marginBottom: 8, borderColor: cited ? "#1d4ed8" : undefined, borderWidth: cited ? 2 : 1 }}
                  title={
                    <Space size={8} wrap>
                      <span>#{c.position + 1}</span>
                      {c.page != null && <Tag>{t("common.page", { n: c.page })}</Tag>}
                      {c.section && <Tag color="blue">{c.section}</Tag>}
                    </Space>
                  }
                >
                  <div className="passage">{cited && quote ? <Highlight text={c.text} marks={[quote]} /> : c.text}</div>
                </Card>
              );
            }}
          />
        </>
      )}
    </>
  );
}
