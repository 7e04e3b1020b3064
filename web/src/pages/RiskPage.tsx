// One risk: its fields, the moves its status allows, evidence (each quote opens its passage), mitigation actions,
// and the history, where the assistant's suggestions are marked and may be accepted.
import { App, Button, Card, DatePicker, Descriptions, Form, Input, List, Select, Space, Table, Tag, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { Link, useParams } from "react-router-dom";

import { get, patch, post, seg } from "../api/client";
import type { ActionStatus, HistoryPublic, RiskDetail } from "../api/types";
import { ErrorAlert, useReportError } from "../components/ErrorAlert";
import { BAND_COLOR, RISK_STATUS_COLOR } from "../components/labels";
import { Lifecycle } from "../components/Lifecycle";
import { PassageDrawer, type PassageRef } from "../components/PassageDrawer";
import { RiskEditor } from "../components/RiskEditor";
import { useLoad } from "../hooks/useLoad";
import { useI18n, useLabel } from "../i18n";
import { useSession } from "../session";
import { useProjectId } from "../Shell";

const ACTION_STATUSES: ActionStatus[] = ["planned", "in_progress", "done", "cancelled"];
const ASSISTANT = "assistant"; // the history's actor for the automatic scan (api/routes/risks.py ACTOR_NOTE)

export function RiskPage() {
  const pid = useProjectId();
  const { riskId = "" } = useParams();
  const { t } = useI18n();
  const label = useLabel();
  const { can } = useSession();
  const { message } = App.useApp();
  const report = useReportError();
  const path = `/projects/${seg(pid)}/risks/${seg(riskId)}`;
  const { data: risk, error, reload, setData } = useLoad((signal) => get<RiskDetail>(path, undefined, signal), [path]);
  const [editorOpen, setEditorOpen] = useState(false);
  const [passage, setPassage] = useState<PassageRef | null>(null);
  const [actionForm] = Form.useForm<{ description: string; owner?: string; due_date?: Dayjs }>();

  const run = async (call: () => Promise<RiskDetail>, done?: string) => {
    try {
      setData(await call());
      if (done) message.success(done);
    } catch (err) {
      report(err);
      reload();
    }
  };

  const acceptSuggestion = (h: HistoryPublic) =>
    run(() => post<RiskDetail>(`${path}/suggestions/${h.id}/accept`, { version: risk!.version }), t("risks.suggestionAccepted"));
  const rejectSuggestion = (h: HistoryPublic) =>
    run(() => post<RiskDetail>(`${path}/suggestions/${h.id}/reject`, { reason: null }), t("risks.suggestionRejected"));
  const addAction = (v: { description: string; owner?: string; due_date?: Dayjs }) =>
    run(async () => {
      const out = await post<RiskDetail>(`${path}/actions`, {
        description: v.description.trim(),
        owner: v.owner?.trim() || null,
        due_date: v.due_date ? v.due_date.format("YYYY-MM-DD") : null,
      }, { version: risk!.version });
      actionForm.resetFields();
      return out;
    });
  const setActionStatus = (id: number, status: ActionStatus) =>
    run(() => patch<RiskDetail>(`${path}/actions/${id}`, { status, version: risk!.version }));

  if (error) return <ErrorAlert error={error} onRetry={reload} />;
  if (!risk) return null;
  // A suggestion is decided once a person accepted or rejected it; only pending ones offer the choice.
  const suggestionState = new Map((risk.suggestions ?? []).map((s) => [s.id, s.state]));
  return (
    <>
      <Link to={`/p/${encodeURIComponent(pid)}/risks`}>← {t("risks.title")}</Link>
      <Space style={{ width: "100%", justifyContent: "space-between", marginTop: 8 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {risk.id} · {risk.title}
        </Typography.Title>
        {can("manager") && (
          <Space wrap>
            <Button onClick={() => setEditorOpen(true)}>{t("common.edit")}</Button>
            <Lifecycle pid={pid} risk={risk} onMoved={setData} />
          </Space>
        )}
      </Space>
      <Space wrap style={{ margin: "8px 0 16px" }}>
        <Tag color={RISK_STATUS_COLOR[risk.status]}>{label("riskstatus", risk.status)}</Tag>
        <Tag color={BAND_COLOR[risk.band]}>
          {label("band", risk.band)} {risk.probability}×{risk.impact} = {risk.score}
        </Tag>
        {risk.residual_band && (
          <Tag color={BAND_COLOR[risk.residual_band]}>
            {t("risks.residual")}: {label("band", risk.residual_band)} {risk.residual_score}
          </Tag>
        )}
        {risk.overdue && <Tag color="red">{t("risks.overdue")}</Tag>}
        <Typography.Text type="secondary">{t("risks.version", { v: risk.version })}</Typography.Text>
      </Space>
      <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t("risks.category")}>{label("category", risk.category)}</Descriptions.Item>
        <Descriptions.Item label={t("risks.type")}>{label("risktype", risk.type)}</Descriptions.Item>
        <Descriptions.Item label={t("risks.owner")}>{risk.owner ?? "—"}</Descriptions.Item>
        <Descriptions.Item label={t("risks.response")}>{label("response", risk.response)}</Descriptions.Item>
        <Descriptions.Item label={t("risks.nextReview")}>{risk.next_review ?? "—"}</Descriptions.Item>
        <Descriptions.Item label={t("risks.source")}>
          {label("source", risk.source)}
          {risk.confidence != null && ` · ${t("risks.confidence")} ${Math.round(risk.confidence * 100)}%`}
        </Descriptions.Item>
        <Descriptions.Item label={t("risks.cause")} span={2}>{risk.cause ?? "—"}</Descriptions.Item>
        <Descriptions.Item label={t("risks.event")} span={2}>{risk.event ?? "—"}</Descriptions.Item>
        <Descriptions.Item label={t("risks.effect")} span={2}>{risk.effect ?? "—"}</Descriptions.Item>
        <Descriptions.Item label={t("risks.contingency")}>{risk.contingency ?? "—"}</Descriptions.Item>
        <Descriptions.Item label={t("risks.trigger")}>{risk.trigger ?? "—"}</Descriptions.Item>
        <Descriptions.Item label={t("risks.linkedRequirements")}>{risk.linked_requirements.join(", ") || "—"}</Descriptions.Item>
        <Descriptions.Item label={t("risks.linkedInterfaces")}>{risk.linked_interfaces.join(", ") || "—"}</Descriptions.Item>
        <Descriptions.Item label={t("risks.personFields")} span={2}>{risk.person_fields.join(", ") || "—"}</Descriptions.Item>
      </Descriptions>

      <Card size="small" title={`${t("risks.evidence")} (${risk.evidence.length})`} style={{ marginBottom: 16 }}>
        <List
          dataSource={risk.evidence}
          locale={{ emptyText: t("risks.noEvidence") }}
          renderItem={(e) => (
            <List.Item data-testid="evidence">
              <Space orientation="vertical" size={2} style={{ width: "100%" }}>
                <Space wrap>
                  {e.document_id ? (
                    <Button
                      type="link"
                      size="small"
                      style={{ padding: 0 }}
                      onClick={() =>
                        setPassage({ title: e.file_name ?? e.document_id!, documentId: e.document_id!, chunkId: e.chunk_id, quote: e.quote })
                      }
                    >
                      {e.file_name}
                    </Button>
                  ) : (
                    <Typography.Text>{e.file_name ?? "—"}</Typography.Text>
                  )}
                  {e.page != null && <Tag>{t("common.page", { n: e.page })}</Tag>}
                  {e.section && <Tag color="blue">{e.section}</Tag>}
                  <Typography.Text type="secondary">
                    {e.added_by === ASSISTANT ? t("risks.fromAssistant") : e.added_by} · {new Date(e.created_at).toLocaleString()}
                  </Typography.Text>
                </Space>
                <Typography.Text italic>“{e.quote}”</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      </Card>

      <Card size="small" title={t("risks.actions")} style={{ marginBottom: 16 }}>
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={risk.actions}
          locale={{ emptyText: t("risks.noActions") }}
          scroll={{ x: 600 }}
          columns={[
            { title: t("risks.actionDescription"), dataIndex: "description" },
            { title: t("risks.actionOwner"), dataIndex: "owner", render: (o: string | null) => o ?? "—" },
            { title: t("risks.actionDue"), dataIndex: "due_date", render: (d: string | null) => d ?? "—" },
            {
              title: t("risks.actionStatus"),
              dataIndex: "status",
              render: (s: ActionStatus, a) =>
                can("manager") ? (
                  <Select<ActionStatus>
                    size="small"
                    aria-label={`${t("risks.actionStatus")}: ${a.description}`}
                    value={s}
                    style={{ width: 130 }}
                    onChange={(v) => void setActionStatus(a.id, v)}
                    options={ACTION_STATUSES.map((v) => ({ value: v, label: label("actionstatus", v) }))}
                  />
                ) : (
                  label("actionstatus", s)
                ),
            },
            { title: t("risks.source"), dataIndex: "source", render: (s: string) => label("source", s) },
          ]}
        />
        {can("manager") && (
          <Form form={actionForm} name="risk-action" layout="inline" onFinish={(v) => void addAction(v)} style={{ marginTop: 12, rowGap: 8 }}>
            <Form.Item name="description" label={t("risks.actionDescription")} rules={[{ required: true, whitespace: true, max: 2000 }]}>
              <Input style={{ width: 260 }} />
            </Form.Item>
            <Form.Item name="owner" label={t("risks.actionOwner")} rules={[{ max: 200 }]}>
              <Input style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="due_date" label={t("risks.actionDue")}>
              <DatePicker />
            </Form.Item>
            <Button htmlType="submit">{t("risks.addAction")}</Button>
          </Form>
        )}
      </Card>

      <Card size="small" title={t("risks.history")}>
        <Table<HistoryPublic>
          size="small"
          rowKey="id"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          dataSource={[...risk.history].reverse()}
          scroll={{ x: 800 }}
          columns={[
            { title: t("common.when"), dataIndex: "at", render: (at: string) => new Date(at).toLocaleString() },
            {
              title: t("common.who"),
              dataIndex: "actor",
              render: (actor: string) => (actor === ASSISTANT ? <Tag color="purple">{t("risks.fromAssistant")}</Tag> : actor),
            },
            {
              title: t("risks.change"),
              dataIndex: "kind",
              render: (kind: string) =>
                kind === "suggestion" ? <Tag color="purple">{t("risks.suggestion")}</Tag> : label("history", kind),
            },
            { title: t("risks.field"), dataIndex: "field", render: (f: string | null) => f ?? "" },
            {
              title: t("risks.values"),
              key: "values",
              render: (_, h) =>
                h.kind === "dismissed" ? (
                  t("risks.notTaken", { v: h.new_value ?? "—" })
                ) : h.old_value != null || h.new_value != null ? (
                  <span>
                    {h.old_value ?? "—"} → <strong>{h.new_value ?? "—"}</strong>
                  </span>
                ) : (
                  h.note
                ),
            },
            {
              title: "",
              key: "decide",
              render: (_, h) => {
                if (h.kind !== "suggestion") return null;
                const state = suggestionState.get(h.id) ?? "pending";
                if (state !== "pending") return <Tag data-testid="suggestion-state">{label("suggestionstate", state)}</Tag>;
                return can("manager") ? (
                  <Space size={4}>
                    <Button size="small" onClick={() => void acceptSuggestion(h)}>
                      {t("risks.acceptSuggestion")}
                    </Button>
                    <Button size="small" danger onClick={() => void rejectSuggestion(h)}>
                      {t("risks.rejectSuggestion")}
                    </Button>
                  </Space>
                ) : (
                  <Tag color="purple">{label("suggestionstate", state)}</Tag>
                );
              },
            },
          ]}
        />
      </Card>
      <RiskEditor pid={pid} risk={risk} open={editorOpen} onClose={() => setEditorOpen(false)} onSaved={setData} />
      <PassageDrawer pid={pid} passage={passage} onClose={() => setPassage(null)} />
    </>
  );
}
