// Requirement statements with their findings (the words that triggered each rule marked), the EARS rewrite and
// acceptance criteria; a check of pasted text with its duplicates and contradictions.
import { Alert, Button, Card, Checkbox, Form, Input, InputNumber, List, Select, Space, Table, Tabs, Tag, Typography } from "antd";
import { useState } from "react";

import { get, post, seg } from "../api/client";
import type { RequirementList, RequirementPublic, RequirementsReport } from "../api/types";
import { ErrorAlert } from "../components/ErrorAlert";
import { Highlight } from "../components/Highlight";
import { useLoad } from "../hooks/useLoad";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { useProjectId } from "../Shell";

export function Requirements() {
  const { t } = useI18n();
  const { can } = useSession();
  return (
    <>
      <Typography.Title level={2}>{t("req.title")}</Typography.Title>
      <Tabs
        items={[
          { key: "project", label: t("req.tabProject"), children: <ProjectRequirements /> },
          ...(can("analyst") ? [{ key: "check", label: t("req.tabCheck"), children: <CheckText /> }] : []),
        ]}
      />
    </>
  );
}

const scoreColor = (score: number) => (score >= 80 ? "green" : score >= 60 ? "gold" : "red");

function RequirementTable({ items, loading }: { items: RequirementPublic[]; loading?: boolean }) {
  const { t } = useI18n();
  return (
    <Table<RequirementPublic>
      rowKey={(r, i) => r.record_id ?? `${r.id}-${i}`}
      size="small"
      loading={loading}
      dataSource={items}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      scroll={{ x: 900 }}
      expandable={{
        expandedRowRender: (r) => (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <div>
              <Typography.Text strong>{t("req.rewrite")}: </Typography.Text>
              <span data-testid="rewrite">{r.rewrite}</span>
            </div>
            {r.acceptance_criteria.length > 0 && (
              <div>
                <Typography.Text strong>{t("req.acceptance")}:</Typography.Text>
                <ul style={{ margin: 0 }}>
                  {r.acceptance_criteria.map((c, i) => (
                    <li key={i}>{c}</li>
                  ))}
                </ul>
              </div>
            )}
            {r.findings.map((f, i) => (
              <div key={i}>
                <Tag color="red">{f.rule}</Tag> {f.message}
              </div>
            ))}
          </Space>
        ),
      }}
      columns={[
        { title: t("req.id"), dataIndex: "id", width: 110 },
        {
          title: t("req.statement"),
          dataIndex: "text",
          render: (text: string, r) => (
            <span data-testid="statement">
              <Highlight text={text} marks={r.findings.flatMap((f) => f.words)} className="trigger" />
            </span>
          ),
        },
        {
          title: t("req.kind"),
          dataIndex: "kind",
          width: 140,
          render: (kind: string, r) => (
            <Space orientation="vertical" size={0}>
              <span>{kind === "functional" ? t("req.kind.functional") : t("req.kind.non_functional")}</span>
              {r.quality_class && <Typography.Text type="secondary">{r.quality_class}</Typography.Text>}
            </Space>
          ),
        },
        {
          title: t("req.score"),
          dataIndex: "score",
          width: 80,
          sorter: (a, b) => a.score - b.score,
          render: (s: number) => <Tag color={scoreColor(s)}>{s}</Tag>,
        },
        {
          title: t("req.findings"),
          dataIndex: "findings",
          width: 260,
          render: (_: unknown, r) => (
            <Space size={4} wrap>
              {r.findings.map((f, i) => (
                <Tag key={i} title={f.message}>
                  {f.rule}: {f.words.join(", ")}
                </Tag>
              ))}
            </Space>
          ),
        },
      ]}
    />
  );
}

function ProjectRequirements() {
  const pid = useProjectId();
  const { t } = useI18n();
  const [maxScore, setMaxScore] = useState<number | null>(null);
  const [rule, setRule] = useState<string | undefined>();
  const { data, error, loading, reload } = useLoad(
    (signal) => get<RequirementList>(`/projects/${seg(pid)}/requirements`, { max_score: maxScore, rule, limit: 2000 }, signal),
    [pid, maxScore, rule],
  );
  const rules = [...new Set((data?.items ?? []).flatMap((r) => r.findings.map((f) => f.rule)))].sort();
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <span>{t("req.maxScore")}</span>
        <InputNumber aria-label={t("req.maxScore")} min={0} max={100} value={maxScore} onChange={setMaxScore} />
        <Select
          allowClear
          aria-label={t("req.rule")}
          placeholder={t("req.rule")}
          style={{ minWidth: 180 }}
          value={rule}
          onChange={setRule}
          options={rules.map((r) => ({ value: r, label: r }))}
        />
        <Typography.Text type="secondary">{t("common.total", { n: data?.total ?? 0 })}</Typography.Text>
      </Space>
      <ErrorAlert error={error} onRetry={reload} />
      <RequirementTable items={data?.items ?? []} loading={loading} />
    </>
  );
}

function CheckText() {
  const pid = useProjectId();
  const { t } = useI18n();
  const [report, setReport] = useState<RequirementsReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const check = async ({ text, useLlm }: { text: string; useLlm?: boolean }) => {
    setBusy(true);
    setError(null);
    try {
      setReport(await post<RequirementsReport>(`/projects/${seg(pid)}/requirements/check`, { text, use_llm: !!useLlm }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const ref = (i: number) => report?.requirements[i]?.id ?? `#${i + 1}`;

  return (
    <>
      <Form layout="vertical" onFinish={(v) => void check(v)} style={{ maxWidth: 880 }}>
        <Form.Item name="text" label={t("req.text")} rules={[{ required: true, whitespace: true, max: 200000 }]}>
          <Input.TextArea rows={8} placeholder={t("req.textPlaceholder")} />
        </Form.Item>
        <Form.Item name="useLlm" valuePropName="checked">
          <Checkbox>{t("req.useLlm")}</Checkbox>
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t("req.check")}
        </Button>
      </Form>
      <div style={{ marginTop: 16 }}>
        <ErrorAlert error={error} />
      </div>
      {report && (
        <>
          {report.average_score != null && (
            <Typography.Paragraph strong data-testid="average">
              {t("req.average", { s: report.average_score })}
            </Typography.Paragraph>
          )}
          <RequirementTable items={report.requirements} />
          {report.consistency && !report.consistency.complete && (
            <Alert type="info" title={t("req.incomplete")} description={(report.consistency.notes ?? []).join(" ")} style={{ marginTop: 12 }} />
          )}
          <Space align="start" wrap style={{ marginTop: 12, width: "100%" }}>
            <Card size="small" title={t("req.duplicates")} style={{ minWidth: 320 }} data-testid="duplicates">
              <List
                size="small"
                dataSource={report.duplicates ?? []}
                locale={{ emptyText: t("req.noDuplicates") }}
                renderItem={(d) => (
                  <List.Item>
                    {t("req.pair", { a: ref(d.a), b: ref(d.b) })} · {d.reason}
                  </List.Item>
                )}
              />
            </Card>
            <Card size="small" title={t("req.contradictions")} style={{ minWidth: 320 }} data-testid="contradictions">
              <List
                size="small"
                dataSource={report.contradictions ?? []}
                locale={{ emptyText: t("req.noContradictions") }}
                renderItem={(c) => (
                  <List.Item>
                    {t("req.pair", { a: ref(c.a), b: ref(c.b) })} · {c.reason}
                  </List.Item>
                )}
              />
            </Card>
          </Space>
        </>
      )}
    </>
  );
}
