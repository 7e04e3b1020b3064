// Create or edit a risk. An edit sends the version it read: a 409 means someone changed the risk since, and the
// editor shows their change beside the user's, who may apply theirs again on the new version.
import { Alert, App, Button, DatePicker, Form, Input, Modal, Select, Space, Table, Typography } from "antd";
import { useEffect, useState } from "react";

import { ApiError, get, patch, post, seg } from "../api/client";
import type { RiskDetail } from "../api/types";
import { useI18n, useLabel } from "../i18n";
import { ErrorAlert } from "./ErrorAlert";
import {
  CATEGORIES,
  changedFields,
  EDITABLE,
  FIELD_LABEL,
  fromForm,
  LEVELS,
  RESPONSES,
  toForm,
  TYPES,
  type Editable,
  type FormValues,
} from "./riskFields";

interface Conflict {
  current: RiskDetail;
  mine: FormValues;
  theirs: Editable[]; // fields the other person changed
}

export function RiskEditor({
  pid,
  risk,
  open,
  onClose,
  onSaved,
}: {
  pid: string;
  risk: RiskDetail | null; // null: a new risk
  open: boolean;
  onClose: () => void;
  onSaved: (risk: RiskDetail) => void;
}) {
  const { t } = useI18n();
  const label = useLabel();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [base, setBase] = useState<RiskDetail | null>(risk); // the version the edit is made on
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setBase(risk);
    setError(null);
    setConflict(null);
    form.resetFields();
    form.setFieldsValue(risk ? toForm(risk) : { type: "threat", category: "other", probability: 3, impact: 3 });
  }, [open, risk, form]);

  const save = async (on: RiskDetail | null, values: FormValues) => {
    setBusy(true);
    setError(null);
    const riskPath = `/projects/${seg(pid)}/risks`;
    try {
      let saved: RiskDetail;
      if (!on) {
        const body = Object.fromEntries(EDITABLE.map((f) => [f, fromForm(f, values[f])]).filter(([, v]) => v !== null));
        saved = await post<RiskDetail>(riskPath, body);
        message.success(t("risks.created", { id: saved.id }));
      } else {
        const changed = changedFields(toForm(on), values);
        const body: Record<string, unknown> = { version: on.version };
        for (const f of changed) body[f] = fromForm(f, values[f]);
        saved = await patch<RiskDetail>(`${riskPath}/${seg(on.id)}`, body);
        message.success(t("risks.updatedMessage", { id: saved.id }));
      }
      setConflict(null);
      onSaved(saved);
      onClose();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && on) {
        try {
          const current = await get<RiskDetail>(`${riskPath}/${seg(on.id)}`);
          setConflict({ current, mine: values, theirs: changedFields(toForm(on), toForm(current)) });
        } catch (reloadErr) {
          setError(reloadErr);
        }
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const show = (field: Editable, value: FormValues[Editable]): string => {
    const v = fromForm(field, value);
    if (v === null) return "—";
    if (field === "category") return label("category", String(v));
    if (field === "type") return label("risktype", String(v));
    if (field === "response") return label("response", String(v));
    return String(v);
  };

  const retry = () => {
    if (!conflict || !base) return;
    // My changes (against what I read) applied on top of the new version.
    const mineChanged = changedFields(toForm(base), conflict.mine);
    const merged = toForm(conflict.current);
    for (const f of mineChanged) merged[f] = conflict.mine[f];
    setBase(conflict.current);
    form.setFieldsValue(merged);
    void save(conflict.current, merged);
  };

  const keepTheirs = () => {
    if (!conflict) return;
    onSaved(conflict.current);
    onClose();
  };

  const levelOptions = LEVELS.map((n) => ({ value: n, label: String(n) }));
  return (
    <Modal
      open={open}
      title={base ? `${t("common.edit")} ${base.id} · ${t("risks.version", { v: base.version })}` : t("risks.create")}
      onCancel={onClose}
      width={Math.min(860, window.innerWidth - 16)}
      footer={null}
      destroyOnHidden
    >
      {conflict ? (
        <div data-testid="conflict">
          <Alert
            type="warning"
            showIcon
            title={t("risks.conflictTitle")}
            description={t("risks.conflictBody", { mine: base?.version ?? "?", theirs: conflict.current.version })}
            style={{ marginBottom: 12 }}
          />
          <Typography.Paragraph type="secondary">{error instanceof Error ? error.message : null}</Typography.Paragraph>
          <Table
            size="small"
            pagination={false}
            rowKey="field"
            dataSource={EDITABLE.filter((f) => conflict.theirs.includes(f) || changedFields(toForm(base!), conflict.mine).includes(f)).map((f) => ({
              field: f,
              was: show(f, toForm(base!)[f]),
              theirs: show(f, toForm(conflict.current)[f]),
              mine: show(f, conflict.mine[f]),
            }))}
            columns={[
              { title: t("risks.conflictField"), dataIndex: "field", render: (f: Editable) => t(FIELD_LABEL[f]) },
              { title: t("risks.conflictTheirs"), dataIndex: "theirs" },
              { title: t("risks.conflictYours"), dataIndex: "mine" },
            ]}
          />
          <Typography.Paragraph style={{ marginTop: 8 }}>
            {conflict.current.history
              .filter((h) => h.kind === "changed")
              .slice(-3)
              .map((h) => `${h.actor} · ${new Date(h.at).toLocaleString()} · ${h.field}: ${h.old_value ?? "—"} → ${h.new_value ?? "—"}`)
              .join("\n")}
          </Typography.Paragraph>
          <Space wrap>
            <Button type="primary" onClick={retry} loading={busy}>
              {t("risks.conflictRetry")}
            </Button>
            <Button onClick={keepTheirs}>{t("risks.conflictKeep")}</Button>
          </Space>
        </div>
      ) : (
        <>
          <ErrorAlert error={error} />
          <Form<FormValues> form={form} name="risk-edit" layout="vertical" onFinish={(v) => void save(base, v)}>
            <Form.Item name="title" label={t("risks.titleField")} rules={[{ required: true, whitespace: true, max: 300 }]}>
              <Input />
            </Form.Item>
            <Space wrap align="start">
              <Form.Item name="type" label={t("risks.type")}>
                <Select style={{ width: 140 }} options={TYPES.map((v) => ({ value: v, label: label("risktype", v) }))} />
              </Form.Item>
              <Form.Item name="category" label={t("risks.category")}>
                <Select style={{ width: 200 }} options={CATEGORIES.map((v) => ({ value: v, label: label("category", v) }))} />
              </Form.Item>
              <Form.Item name="probability" label={t("risks.probability")} rules={[{ required: true }]}>
                <Select style={{ width: 90 }} options={levelOptions} />
              </Form.Item>
              <Form.Item name="impact" label={t("risks.impact")} rules={[{ required: true }]}>
                <Select style={{ width: 90 }} options={levelOptions} />
              </Form.Item>
              <Form.Item name="residual_probability" label={t("risks.residualProbability")}>
                <Select style={{ width: 110 }} allowClear options={levelOptions} />
              </Form.Item>
              <Form.Item name="residual_impact" label={t("risks.residualImpact")}>
                <Select style={{ width: 110 }} allowClear options={levelOptions} />
              </Form.Item>
            </Space>
            <Space wrap align="start">
              <Form.Item name="owner" label={t("risks.owner")} rules={[{ max: 200 }]}>
                <Input style={{ width: 200 }} />
              </Form.Item>
              <Form.Item name="response" label={t("risks.response")}>
                <Select style={{ width: 160 }} allowClear options={RESPONSES.map((v) => ({ value: v, label: label("response", v) }))} />
              </Form.Item>
              <Form.Item name="next_review" label={t("risks.nextReview")}>
                <DatePicker />
              </Form.Item>
            </Space>
            {(["cause", "event", "effect", "contingency", "trigger"] as const).map((f) => (
              <Form.Item key={f} name={f} label={t(FIELD_LABEL[f])} rules={[{ max: 4000 }]}>
                <Input.TextArea rows={2} />
              </Form.Item>
            ))}
            <Space>
              <Button type="primary" htmlType="submit" loading={busy}>
                {t("common.save")}
              </Button>
              <Button onClick={onClose}>{t("common.cancel")}</Button>
            </Space>
          </Form>
        </>
      )}
    </Modal>
  );
}
