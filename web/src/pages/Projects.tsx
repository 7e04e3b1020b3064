import { Button, Card, Form, Input, Space, Table, Tag, Typography, App } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";

import { post } from "../api/client";
import type { ProjectPublic } from "../api/types";
import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n, useLabel } from "../i18n";
import { useProjects } from "../projects";
import { useSession } from "../session";

export function Projects() {
  const { t } = useI18n();
  const label = useLabel();
  const { items, loading, error, reload } = useProjects();
  const { can } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [createError, setCreateError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ name: string; description?: string }>();

  const create = async (values: { name: string; description?: string }) => {
    setBusy(true);
    setCreateError(null);
    try {
      const created = await post<ProjectPublic>("/projects", {
        name: values.name.trim(),
        description: values.description?.trim() || null,
      });
      message.success(t("projects.createdMessage", { name: created.name }));
      form.resetFields();
      reload();
      navigate(`/p/${encodeURIComponent(created.id)}`);
    } catch (err) {
      setCreateError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Typography.Title level={2}>{t("projects.title")}</Typography.Title>
      <ErrorAlert error={error} onRetry={reload} />
      {can("admin") && (
        <Card title={t("projects.create")} size="small" style={{ marginBottom: 16, maxWidth: 720 }}>
          <ErrorAlert error={createError} />
          <Form form={form} layout="inline" onFinish={create} style={{ rowGap: 8 }}>
            <Form.Item label={t("projects.name")} name="name" rules={[{ required: true, whitespace: true, max: 200 }]}>
              <Input style={{ width: 200 }} />
            </Form.Item>
            <Form.Item label={t("projects.description")} name="description" rules={[{ max: 2000 }]}>
              <Input style={{ width: 240 }} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t("common.create")}
            </Button>
          </Form>
        </Card>
      )}
      <Table<ProjectPublic>
        rowKey="id"
        loading={loading}
        dataSource={items}
        pagination={false}
        scroll={{ x: 640 }}
        locale={{ emptyText: t("projects.none") }}
        columns={[
          {
            title: t("projects.name"),
            dataIndex: "name",
            render: (name: string, p) => <Link to={`/p/${encodeURIComponent(p.id)}`}>{name}</Link>,
          },
          { title: "Id", dataIndex: "id", render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
          { title: t("projects.description"), dataIndex: "description", ellipsis: true },
          {
            title: t("projects.documents"),
            dataIndex: "documents",
            render: (counts: Record<string, number> | undefined) => (
              <Space size={4} wrap>
                {Object.entries(counts ?? {}).map(([status, n]) => (
                  <Tag key={status}>
                    {label("status", status)} {n}
                  </Tag>
                ))}
              </Space>
            ),
          },
          {
            title: t("projects.created"),
            dataIndex: "created_at",
            render: (at: string) => new Date(at).toLocaleString(),
          },
        ]}
      />
    </>
  );
}
