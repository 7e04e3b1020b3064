import { App, Button, Card, List, Popconfirm, Progress, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router-dom";

import { del, get, patch, post, seg, upload } from "../api/client";
import type { DocumentList, DocumentPublic, DocumentType, JobAccepted, JobPublic } from "../api/types";
import { DropZone, type Picked } from "../components/DropZone";
import { ErrorAlert, useReportError } from "../components/ErrorAlert";
import { STATUS_COLOR } from "../components/labels";
import { useLoad } from "../hooks/useLoad";
import { useI18n, useLabel } from "../i18n";
import { useSession } from "../session";
import { useProjectId } from "../Shell";

const DOC_TYPES: DocumentType[] = ["meeting", "email", "spec", "other"];
const POLL_MS = 1000;

interface Batch {
  key: number;
  names: string[];
  sent: number; // share of the request body sent, 0..1
  job?: JobPublic;
  error?: unknown;
}

const busy = (d: DocumentPublic) =>
  d.status === "queued" || d.status === "reading" || ["pending", "running"].includes(d.background?.scan.status ?? "");

export function Documents() {
  const pid = useProjectId();
  const { t } = useI18n();
  const label = useLabel();
  const { can } = useSession();
  const { message } = App.useApp();
  const report = useReportError();
  const base = `/projects/${seg(pid)}`;
  const docs = useLoad((signal) => get<DocumentList>(`${base}/documents`, undefined, signal), [pid]);
  const [batches, setBatches] = useState<Batch[]>([]);
  const counter = useRef(0);

  // Follow the documents while any is being read or scanned (background work goes on after a job is done).
  const reload = docs.reload;
  const working = (docs.data?.items ?? []).some(busy) || batches.some((b) => !b.error && b.job?.status !== "done" && b.job?.status !== "failed");
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(reload, POLL_MS * 2);
    return () => clearInterval(timer);
  }, [working, reload]);

  const update = (key: number, change: Partial<Batch>) =>
    setBatches((all) => all.map((b) => (b.key === key ? { ...b, ...change } : b)));

  const send = async (picked: Picked[]) => {
    const key = ++counter.current;
    setBatches((all) => [{ key, names: picked.map((p) => p.name), sent: 0 }, ...all]);
    const form = new FormData();
    for (const p of picked) form.append("files", p.file, p.name);
    try {
      const accepted = await upload<JobAccepted>(`${base}/documents`, form, (sent) => update(key, { sent }));
      update(key, { sent: 1 });
      for (;;) {
        const job = await get<JobPublic>(`/jobs/${seg(accepted.job_id)}`);
        update(key, { job });
        if (job.status === "done" || job.status === "failed") break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      reload();
    } catch (err) {
      update(key, { error: err });
    }
  };

  const changeType = async (doc: DocumentPublic, type: DocumentType) => {
    try {
      await patch(`${base}/documents/${seg(doc.id)}`, { doc_type: type });
      message.success(t("documents.typeChanged", { name: doc.file_name, type: label("doctype", type) }));
      reload();
    } catch (err) {
      report(err);
    }
  };
  const remove = async (doc: DocumentPublic) => {
    try {
      const out = await del<{ deleted: string[] }>(`${base}/documents/${seg(doc.id)}`);
      message.success(t("documents.deleted", { n: out.deleted.length }));
      reload();
    } catch (err) {
      report(err);
    }
  };
  const reindex = async (doc?: DocumentPublic) => {
    try {
      const out = await post<JobAccepted>(doc ? `${base}/documents/${seg(doc.id)}/reindex` : `${base}/reindex`);
      message.success(t("documents.reindexQueued", { n: out.files }));
      reload();
    } catch (err) {
      report(err);
    }
  };

  return (
    <>
      <Typography.Title level={2}>{t("documents.title")}</Typography.Title>
      {can("analyst") && (
        <div style={{ marginBottom: 16 }}>
          <DropZone onFiles={(p) => void send(p)} />
        </div>
      )}
      {batches.map((b) => (
        <Card key={b.key} size="small" style={{ marginBottom: 12 }} data-testid="upload-batch"
          title={t("documents.job", { n: b.names.length })}
          extra={b.job && <span>{t("documents.jobStatus", { done: b.job.done, total: b.job.total })} · {label("status", b.job.status)}</span>}
        >
          <ErrorAlert error={b.error} />
          {!b.error && b.sent < 1 && (
            <Progress percent={Math.round(b.sent * 100)} size="small" aria-label={t("documents.sending")} />
          )}
          <List
            size="small"
            dataSource={b.job?.files ?? b.names.map((name) => ({ file_name: name, status: "queued" as const, reason: null, document_id: null }))}
            renderItem={(f) => (
              <List.Item data-testid="upload-file">
                <Space wrap>
                  <span>{f.file_name}</span>
                  <Tag color={STATUS_COLOR[f.status]}>{label("status", f.status)}</Tag>
                  {f.reason && <Typography.Text type="danger">{f.reason}</Typography.Text>}
                </Space>
              </List.Item>
            )}
          />
        </Card>
      ))}
      <ErrorAlert error={docs.error} onRetry={reload} />
      <Space style={{ marginBottom: 8 }}>
        <Button onClick={reload}>{t("common.refresh")}</Button>
        {can("analyst") && (
          <Popconfirm title={t("documents.reindexAll")} onConfirm={() => void reindex()}>
            <Button>{t("documents.reindexAll")}</Button>
          </Popconfirm>
        )}
      </Space>
      <Table<DocumentPublic>
        rowKey="id"
        loading={docs.loading && !docs.data}
        dataSource={docs.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 1000 }}
        locale={{ emptyText: t("documents.none") }}
        columns={[
          {
            title: t("documents.file"),
            dataIndex: "file_name",
            sorter: (a, b) => a.file_name.localeCompare(b.file_name),
            render: (name: string, d) => (
              <Space orientation="vertical" size={0}>
                <Link to={`/p/${encodeURIComponent(pid)}/documents/${encodeURIComponent(d.id)}`}>{name}</Link>
                {d.parent_id && <Typography.Text type="secondary">{t("documents.attachmentOf")}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: t("documents.type"),
            dataIndex: "doc_type",
            filters: DOC_TYPES.map((v) => ({ text: label("doctype", v), value: v })),
            onFilter: (v, d) => d.doc_type === v,
            render: (type: string, d) =>
              can("analyst") ? (
                <Select<DocumentType>
                  size="small"
                  aria-label={t("documents.changeType", { name: d.file_name })}
                  value={type as DocumentType}
                  style={{ width: 130 }}
                  onChange={(v) => void changeType(d, v)}
                  options={DOC_TYPES.map((v) => ({ value: v, label: label("doctype", v) }))}
                />
              ) : (
                label("doctype", type)
              ),
          },
          { title: t("documents.language"), dataIndex: "language", render: (l: string | null) => label("lang", l) },
          { title: t("documents.date"), dataIndex: "doc_date", sorter: (a, b) => (a.doc_date ?? "").localeCompare(b.doc_date ?? ""), render: (d: string | null) => d ?? "—" },
          { title: t("documents.chunks"), dataIndex: "chunk_count", sorter: (a, b) => a.chunk_count - b.chunk_count },
          {
            title: t("documents.status"),
            dataIndex: "status",
            render: (status: string, d) => (
              <Space orientation="vertical" size={0}>
                <Tag color={STATUS_COLOR[status]}>{label("status", status)}</Tag>
                {d.reason && <Typography.Text type="danger">{d.reason}</Typography.Text>}
                {d.warnings.length > 0 && (
                  <Tooltip title={d.warnings.join("\n")}>
                    <Typography.Text type="warning" tabIndex={0}>
                      {t("documents.warnings")}: {d.warnings.length}
                    </Typography.Text>
                  </Tooltip>
                )}
              </Space>
            ),
          },
          {
            title: t("documents.background"),
            key: "background",
            render: (_, d) =>
              d.background && (
                <Space orientation="vertical" size={0}>
                  <Tag color={d.background.rerank_ready ? "success" : "processing"}>
                    {d.background.rerank_ready ? t("documents.rerankReady") : t("documents.rerankPending")}
                  </Tag>
                  <Tooltip title={d.background.scan.reason}>
                    <Tag color={STATUS_COLOR[d.background.scan.status]}>
                      {t("documents.scan", {
                        status: label("status", d.background.scan.status),
                        done: d.background.scan.passages_done,
                        total: d.background.scan.passages_total,
                      })}
                    </Tag>
                  </Tooltip>
                </Space>
              ),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_, d) => (
              <Space wrap>
                {can("analyst") && (
                  <Button size="small" onClick={() => void reindex(d)}>
                    {t("documents.reindex")}
                  </Button>
                )}
                {can("manager") && (
                  <Popconfirm
                    title={t("documents.deleteConfirm", { name: d.file_name })}
                    okButtonProps={{ danger: true }}
                    okText={t("common.delete")}
                    cancelText={t("common.cancel")}
                    onConfirm={() => void remove(d)}
                  >
                    <Button size="small" danger>
                      {t("common.delete")}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
    </>
  );
}
