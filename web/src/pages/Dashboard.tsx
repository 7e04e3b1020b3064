// A project at a glance, from the endpoints the screens use: documents, the register, requirements, uploads.
import { Card, Col, Empty, List, Row, Space, Statistic, Tag, Typography } from "antd";
import { useMemo } from "react";
import { Link } from "react-router-dom";

import { get, seg } from "../api/client";
import type { Band, JobPublic, ProjectPublic, RequirementList, RiskList, RiskStatus } from "../api/types";
import type { components } from "../api/schema";
import { Chart, type ChartOption } from "../components/Chart";
import { ErrorAlert } from "../components/ErrorAlert";
import { BAND_COLOR, BANDS, RISK_STATUS_COLOR } from "../components/labels";
import { useLoad } from "../hooks/useLoad";
import { useI18n, useLabel } from "../i18n";
import { useProjectId } from "../Shell";

const STATUSES: RiskStatus[] = ["draft", "open", "reopened", "mitigating", "accepted", "occurred", "closed", "rejected"];
const DOC_STATUSES = ["indexed", "queued", "reading", "failed"];

interface Overview {
  project: ProjectPublic;
  byBand: Record<Band, number>;
  byStatus: Record<RiskStatus, number>;
  overdue: RiskList;
  latest: RiskList;
  jobs: JobPublic[];
  requirements: RequirementList;
}

async function overview(pid: string, signal: AbortSignal): Promise<Overview> {
  const base = `/projects/${seg(pid)}`;
  // `total` of a one-row page counts the matches, however large the register is.
  const count = (query: Record<string, string>) =>
    get<RiskList>(`${base}/risks`, { ...query, limit: 1 }, signal).then((r) => r.total);
  const [project, bands, statuses, overdue, latest, jobs, requirements] = await Promise.all([
    get<ProjectPublic>(base, undefined, signal),
    Promise.all(BANDS.map((band) => count({ band }))),
    Promise.all(STATUSES.map((status) => count({ status }))),
    get<RiskList>(`${base}/risks/overdue`, undefined, signal),
    get<RiskList>(`${base}/risks`, { sort: "-updated_at", limit: 6 }, signal),
    get<components["schemas"]["JobList"]>(`${base}/jobs`, undefined, signal),
    get<RequirementList>(`${base}/requirements`, { limit: 2000 }, signal),
  ]);
  return {
    project,
    byBand: Object.fromEntries(BANDS.map((b, i) => [b, bands[i]])) as Record<Band, number>,
    byStatus: Object.fromEntries(STATUSES.map((s, i) => [s, statuses[i]])) as Record<RiskStatus, number>,
    overdue,
    latest,
    jobs: jobs.items.slice(0, 5),
    requirements,
  };
}

export function Dashboard() {
  const pid = useProjectId();
  const { t } = useI18n();
  const label = useLabel();
  const { data, error, loading, reload } = useLoad((signal) => overview(pid, signal), [pid]);
  const base = `/p/${encodeURIComponent(pid)}`;

  const docOption = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    const counts = data.project.documents ?? {};
    const statuses = [...DOC_STATUSES, ...Object.keys(counts).filter((s) => !DOC_STATUSES.includes(s))];
    return {
      tooltip: {},
      grid: { left: 90, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: statuses.map((s) => label("status", s)) },
      series: [{ type: "bar", data: statuses.map((s) => counts[s] ?? 0), itemStyle: { color: "#1d4ed8" }, label: { show: true, position: "right" } }],
    };
  }, [data, label]);

  const bandOption = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    return {
      tooltip: { trigger: "item" },
      legend: { bottom: 0 },
      series: [
        {
          type: "pie",
          radius: ["40%", "68%"],
          center: ["50%", "44%"],
          label: { formatter: "{b}: {c}" },
          data: BANDS.map((b) => ({ name: label("band", b), value: data.byBand[b], itemStyle: { color: BAND_COLOR[b] } })),
        },
      ],
    };
  }, [data, label]);

  const statusOption = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    return {
      tooltip: {},
      grid: { left: 90, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: STATUSES.map((s) => label("riskstatus", s)) },
      series: [{ type: "bar", data: STATUSES.map((s) => data.byStatus[s]), itemStyle: { color: "#7c3aed" }, label: { show: true, position: "right" } }],
    };
  }, [data, label]);

  const quality = useMemo(() => {
    const items = data?.requirements.items ?? [];
    const rules: Record<string, number> = {};
    for (const r of items) for (const f of r.findings) rules[f.rule] = (rules[f.rule] ?? 0) + 1;
    const average = items.length ? items.reduce((sum, r) => sum + r.score, 0) / items.length : null;
    return {
      total: data?.requirements.total ?? 0,
      average,
      weak: items.filter((r) => r.score < 60).length,
      rules: Object.entries(rules).sort((a, b) => b[1] - a[1]),
    };
  }, [data]);

  const riskTotal = data ? BANDS.reduce((sum, b) => sum + data.byBand[b], 0) : 0;

  return (
    <>
      <Typography.Title level={2}>
        {t("dashboard.title")}
        {data && <Typography.Text type="secondary" style={{ fontSize: 16, marginLeft: 12 }}>{data.project.name}</Typography.Text>}
      </Typography.Title>
      {data?.project.description && <Typography.Paragraph type="secondary">{data.project.description}</Typography.Paragraph>}
      <ErrorAlert error={error} onRetry={reload} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8}>
          <Card title={<Link to={`${base}/documents`}>{t("dashboard.documents")}</Link>} loading={loading && !data} size="small">
            {docOption && <Chart option={docOption} label={t("dashboard.documents")} />}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={<Link to={`${base}/risks`}>{t("dashboard.risksByBand")}</Link>} loading={loading && !data} size="small">
            {bandOption && riskTotal > 0 ? (
              <Chart option={bandOption} label={t("dashboard.risksByBand")} />
            ) : (
              <Empty description={t("dashboard.noRisks")} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t("dashboard.risksByStatus")} loading={loading && !data} size="small">
            {statusOption && <Chart option={statusOption} label={t("dashboard.risksByStatus")} />}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t("dashboard.overdue")} size="small" loading={loading && !data}>
            <List
              size="small"
              dataSource={data?.overdue.items ?? []}
              locale={{ emptyText: t("dashboard.noOverdue") }}
              renderItem={(r) => (
                <List.Item>
                  <Link to={`${base}/risks/${encodeURIComponent(r.id)}`}>{r.id}</Link> {r.title}
                  <Tag color="red" style={{ marginLeft: 8 }}>
                    {r.next_review}
                  </Tag>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t("dashboard.latest")} size="small" loading={loading && !data}>
            <Typography.Text strong>{t("dashboard.latestRisks")}</Typography.Text>
            <List
              size="small"
              dataSource={data?.latest.items ?? []}
              locale={{ emptyText: t("dashboard.noRisks") }}
              renderItem={(r) => (
                <List.Item>
                  <span>
                    <Link to={`${base}/risks/${encodeURIComponent(r.id)}`}>{r.id}</Link> {r.title}{" "}
                    <Tag color={RISK_STATUS_COLOR[r.status]}>{label("riskstatus", r.status)}</Tag>
                  </span>
                  <Typography.Text type="secondary">{new Date(r.updated_at).toLocaleString()}</Typography.Text>
                </List.Item>
              )}
            />
            <Typography.Text strong>{t("dashboard.latestJobs")}</Typography.Text>
            <List
              size="small"
              dataSource={data?.jobs ?? []}
              renderItem={(j) => (
                <List.Item>
                  <span>
                    {t("dashboard.jobFiles", { done: j.done, total: j.total })} · {label("status", j.status)}
                  </span>
                  <Typography.Text type="secondary">{new Date(j.created_at).toLocaleString()}</Typography.Text>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={<Link to={`${base}/requirements`}>{t("dashboard.quality")}</Link>} size="small" loading={loading && !data}>
            {quality.total === 0 ? (
              <Empty description={t("dashboard.noRequirements")} />
            ) : (
              <>
                <Space size="large" wrap>
                  <Statistic title={t("dashboard.statements")} value={quality.total} />
                  <Statistic title={t("dashboard.average")} value={quality.average ?? 0} precision={1} />
                  <Statistic title={t("dashboard.weak")} value={quality.weak} />
                </Space>
                <Typography.Paragraph strong style={{ marginTop: 12, marginBottom: 4 }}>
                  {t("dashboard.findingsByRule")}
                </Typography.Paragraph>
                <Space size={4} wrap>
                  {quality.rules.map(([rule, n]) => (
                    <Tag key={rule}>
                      {rule} {n}
                    </Tag>
                  ))}
                </Space>
              </>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
