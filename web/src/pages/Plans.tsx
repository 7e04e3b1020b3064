// The project's integration plans, and a form to draft a new one from the documents (title, language, the 5-Why
// analyses whose root needs it answers). Drafting is a job: the plan's page follows it.
import { App, Button, Card, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";

import { del, get, post, seg } from "../api/client";
import type { FiveWhyList, PlanAccepted, PlanCreate, PlanList, PlanPublic } from "../api/types";
import { ErrorAlert, useReportError } from "../components/ErrorAlert";
import { useLoad } from "../hooks/useLoad";
import { useI18n, useLabel } from "../i18n";
import { PLAN_STATUS_COLOR } from "../plans/labels";
import { useSession } from "../session";
import { useProjectId } from "../Shell";

const PAGE = 20;

interface DraftForm {
  title?: string;
  language?: "zh" | "en" | "auto";
  five_why_ids?: string[];
}

export function Plans() {
  const pid = useProjectId();
  const { t } = useI18n();
  const label = useLabel();
  const { can, me } = useSession();
  const { message } = App.useApp();
  const report = useReportError();
  const navigate = useNavigate();
  const base = `/projects/${seg(pid)}/plans`;
  const [page, setPage] = useState(1);
  const list = useLoad((signal) => get<PlanList>(base, { limit: PAGE, offset: (page - 1) * PAGE }, signal), [base, page]);

  const remove = async (plan: PlanPublic) => {
    try {
      await del(`${base}/${seg(plan.id)}`);
      message.success(t("plan.deleted", { title: plan.title }));
      list.reload();
    } catch (err) {
      report(err);
    }
  };

  return (
    <>
      <Typography.Title level={2}>{t("plan.title")}</Typography.Title>
      {!can("analyst") && (
        <Typography.Paragraph type="secondary">{t("role.readOnly", { role: label("role", me?.role) })}</Typography.Paragraph>
      )}
      {can("analyst") && <DraftCard pid={pid} onDrafted={(id) => navigate(`/p/${encodeURIComponent(pid)}/plans/${encodeURIComponent(id)}`)} />}
      <ErrorAlert error={list.error} onRetry={list.reload} />
      <Table<PlanPublic>
        rowKey="id"
        data-testid="plan-list"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: t("plan.none") }}
        scroll={{ x: 800 }}
        pagination={{
          current: page,
          pageSize: PAGE,
          total: list.data?.total ?? 0,
          onChange: setPage,
          hideOnSinglePage: true,
          showTotal: (n) => t("common.total", { n }),
        }}
        columns={[
          {
            title: t("plan.titleField"),
            dataIndex: "title",
            render: (title: string, p) => <Link to={`/p/${encodeURIComponent(pid)}/plans/${encodeURIComponent(p.id)}`}>{title}</Link>,
          },
          {
            title: t("plan.status"),
            dataIndex: "status",
            render: (s: PlanPublic["status"]) => <Tag color={PLAN_STATUS_COLOR[s]}>{label("planstatus", s)}</Tag>,
          },
          { title: t("plan.language"), dataIndex: "language", render: (l: string) => label("lang", l) },
          { title: t("plan.interfaces"), key: "interfaces", render: (_, p) => (p.interfaces ?? []).length },
          { title: t("plan.phases"), key: "phases", render: (_, p) => (p.phases ?? []).length },
          { title: t("plan.versionColumn"), dataIndex: "version" },
          { title: t("risks.updated"), dataIndex: "updated_at", render: (at: string) => new Date(at).toLocaleString() },
          ...(can("manager")
            ? [
                {
                  title: t("common.actions"),
                  key: "actions",
                  render: (_: unknown, p: PlanPublic) => (
                    <Popconfirm title={t("plan.deleteConfirm", { title: p.title })} onConfirm={() => void remove(p)} okText={t("common.delete")} cancelText={t("common.cancel")}>
                      <Button size="small" danger aria-label={`${t("common.delete")} ${p.title}`}>
                        {t("common.delete")}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}

function DraftCard({ pid, onDrafted }: { pid: string; onDrafted: (planId: string) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<DraftForm>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const analyses = useLoad((signal) => get<FiveWhyList>(`/projects/${seg(pid)}/five-why`, { limit: 100 }, signal), [pid]);

  const draft = async (values: DraftForm) => {
    setBusy(true);
    setError(null);
    const body: PlanCreate = {
      title: values.title?.trim() || null,
      language: values.language && values.language !== "auto" ? values.language : null,
      five_why_ids: values.five_why_ids ?? [],
    };
    try {
      const accepted = await post<PlanAccepted>(`/projects/${seg(pid)}/plans`, body);
      onDrafted(accepted.plan_id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title={t("plan.draftTitle")} style={{ marginBottom: 16, maxWidth: 880 }}>
      <Typography.Paragraph type="secondary">{t("plan.draftHint")}</Typography.Paragraph>
      <ErrorAlert error={error} />
      <Form<DraftForm> form={form} name="plan-draft" layout="vertical" initialValues={{ language: "auto" }} onFinish={(v) => void draft(v)}>
        <Space wrap align="start">
          <Form.Item name="title" label={t("plan.titleField")} rules={[{ max: 300 }]}>
            <Input placeholder={t("plan.titlePlaceholder")} style={{ width: 320 }} />
          </Form.Item>
          <Form.Item name="language" label={t("plan.language")}>
            <Select
              style={{ width: 260 }}
              options={[
                { value: "auto", label: t("plan.languageAuto") },
                { value: "zh", label: t("lang.zh") },
                { value: "en", label: t("lang.en") },
              ]}
            />
          </Form.Item>
        </Space>
        <Form.Item name="five_why_ids" label={t("plan.fiveWhys")} extra={t("plan.fiveWhysHint")}>
          <Select
            mode="multiple"
            allowClear
            maxCount={20}
            loading={analyses.loading}
            optionFilterProp="label"
            style={{ maxWidth: 640 }}
            options={(analyses.data?.items ?? []).map((a) => ({ value: a.id, label: `${a.statement} → ${a.root_need}` }))}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t("plan.draft")}
        </Button>
      </Form>
    </Card>
  );
}
