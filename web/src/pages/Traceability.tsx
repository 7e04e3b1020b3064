// The requirement traceability matrix (需求跟踪矩阵): one row per requirement, traced to the root needs it
// answers, the plan's interfaces and tests, and the register's risks. Rows with a gap (no test covers it, no
// acceptance criterion) are marked in colour and in words; the plan's interfaces that no requirement names are
// listed beneath. Filters pick the gaps; CSV and XLSX carry the same matrix.
import { DownloadOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Input, Segmented, Space, Statistic, Table, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link } from "react-router-dom";

import { get, seg } from "../api/client";
import type { InterfaceGap, TraceabilityMatrix, TraceRow } from "../api/types";
import { ErrorAlert } from "../components/ErrorAlert";
import { BAND_COLOR } from "../components/labels";
import { PassageDrawer, type PassageRef } from "../components/PassageDrawer";
import { useLoad } from "../hooks/useLoad";
import { useI18n, useLabel } from "../i18n";
import { TRACE_STATUS_COLOR } from "../plans/labels";
import { useProjectId } from "../Shell";

type Filter = "all" | "gaps" | "no_test" | "no_acceptance" | "no_requirement";
const PAGE = 20;

const matches = (row: TraceRow, filter: Filter): boolean => {
  const gaps = row.gaps ?? [];
  if (filter === "all") return true;
  if (filter === "gaps") return gaps.length > 0;
  return gaps.includes(filter);
};

export function Traceability() {
  const pid = useProjectId();
  const { t } = useI18n();
  const label = useLabel();
  const base = `/projects/${seg(pid)}/traceability`;
  const { data, error, loading, reload } = useLoad((signal) => get<TraceabilityMatrix>(base, { format: "json" }, signal), [base]);
  const [filter, setFilter] = useState<Filter>("all");
  const [words, setWords] = useState("");
  const [passage, setPassage] = useState<PassageRef | null>(null);

  const rows = useMemo(() => {
    const needle = words.trim().toLowerCase();
    return (data?.rows ?? []).filter(
      (r) => matches(r, filter) && (!needle || `${r.requirement_id} ${r.requirement}`.toLowerCase().includes(needle)),
    );
  }, [data, filter, words]);
  const count = (f: Filter) => (data?.rows ?? []).filter((r) => matches(r, f)).length;
  const interfaceGaps = data?.interface_gaps ?? [];
  const planLink = data?.plan_id ? `/p/${encodeURIComponent(pid)}/plans/${encodeURIComponent(data.plan_id)}` : null;

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t("trace.title")}
        </Typography.Title>
        <Space wrap>
          {(["csv", "xlsx"] as const).map((format) => (
            <Button key={format} icon={<DownloadOutlined />} href={`${base}?format=${format}`} download data-testid={`trace-export-${format}`}>
              {t(`trace.export.${format}`)}
            </Button>
          ))}
        </Space>
      </Space>
      <ErrorAlert error={error} onRetry={reload} />
      {data && (
        <>
          {planLink ? (
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {t("trace.fromPlan", { v: data.plan_version ?? "?" })} <Link to={planLink}>{t("trace.openPlan")}</Link>
            </Typography.Paragraph>
          ) : (
            <Alert type="warning" showIcon title={t("trace.noPlan")} style={{ margin: "8px 0" }} />
          )}
          <Space size="large" wrap style={{ margin: "8px 0 12px" }}>
            <Statistic title={t("trace.requirements")} value={data.total} />
            <Statistic title={t("gap.no_test")} value={count("no_test")} />
            <Statistic title={t("gap.no_acceptance")} value={count("no_acceptance")} />
            <Statistic title={t("gap.no_requirement")} value={interfaceGaps.length} />
          </Space>
          <Card size="small" title={t("risks.filters")} style={{ marginBottom: 12 }}>
            <div className="trace-filters">
              <Segmented<Filter>
                className="trace-filter"
                aria-label={t("trace.filter")}
                value={filter}
                onChange={setFilter}
                options={[
                  { value: "all", label: `${t("trace.all")} (${data.total})` },
                  { value: "gaps", label: `${t("trace.anyGap")} (${count("gaps")})` },
                  { value: "no_test", label: `${t("gap.no_test")} (${count("no_test")})` },
                  { value: "no_acceptance", label: `${t("gap.no_acceptance")} (${count("no_acceptance")})` },
                  { value: "no_requirement", label: `${t("gap.no_requirement")} (${interfaceGaps.length})` },
                ]}
              />
              <Input.Search aria-label={t("trace.search")} placeholder={t("trace.search")} allowClear style={{ width: 240 }} onSearch={setWords} />
            </div>
          </Card>
        </>
      )}
      {filter !== "no_requirement" && (
        <Table<TraceRow>
          rowKey={(r) => r.requirement_id}
          data-testid="trace-table"
          loading={loading}
          dataSource={rows}
          rowClassName={(r) => ((r.gaps ?? []).length ? "trace-gap" : "")}
          scroll={{ x: 1350 }}
          pagination={{ pageSize: PAGE, showSizeChanger: false, hideOnSinglePage: true, showTotal: (n) => t("common.total", { n }) }}
          expandable={{
            expandedRowRender: (r) => (
              <div>
                <Typography.Text strong>{t("trace.acceptance")}: </Typography.Text>
                {(r.acceptance_criteria ?? []).length ? (
                  <ul>
                    {(r.acceptance_criteria ?? []).map((a, i) => (
                      <li key={i}>{a}</li>
                    ))}
                  </ul>
                ) : (
                  <Typography.Text type="danger">{t("gap.no_acceptance")}</Typography.Text>
                )}
              </div>
            ),
          }}
          columns={[
            { title: t("trace.id"), dataIndex: "requirement_id", width: 130, fixed: "left" },
            {
              title: t("trace.requirement"),
              dataIndex: "requirement",
              width: 300,
              render: (text: string) => (
                <Typography.Paragraph ellipsis={{ rows: 3, expandable: true }} style={{ marginBottom: 0 }}>
                  {text}
                </Typography.Paragraph>
              ),
            },
            {
              title: t("trace.gaps"),
              key: "gaps",
              width: 170,
              render: (_, r) =>
                (r.gaps ?? []).length ? (
                  <Space size={[0, 4]} wrap>
                    {(r.gaps ?? []).map((g) => (
                      <Tag key={g} color="error" data-testid="gap">
                        {label("gap", g)}
                      </Tag>
                    ))}
                  </Space>
                ) : (
                  <Tag color="success">{t("trace.noGap")}</Tag>
                ),
            },
            {
              title: t("trace.status"),
              dataIndex: "status",
              width: 120,
              render: (s: string) => <Tag color={TRACE_STATUS_COLOR[s]}>{label("tracestatus", s)}</Tag>,
            },
            {
              title: t("trace.source"),
              key: "source",
              width: 230,
              render: (_, r) =>
                r.source.document_id ? (
                  <Space orientation="vertical" size={0}>
                    <Button
                      type="link"
                      size="small"
                      className="evidence-link"
                      data-testid="trace-source"
                      onClick={() => setPassage({ title: r.source.file_name ?? r.requirement_id, documentId: r.source.document_id!, chunkId: null, quote: r.source.quote })}
                    >
                      {r.source.file_name}
                      {r.source.page != null ? ` · ${t("common.page", { n: r.source.page })}` : r.source.section ? ` · ${r.source.section}` : ""}
                    </Button>
                    <Typography.Text type="secondary" italic ellipsis style={{ maxWidth: 210 }}>
                      “{r.source.quote}”
                    </Typography.Text>
                  </Space>
                ) : (
                  <Typography.Text type="secondary">“{r.source.quote}”</Typography.Text>
                ),
            },
            {
              title: t("trace.needs"),
              key: "needs",
              width: 180,
              render: (_, r) =>
                (r.needs ?? []).length
                  ? (r.needs ?? []).map((n) => (
                      <div key={n.analysis_id}>
                        <Link to={`/p/${encodeURIComponent(pid)}/five-why/${encodeURIComponent(n.analysis_id)}`}>{n.need}</Link>
                      </div>
                    ))
                  : "—",
            },
            { title: t("trace.interfaces"), key: "interfaces", width: 120, render: (_, r) => (r.interfaces ?? []).join(", ") || "—" },
            {
              title: t("trace.risks"),
              key: "risks",
              width: 150,
              render: (_, r) =>
                (r.risks ?? []).length
                  ? (r.risks ?? []).map((k) => (
                      <div key={k.risk_id}>
                        <Link to={`/p/${encodeURIComponent(pid)}/risks/${encodeURIComponent(k.risk_id)}`}>{k.risk_id}</Link>{" "}
                        <Tag color={BAND_COLOR[k.band as keyof typeof BAND_COLOR]}>{label("band", k.band)}</Tag>
                      </div>
                    ))
                  : "—",
            },
            { title: t("trace.tests"), key: "tests", width: 140, render: (_, r) => (r.tests ?? []).join(", ") || "—" },
          ]}
        />
      )}
      {data && (filter === "no_requirement" || filter === "all" || filter === "gaps") && (
        <Card size="small" title={`${t("trace.interfaceGaps")} (${interfaceGaps.length})`} style={{ marginTop: 16 }}>
          <Table<InterfaceGap>
            size="small"
            rowKey="interface_id"
            data-testid="trace-interface-gaps"
            dataSource={interfaceGaps}
            rowClassName={() => "trace-gap"}
            pagination={false}
            locale={{ emptyText: t("trace.noInterfaceGaps") }}
            columns={[
              { title: t("plan.interfaceId"), dataIndex: "interface_id", width: 120 },
              { title: t("plan.source"), dataIndex: "source", render: (v: string | null) => v ?? "—" },
              { title: t("plan.target"), dataIndex: "target", render: (v: string | null) => v ?? "—" },
              { title: t("plan.protocol"), dataIndex: "protocol", render: (v: string | null) => v ?? "—" },
              {
                title: t("trace.gaps"),
                dataIndex: "gap",
                render: (g: string) => (
                  <Tag color="error" data-testid="gap">
                    {label("gap", g)}
                  </Tag>
                ),
              },
            ]}
          />
        </Card>
      )}
      <PassageDrawer pid={pid} passage={passage} onClose={() => setPassage(null)} />
    </>
  );
}
