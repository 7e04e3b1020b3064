// 5-Why: each round arrives as the model writes it; the checked chain (sources, assumptions) replaces them.
import { Alert, Button, Card, Col, Form, Input, List, Row, Space, Steps, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";

import { get, seg } from "../api/client";
import { streamEvents } from "../api/sse";
import type { FiveWhyList, FiveWhyPublic } from "../api/types";
import { ErrorAlert } from "../components/ErrorAlert";
import { PassageDrawer, type PassageRef } from "../components/PassageDrawer";
import { useLoad } from "../hooks/useLoad";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { useProjectId } from "../Shell";

interface Round {
  n: number;
  question: string;
  answer: string;
}

export function FiveWhy() {
  const pid = useProjectId();
  const { analysisId } = useParams();
  const { t } = useI18n();
  const { can } = useSession();
  const navigate = useNavigate();
  const base = `/projects/${seg(pid)}/five-why`;
  const list = useLoad((signal) => get<FiveWhyList>(base, { limit: 50 }, signal), [base]);
  const stored = useLoad(
    (signal) => (analysisId ? get<FiveWhyPublic>(`${base}/${seg(analysisId)}`, undefined, signal) : Promise.resolve(null)),
    [base, analysisId],
  );
  const [rounds, setRounds] = useState<Round[]>([]);
  const [running, setRunning] = useState(false);
  const [fresh, setFresh] = useState<FiveWhyPublic | null>(null);
  const [error, setError] = useState<unknown>(null);

  const run = async ({ statement, context }: { statement: string; context?: string }) => {
    setRunning(true);
    setRounds([]);
    setFresh(null);
    setError(null);
    try {
      await streamEvents(base, { statement: statement.trim(), context: context?.trim() || null }, (kind, data) => {
        if (kind === "why") setRounds((all) => [...all, data as Round]);
        else if (kind === "analysis") {
          const analysis = data as FiveWhyPublic;
          setFresh(analysis);
          list.reload();
          navigate(`/p/${encodeURIComponent(pid)}/five-why/${encodeURIComponent(analysis.id)}`, { replace: true });
        }
      });
    } catch (err) {
      setError(err);
    } finally {
      setRunning(false);
    }
  };

  const shown = fresh && fresh.id === analysisId ? fresh : (stored.data ?? null);

  return (
    <>
      <Typography.Title level={2}>{t("fiveWhy.title")}</Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          {can("analyst") && (
            <Card size="small" style={{ marginBottom: 16 }}>
              <Form layout="vertical" onFinish={(v) => void run(v)}>
                <Form.Item name="statement" label={t("fiveWhy.statement")} rules={[{ required: true, whitespace: true }]}>
                  <Input placeholder={t("fiveWhy.placeholder")} />
                </Form.Item>
                <Form.Item name="context" label={t("fiveWhy.context")} rules={[{ max: 4000 }]}>
                  <Input.TextArea rows={2} />
                </Form.Item>
                <Button type="primary" htmlType="submit" loading={running}>
                  {t("fiveWhy.run")}
                </Button>
              </Form>
            </Card>
          )}
          <ErrorAlert error={error} />
          <div aria-live="polite">
            {running && (
              <Card size="small" title={t("fiveWhy.writing")} data-testid="live-rounds">
                <List
                  dataSource={rounds}
                  renderItem={(r) => (
                    <List.Item data-testid="live-round">
                      <Space orientation="vertical" size={0}>
                        <Typography.Text strong>
                          {t("fiveWhy.round", { n: r.n })}: {r.question}
                        </Typography.Text>
                        <span>{r.answer}</span>
                        <Typography.Text type="secondary">{t("fiveWhy.checking")}</Typography.Text>
                      </Space>
                    </List.Item>
                  )}
                />
              </Card>
            )}
          </div>
          <ErrorAlert error={stored.error} />
          {!running && shown && <Analysis pid={pid} analysis={shown} />}
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t("fiveWhy.earlier")}>
            <ErrorAlert error={list.error} onRetry={list.reload} />
            <List
              size="small"
              dataSource={list.data?.items ?? []}
              locale={{ emptyText: t("fiveWhy.none") }}
              renderItem={(a) => (
                <List.Item>
                  <Space orientation="vertical" size={0}>
                    <Link to={`/p/${encodeURIComponent(pid)}/five-why/${encodeURIComponent(a.id)}`}>{a.statement}</Link>
                    <Typography.Text type="secondary">
                      {new Date(a.created_at).toLocaleString()} · {t("fiveWhy.confidence", { c: Math.round(a.confidence * 100) })}
                    </Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}

function Analysis({ pid, analysis }: { pid: string; analysis: FiveWhyPublic }) {
  const { t } = useI18n();
  const [passage, setPassage] = useState<PassageRef | null>(null);
  return (
    <Card size="small" title={analysis.statement} extra={t("fiveWhy.confidence", { c: Math.round(analysis.confidence * 100) })} data-testid="analysis">
      <Steps
        orientation="vertical"
        size="small"
        current={analysis.whys.length}
        items={analysis.whys.map((w, i) => ({
          title: `${t("fiveWhy.round", { n: i + 1 })}: ${w.question}`,
          description: (
            <Space orientation="vertical" size={2} data-testid="why">
              <span>{w.answer}</span>
              {w.assumption ? (
                <Tag color="orange">{t("fiveWhy.assumption")}</Tag>
              ) : (
                <Space wrap size={4}>
                  <Tag color="green">{t("fiveWhy.cited")}</Tag>
                  {w.citations.map((c, k) => (
                    <Button
                      key={k}
                      size="small"
                      type="link"
                      onClick={() => setPassage({ title: c.file_name, documentId: c.document_id, chunkId: null, quote: c.quote, supported: c.supported })}
                    >
                      {c.file_name}
                      {c.page != null ? ` · ${t("common.page", { n: c.page })}` : c.section ? ` · ${c.section}` : ""}
                    </Button>
                  ))}
                </Space>
              )}
            </Space>
          ),
        }))}
      />
      <Alert type="success" title={t("fiveWhy.rootNeed")} description={analysis.root_need} style={{ margin: "12px 0" }} data-testid="root-need" />
      {analysis.stop_reason && (
        <Typography.Paragraph type="secondary">
          {t("fiveWhy.stopReason")}: {analysis.stop_reason}
        </Typography.Paragraph>
      )}
      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t("fiveWhy.requirements")}
      </Typography.Title>
      <List
        size="small"
        dataSource={analysis.requirements}
        renderItem={(r) => (
          <List.Item>
            <Space orientation="vertical" size={2}>
              <Space wrap>
                <span>{r.text}</span>
                <Tag color={r.score >= 80 ? "green" : r.score >= 60 ? "gold" : "red"}>{t("fiveWhy.score", { s: r.score })}</Tag>
                {r.findings.map((f, i) => (
                  <Tag key={i}>{f.rule}</Tag>
                ))}
              </Space>
              {r.acceptance_criteria.length > 0 && (
                <Typography.Text type="secondary">
                  {t("fiveWhy.acceptance")}: {r.acceptance_criteria.join(" · ")}
                </Typography.Text>
              )}
            </Space>
          </List.Item>
        )}
      />
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Typography.Title level={3} style={{ fontSize: 16 }}>
            {t("fiveWhy.solutions")}
          </Typography.Title>
          <ul>
            {analysis.solutions.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ul>
        </Col>
        <Col xs={24} md={12}>
          <Typography.Title level={3} style={{ fontSize: 16 }}>
            {t("fiveWhy.openQuestions")}
          </Typography.Title>
          <ul>
            {analysis.open_questions.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ul>
        </Col>
      </Row>
      <PassageDrawer pid={pid} passage={passage} onClose={() => setPassage(null)} />
    </Card>
  );
}
