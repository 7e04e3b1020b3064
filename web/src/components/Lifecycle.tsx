// Buttons for the moves the risk's status allows (RiskPublic.allowed_actions), and nothing else.
import { App, Button, Space } from "antd";
import { useState } from "react";

import { post, seg } from "../api/client";
import type { RiskDetail, RiskPublic } from "../api/types";
import { useI18n, useLabel } from "../i18n";
import { useReportError } from "./ErrorAlert";

export function Lifecycle({ pid, risk, onMoved }: { pid: string; risk: RiskPublic; onMoved: (risk: RiskDetail) => void }) {
  const { t } = useI18n();
  const label = useLabel();
  const { message } = App.useApp();
  const report = useReportError();
  const [busy, setBusy] = useState<string | null>(null);

  const move = async (action: string) => {
    setBusy(action);
    try {
      const moved = await post<RiskDetail>(`/projects/${seg(pid)}/risks/${seg(risk.id)}/${action}`, { version: risk.version });
      message.success(t("risks.moved", { id: moved.id, status: label("riskstatus", moved.status) }));
      onMoved(moved);
    } catch (err) {
      report(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Space size={4} wrap>
      {risk.allowed_actions.map((action) => (
        <Button
          key={action}
          size="small"
          loading={busy === action}
          danger={action === "reject" || action === "mark-occurred"}
          onClick={() => void move(action)}
          aria-label={`${label("riskaction", action)} ${risk.id}`}
        >
          {label("riskaction", action)}
        </Button>
      ))}
    </Space>
  );
}
