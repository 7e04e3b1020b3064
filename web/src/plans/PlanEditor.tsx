// Edit one item or text of a plan. The PATCH carries the version the editor opened on: a 409 means someone saved
// the plan since, and the editor shows what they changed beside the user's values, which the user may apply
// again on the new version (as the risk editor does).
import { Alert, App, Button, DatePicker, Form, Input, Modal, Select, Space, Table, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect, useState } from "react";

import { ApiError, get, patch, seg } from "../api/client";
import type { PlanDetail } from "../api/types";
import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n, useLabel } from "../i18n";
import { changedSlots, clean, type Edit, type Slot, type Value, type Values } from "./edits";
import { TEST_LEVELS } from "./labels";

type FormValues = Record<string, string | string[] | Dayjs | null | undefined>;

interface Conflict {
  current: PlanDetail;
  mine: Values;
}

const toForm = (values: Values | null, slots: Slot[]): FormValues =>
  Object.fromEntries(
    slots.map((slot) => {
      const v = values?.[slot.name] ?? null;
      return [slot.name, slot.kind === "date" && typeof v === "string" ? dayjs(v) : v];
    }),
  );

const fromForm = (form: FormValues, slots: Slot[]): Values =>
  clean(
    Object.fromEntries(
      slots.map((slot) => {
        const v = form[slot.name];
        return [slot.name, dayjs.isDayjs(v) ? v.format("YYYY-MM-DD") : ((v ?? null) as Value)];
      }),
    ),
    slots,
  );

export function PlanEditor({
  pid,
  plan,
  edit,
  onClose,
  onSaved,
}: {
  pid: string;
  plan: PlanDetail;
  edit: Edit | null; // null: closed
  onClose: () => void;
  onSaved: (plan: PlanDetail) => void;
}) {
  const { t } = useI18n();
  const label = useLabel();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [base, setBase] = useState<PlanDetail>(plan); // the version the edit is made on
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [busy, setBusy] = useState(false);
  const path = `/projects/${seg(pid)}/plans/${seg(plan.id)}`;

  useEffect(() => {
    if (!edit) return;
    setBase(plan);
    setError(null);
    setConflict(null);
    form.resetFields();
    form.setFieldsValue(toForm(edit.read(plan), edit.slots));
    // Opening the editor fixes the version it edits; a reload of the page's plan must not move it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [edit]);

  if (!edit) return null;

  const save = async (on: PlanDetail, values: Values) => {
    setBusy(true);
    setError(null);
    try {
      if (changedSlots(edit.slots, edit.read(on), values).length === 0 && edit.read(on) !== null) {
        onClose();
        return;
      }
      const saved = await patch<PlanDetail>(path, { version: on.version, [edit.field]: edit.write(on, values) });
      message.success(t("plan.saved", { v: saved.version }));
      setConflict(null);
      onSaved(saved);
      onClose();
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && err.status === 409) {
        try {
          setConflict({ current: await get<PlanDetail>(path), mine: values });
        } catch (reloadErr) {
          setError(reloadErr);
        }
      }
    } finally {
      setBusy(false);
    }
  };

  const show = (slot: Slot, v: Value | undefined): string => {
    if (v == null || (Array.isArray(v) && v.length === 0)) return "—";
    if (slot.kind === "level") return label("testlevel", String(v));
    return Array.isArray(v) ? v.join(", ") : v;
  };

  const retry = () => {
    if (!conflict) return;
    // My changes (against what I read) applied on top of the version they saved.
    const mineChanged = changedSlots(edit.slots, edit.read(base), conflict.mine);
    const merged: Values = { ...(edit.read(conflict.current) ?? conflict.mine) };
    for (const name of mineChanged) merged[name] = conflict.mine[name];
    setBase(conflict.current);
    form.setFieldsValue(toForm(merged, edit.slots));
    void save(conflict.current, merged);
  };

  const keepTheirs = () => {
    if (!conflict) return;
    onSaved(conflict.current);
    onClose();
  };

  const title = `${t("common.edit")} ${edit.subject || t(edit.slots[0].label)} · ${t("plan.version", { v: base.version })}`;
  return (
    <Modal open title={title} onCancel={onClose} width={Math.min(760, window.innerWidth - 16)} footer={null} destroyOnHidden>
      {conflict ? (
        <ConflictView
          edit={edit}
          base={base}
          conflict={conflict}
          error={error}
          busy={busy}
          show={show}
          onRetry={retry}
          onKeep={keepTheirs}
        />
      ) : (
        <>
          <ErrorAlert error={error} />
          <Form<FormValues> form={form} name="plan-edit" layout="vertical" onFinish={(v) => void save(base, fromForm(v, edit.slots))}>
            {edit.slots.map((slot) => (
              <Form.Item
                key={slot.name}
                name={slot.name}
                label={t(slot.label)}
                rules={slot.required ? [{ required: true, whitespace: slot.kind !== "tags" && slot.kind !== "date" }] : undefined}
              >
                {slot.kind === "textarea" ? (
                  <Input.TextArea rows={3} maxLength={4000} />
                ) : slot.kind === "date" ? (
                  <DatePicker />
                ) : slot.kind === "tags" ? (
                  <Select mode="tags" tokenSeparators={[",", "，", ";", "；"]} open={false} suffixIcon={null} />
                ) : slot.kind === "level" ? (
                  <Select style={{ width: 200 }} options={TEST_LEVELS.map((v) => ({ value: v, label: label("testlevel", v) }))} />
                ) : (
                  <Input maxLength={2000} />
                )}
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

function ConflictView({
  edit,
  base,
  conflict,
  error,
  busy,
  show,
  onRetry,
  onKeep,
}: {
  edit: Edit;
  base: PlanDetail;
  conflict: Conflict;
  error: unknown;
  busy: boolean;
  show: (slot: Slot, v: Value | undefined) => string;
  onRetry: () => void;
  onKeep: () => void;
}) {
  const { t } = useI18n();
  const label = useLabel();
  const before = edit.read(base);
  const now = edit.read(conflict.current);
  const theirs = changedSlots(edit.slots, before, now);
  const mine = changedSlots(edit.slots, before, conflict.mine);
  // What the others did since the version this edit was made on, from the plan's history.
  const since = new Date(base.updated_at).getTime();
  const changes = conflict.current.history.filter((h) => new Date(h.at).getTime() > since && h.kind !== "suggestion");
  return (
    <div data-testid="plan-conflict">
      <Alert
        type="warning"
        showIcon
        title={t("plan.conflictTitle")}
        description={t("plan.conflictBody", { mine: base.version, theirs: conflict.current.version })}
        style={{ marginBottom: 12 }}
      />
      <Typography.Paragraph type="secondary">{error instanceof Error ? error.message : null}</Typography.Paragraph>
      {now === null && before !== null && <Alert type="error" title={t("plan.conflictGone")} style={{ marginBottom: 12 }} />}
      <Table
        size="small"
        pagination={false}
        rowKey="name"
        dataSource={edit.slots
          .filter((slot) => theirs.includes(slot.name) || mine.includes(slot.name))
          .map((slot) => ({ name: slot.name, slot, now: show(slot, now?.[slot.name]), mine: show(slot, conflict.mine[slot.name]) }))}
        columns={[
          { title: t("plan.conflictField"), dataIndex: "slot", render: (slot: Slot) => t(slot.label) },
          { title: t("plan.conflictTheirs"), dataIndex: "now" },
          { title: t("plan.conflictYours"), dataIndex: "mine" },
        ]}
      />
      {changes.length > 0 && (
        <ul className="plan-changes" aria-label={t("plan.conflictHistory")}>
          {changes.map((h) => (
            <li key={h.id}>
              {h.actor} · {new Date(h.at).toLocaleString()} · {h.field ? label("plan.section", h.field) : label("plan.historyKind", h.kind)}
            </li>
          ))}
        </ul>
      )}
      <Space wrap style={{ marginTop: 8 }}>
        <Button type="primary" onClick={onRetry} loading={busy}>
          {t("plan.conflictRetry")}
        </Button>
        <Button onClick={onKeep}>{t("plan.conflictKeep")}</Button>
      </Space>
    </div>
  );
}
