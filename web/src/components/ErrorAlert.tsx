// An API refusal in words: a heading for its status and the server's own sentence, never a blank screen.
import { Alert, App, Button } from "antd";
import { useCallback } from "react";

import { ApiError } from "../api/client";
import type { MessageKey } from "../i18n/en";
import { useI18n, type Translate } from "../i18n";

const KNOWN = new Set([0, 400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 502, 503]);

export function errorTitle(err: unknown, t: Translate): string {
  const status = err instanceof ApiError ? err.status : 500;
  const key = `error.${KNOWN.has(status) ? status : status >= 500 ? 500 : 400}` as MessageKey;
  return t(key);
}

export function errorDetail(err: unknown, t: Translate): string {
  if (!(err instanceof Error)) return String(err);
  const parts = [err.message];
  if (err instanceof ApiError) {
    if (err.queuePosition !== null) parts.push(t("error.queue", { n: err.queuePosition }));
    if (err.retryAfterS !== null) parts.push(t("error.retryAfter", { s: err.retryAfterS }));
  }
  return parts.join(" ");
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={errorTitle(error, t)}
      description={errorDetail(error, t)}
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t("error.retry")}
          </Button>
        ) : undefined
      }
      style={{ marginBottom: 16 }}
    />
  );
}

/** For actions (buttons): the refusal as a notification that stays until read. */
export function useReportError(): (err: unknown) => void {
  const { notification } = App.useApp();
  const { t } = useI18n();
  return useCallback(
    (err: unknown) => {
      notification.error({ title: errorTitle(err, t), description: errorDetail(err, t), duration: 0 });
    },
    [notification, t],
  );
}
