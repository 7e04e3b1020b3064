import { DownOutlined } from "@ant-design/icons";
import { App, Button, Card, Col, Dropdown, Input, Row, Select, Space, Switch, Table, Tag, Typography } from "antd";
import type { SorterResult } from "antd/es/table/interface";
import { useMemo, useState } from "react";
import { Link } from "react-router-dom";

import { get, post, seg, withQuery } from "../api/client";
import type { Band, DocumentList, HeatMap, RiskDetail, RiskList, RiskPublic, RiskStatus } from "../api/types";
import { ErrorAlert } from "../components/ErrorAlert";
import { HeatMapGrid, type Cell } from "../components/HeatMapGrid";
import { BAND_COLOR, BANDS, RISK_STATUS_COLOR } from "../components/labels";
import { Lifecycle } from "../components/Lifecycle";
import { RiskEditor } from "../components/RiskEditor";
import { CATEGORIES } from "../components/riskFields";
import { useLoad } from "../hooks/useLoad";
import { useI18n, useLabel } from "../i18n";
import { useSession } from "../session";
import { useProjectId } from "../Shell";

const STATUSES: RiskStatus[] = ["draft", "open", "reopened", "mitigating", "accepted", "occurred", "closed", "rejected"];
const PAGE = 50;
const CELL_PAGE = 500; // a cell's risks are picked from one page this long

interface Filters {
  status: RiskStatus[];
  category: string[];
  band: Band[];
  owner: string;
  overdue: boolean;
  document_id?: string;
}
const NO_FILTERS: Filters = { status: [], category: [], band: [], owner: "", overdue: false };

export function Risks() {
  const pid = useProjectId();
  const { t } = useI18n();
  const label = useLabel();
  const { can } = useSession();
  const base = `/projects/${seg(pid)}/risks`;
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [sort, setSort] = useState("-score");
  const [page, setPage] = useState(1);
  const [cell, setCell] = useState<Cell | null>(null);
  const [editing, setEditing] = useState<RiskDetail | null>(null);
  const [editorOpen, setEditorOpen] = useState(false);

  const query = useMemo(
    () => ({
      status: filters.status,
      category: filters.category,
      band: filters.band,
      owner: filters.owner.trim() || undefined,
      overdue: filters.overdue || undefined,
      document_id: filters.document_id,
      sort,
    }),
    [filters, sort],
  );
  const list = useLoad(
    (signal) =>
      get<RiskList>(base, { ...query, limit: cell ? CELL_PAGE : PAGE, offset: cell ? 0 : (page - 1) * PAGE }, signal),
    [base, query, page, cell],
  );
  const heat = useLoad((signal) => get<HeatMap>(`${base}/heatmap`, undefined, signal), [base]);
  const drafts = useLoad((signal) => get<RiskList>(base, { status: "draft", sort: "-score", limit: 200 }, signal), [base]);
  const docs = useLoad((signal) => get<DocumentList>(`/projects/${seg(pid)}/documents`, undefined, signal), [pid]);

  const reloadAll = () => {
    list.reload();
    heat.reload();
    drafts.reload();
  };

  const cellIds = useMemo(() => {
    if (!cell || !heat.data) return null;
    const found = heat.data.cells.find((c) => c.probability === cell.probability && c.impact === cell.impact);
    return new Set(cell.which === "inherent" ? found?.risk_ids : found?.residual_risk_ids);
  }, [cell, heat.data]);
  const rows = (list.data?.items ?? []).filter((r) => !cellIds || cellIds.has(r.id));

  const edit = async (risk: RiskPublic) => {
    setEditing(await get<RiskDetail>(`${base}/${seg(risk.id)}`));
    setEditorOpen(true);
  };
  const exportHref = (format: string) => withQuery(`${base}/export`, { ...query, format });
  const set = (change: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...change }));
    setPage(1);
  };

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t("risks.title")}
        </Typography.Title>
        <Space wrap>
          {can("manager") && (
            <Button
              type="primary"
              onClick={() => {
                setEditing(null);
                setEditorOpen(true);
              }}
            >
              {t("risks.create")}
            </Button>
          )}
          {can("manager") && (
            <Dropdown
              menu={{
                items: (["csv", "xlsx", "md", "jira"] as const).map((format) => ({
                  key: format,
                  label: (
                    <a href={exportHref(format)} download data-testid={`export-${format}`}>
                      {t(({ csv: "risks.exportCsv", xlsx: "risks.exportXlsx", md: "risks.exportMd", jira: "risks.exportJira" } as const)[format])}
                    </a>
                  ),
                })),
              }}
            >
              <Button>
                {t("risks.export")} <DownOutlined />
              </Button>
            </Dropdown>
          )}
        </Space>
      </Space>

      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xl={14}>
          <Card title={t("risks.heatmap")} size="small">
            <ErrorAlert error={heat.error} onRetry={heat.reload} />
            {heat.data && (
              <Space size="large" wrap align="start">
                <HeatMapGrid heatmap={heat.data} which="inherent" selected={cell} onSelect={setCell} />
                <HeatMapGrid heatmap={heat.data} which="residual" selected={cell} onSelect={setCell} />
              </Space>
            )}
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
              {t("risks.cellHint")}
            </Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <DraftQueue pid={pid} drafts={drafts.data?.items ?? []} onDone={reloadAll} />
        </Col>
      </Row>

      <Card size="small" title={t("risks.filters")} style={{ marginTop: 16 }}>
        <Space wrap>
          <Select<RiskStatus[]>
            mode="multiple"
            allowClear
            aria-label={t("risks.status")}
            placeholder={t("risks.status")}
            style={{ minWidth: 160 }}
            value={filters.status}
            onChange={(status) => set({ status })}
            options={STATUSES.map((s) => ({ value: s, label: label("riskstatus", s) }))}
          />
          <Select<string[]>
            mode="multiple"
            allowClear
            aria-label={t("risks.category")}
            placeholder={t("risks.category")}
            style={{ minWidth: 180 }}
            value={filters.category}
            onChange={(category) => set({ category })}
            options={CATEGORIES.map((c) => ({ value: c, label: label("category", c) }))}
          />
          <Select<Band[]>
            mode="multiple"
            allowClear
            aria-label={t("risks.band")}
            placeholder={t("risks.band")}
            style={{ minWidth: 140 }}
            value={filters.band}
            onChange={(band) => set({ band })}
            options={BANDS.map((b) => ({ value: b, label: label("band", b) }))}
          />
          <Input.Search
            aria-label={t("risks.owner")}
            placeholder={t("risks.owner")}
            allowClear
            style={{ width: 160 }}
            onSearch={(owner) => set({ owner })}
          />
          <Select<string>
            allowClear
            aria-label={t("risks.sourceDocument")}
            placeholder={t("risks.sourceDocument")}
            style={{ minWidth: 200, maxWidth: 320 }}
            value={filters.document_id}
            onChange={(document_id) => set({ document_id })}
            options={(docs.data?.items ?? []).map((d) => ({ value: d.id, label: d.file_name }))}
          />
          <Space>
            <Switch checked={filters.overdue} onChange={(overdue) => set({ overdue })} aria-label={t("risks.overdueOnly")} />
            <span>{t("risks.overdueOnly")}</span>
          </Space>
          <Button
            onClick={() => {
              setFilters(NO_FILTERS);
              setCell(null);
            }}
          >
            {t("risks.clearFilters")}
          </Button>
        </Space>
        {cell && (
          <div style={{ marginTop: 8 }}>
            <Tag closable color="blue" onClose={() => setCell(null)} data-testid="cell-filter">
              {t("risks.cellFilter", { p: cell.probability, i: cell.impact, which: cell.which === "inherent" ? t("risks.before") : t("risks.after") })}
            </Tag>
          </div>
        )}
      </Card>

      <ErrorAlert error={list.error} onRetry={list.reload} />
      <Table<RiskPublic>
        style={{ marginTop: 12 }}
        rowKey="id"
        data-testid="risk-table"
        loading={list.loading}
        dataSource={rows}
        scroll={{ x: 1200 }}
        onChange={(_p, _f, sorter) => {
          const s = sorter as SorterResult<RiskPublic>;
          const field = String(s.columnKey ?? s.field ?? "");
          setSort(s.order && field ? `${s.order === "descend" ? "-" : ""}${field}` : "-score");
        }}
        pagination={
          cell
            ? false
            : {
                current: page,
                pageSize: PAGE,
                total: list.data?.total ?? 0,
                onChange: setPage,
                showSizeChanger: false,
                showTotal: (n) => t("common.total", { n }),
              }
        }
        columns={[
          {
            title: t("risks.id"),
            dataIndex: "id",
            key: "id",
            sorter: true,
            width: 120,
            render: (id: string) => <Link to={`/p/${encodeURIComponent(pid)}/risks/${encodeURIComponent(id)}`}>{id}</Link>,
          },
          { title: t("risks.titleField"), dataIndex: "title", key: "title", sorter: true, width: 260 },
          { title: t("risks.category"), dataIndex: "category", key: "category", sorter: true, render: (c: string) => label("category", c) },
          {
            title: t("risks.score"),
            dataIndex: "score",
            key: "score",
            sorter: true,
            defaultSortOrder: "descend",
            render: (score: number, r) => `${r.probability}×${r.impact} = ${score}`,
          },
          {
            title: t("risks.band"),
            dataIndex: "band",
            key: "band",
            render: (b: Band) => <Tag color={BAND_COLOR[b]}>{label("band", b)}</Tag>,
          },
          {
            title: t("risks.residual"),
            dataIndex: "residual_score",
            key: "residual_score",
            sorter: true,
            render: (s: number | null, r) => (s == null ? "—" : <Tag color={r.residual_band ? BAND_COLOR[r.residual_band] : undefined}>{`${r.residual_probability}×${r.residual_impact} = ${s}`}</Tag>),
          },
          {
            title: t("risks.status"),
            dataIndex: "status",
            key: "status",
            sorter: true,
            render: (s: string) => <Tag color={RISK_STATUS_COLOR[s]}>{label("riskstatus", s)}</Tag>,
          },
          { title: t("risks.owner"), dataIndex: "owner", key: "owner", sorter: true, render: (o: string | null) => o ?? "—" },
          {
            title: t("risks.nextReview"),
            dataIndex: "next_review",
            key: "next_review",
            sorter: true,
            render: (d: string | null, r) => (
              <Space size={4}>
                {d ?? "—"}
                {r.overdue && <Tag color="red">{t("risks.overdue")}</Tag>}
              </Space>
            ),
          },
          { title: t("risks.source"), dataIndex: "source", key: "source", render: (s: string) => label("source", s) },
          { title: t("risks.evidenceCount"), dataIndex: "evidence_count", key: "evidence_count" },
          ...(can("manager")
            ? [
                {
                  title: t("common.actions"),
                  key: "actions",
                  render: (_: unknown, r: RiskPublic) => (
                    <Space size={4} wrap>
                      <Button size="small" onClick={() => void edit(r)} aria-label={`${t("common.edit")} ${r.id}`}>
                        {t("common.edit")}
                      </Button>
                      <Lifecycle pid={pid} risk={r} onMoved={reloadAll} />
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <RiskEditor pid={pid} risk={editing} open={editorOpen} onClose={() => setEditorOpen(false)} onSaved={reloadAll} />
    </>
  );
}

function DraftQueue({ pid, drafts, onDone }: { pid: string; drafts: RiskPublic[]; onDone: () => void }) {
  const { t } = useI18n();
  const label = useLabel();
  const { can } = useSession();
  const { message } = App.useApp();
  const [selected, setSelected] = useState<string[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [failures, setFailures] = useState<string[]>([]);

  const bulk = async (action: "accept" | "reject") => {
    setBusy(action);
    const chosen = drafts.filter((d) => selected.includes(d.id));
    const results = await Promise.allSettled(
      chosen.map((d) => post(`/projects/${seg(pid)}/risks/${seg(d.id)}/${action}`, { version: d.version })),
    );
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [`${chosen[i].id}: ${(r.reason as Error).message}`] : []));
    setFailures(failed);
    message.info(t("risks.bulkDone", { ok: results.length - failed.length, failed: failed.length }));
    setSelected([]);
    setBusy(null);
    onDone();
  };

  return (
    <Card size="small" title={t("risks.drafts")} extra={t("risks.draftsCount", { n: drafts.length })} data-testid="drafts">
      {failures.length > 0 && <ErrorAlert error={new Error(failures.join("; "))} />}
      {can("manager") && drafts.length > 0 && (
        <Space style={{ marginBottom: 8 }} wrap>
          <Button size="small" type="primary" disabled={!selected.length} loading={busy === "accept"} onClick={() => void bulk("accept")}>
            {t("risks.acceptSelected")}
          </Button>
          <Button size="small" danger disabled={!selected.length} loading={busy === "reject"} onClick={() => void bulk("reject")}>
            {t("risks.rejectSelected")}
          </Button>
        </Space>
      )}
      <Table<RiskPublic>
        size="small"
        rowKey="id"
        pagination={{ pageSize: 6, hideOnSinglePage: true }}
        dataSource={drafts}
        locale={{ emptyText: t("risks.noDrafts") }}
        rowSelection={can("manager") ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) } : undefined}
        columns={[
          { title: t("risks.id"), dataIndex: "id", render: (id: string) => <Link to={`/p/${encodeURIComponent(pid)}/risks/${encodeURIComponent(id)}`}>{id}</Link> },
          { title: t("risks.titleField"), dataIndex: "title" },
          { title: t("risks.band"), dataIndex: "band", render: (b: Band) => <Tag color={BAND_COLOR[b]}>{label("band", b)}</Tag> },
        ]}
      />
    </Card>
  );
}
