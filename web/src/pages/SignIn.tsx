import { Button, Card, Form, Input, Segmented, Typography } from "antd";
import { useState } from "react";

import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n, type Lang } from "../i18n";
import { useSession } from "../session";

export function SignIn() {
  const { t, lang, setLang } = useI18n();
  const { signIn } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async ({ key }: { key: string }) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main style={{ display: "flex", justifyContent: "center", padding: "10vh 12px", background: "#f1f5f9", minHeight: "100vh" }}>
      <Card style={{ width: 440, maxWidth: "100%", alignSelf: "flex-start" }}>
        <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", gap: 8 }}>
          <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
            {t("app.title")}
          </Typography.Title>
          <Segmented<Lang>
            aria-label={t("header.language")}
            value={lang}
            onChange={setLang}
            options={[
              { value: "zh", label: "中文" },
              { value: "en", label: "EN" },
            ]}
          />
        </div>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {t("signin.title")}
        </Typography.Title>
        <ErrorAlert error={error} />
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            label={t("signin.key")}
            name="key"
            rules={[{ required: true, whitespace: true, message: t("signin.required") }]}
          >
            <Input.Password autoComplete="current-password" placeholder="ra_…" autoFocus />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} block>
            {t("signin.submit")}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
          {t("signin.hint")}
        </Typography.Paragraph>
      </Card>
    </main>
  );
}
