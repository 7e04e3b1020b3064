// Ask (the answer streams in; each [n] opens its passage) and Search (ranked passages with filters).
// Text areas have a fixed height: Ant Design's autoSize measures with a style attribute, which the CSP refuses.
import { Alert, Button, Card, DatePicker, Form, Input, List, Select, Space, Tabs, Tag, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { Fragment, useRef, useState, type ReactNode } from "react";

import { get, post, seg } from "../api/client";
import { streamEvents } from "../api/sse";
import type { AnswerPublic, Citation, DocumentList, DocumentType, PassagePublic, SearchResponse, SearchResult } from "../api/types";
import { ErrorAlert } from "../components/ErrorAlert";
import { PassageDrawer, type PassageRef } from "../components/PassageDrawer";
import { useLoad } from "../hooks/useLoad";
import { useI18n, useLabel } from "../i18n";
import { useSession } from "../session";
import { useProjectId } from "../Shell";

interface Turn {
  question: string;
  phase: "searching" | "writing" | "done" | "error";
  live: string;
  answer?: AnswerPublic;
  error?: unknown;
}

const CITATION = /\[(\d+)\]/g;

export function Ask() {
  const { t } = useI18n();
  const { can, me } = useSession();
  const label = useLabel();
  return (
    <>
      <Typography.Title level={2}>{t("nav.ask")}</Typography.Title>
      {!can("analyst") && <Alert type="info" title={t("role.readOnly", { role: label("role", me?.role) })} style={{ marginBottom: 12 }} />}
      <Tabs
        items={[
          { key: "ask", label: t("ask.tabAsk"), children: <AskTab /> },
          { key: "search", label: t("ask.tabSearch"), children: <SearchTab /> },
        ]}
      />
    </>
  );
}

function AskTab() {
  const pid = useProjectId();
  const { t } = useI18n();
  const { can } = useSession();
  const [turns, setTurns] = useState<Turn[]>([]);
  const [question, setQuestion] = useState("");
  const [passage, setPassage] = useState<PassageRef | null>(null);
  const running = turns.some((turn) => turn.phase === "searching" || turn.phase === "writing");
  const end = useRef<HTMLDivElement>(null);

  const ask = async () => {
    const q = question.trim();
    if (!q || running) return;
    setQuestion("");
    const index = turns.length;
    const update = (change: Partial<Turn> | ((turn: Turn) => Partial<Turn>)) =>
      setTurns((all) => all.map((turn, i) => (i === index ? { ...turn, ...(typeof change === "function" ? change(turn) : change) } : turn)));
    setTurns((all) => [...all, { question: q, phase: "searching", live: "" }]);
    try {
      await streamEvents(`/projects/${seg(pid)}/ask`, { question: q }, (kind, data) => {
        if (kind === "passages") update({ phase: "writing" });
        else if (kind === "token") update((turn) => ({ live: turn.live + (data as { text: string }).text }));
        else if (kind === "answer") update({ phase: "done", answer: data as AnswerPublic });
        end.current?.scrollIntoView({ block: "end" });
      });
    } catch (err) {
      update({ phase: "error", error: err });
    }
  };

  const openCitation = (c: Citation) =>
    setPassage({
      title: `${t("ask.citation", { n: c.n })} · ${c.file_name}`,
      documentId: c.document_id,
      chunkId: c.chunk_id,
      quote: c.quote,
      supported: c.supported,
    });
  const openPassage = (p: PassagePublic) =>
    setPassage({ title: `[${p.n}] ${p.file_name}`, documentId: p.document_id, chunkId: p.chunk_id, quote: "" });

  return (
    <>
      {turns.length === 0 && <Typography.Paragraph type="secondary">{t("ask.empty")}</Typography.Paragraph>}
      <div aria-live="polite">
        {turns.map((turn, i) => (
          <div key={i} className="chat-turn" data-testid="turn">
            <Card size="small" style={{ background: "#eff6ff", marginBottom: 8, marginLeft: "auto", maxWidth: 720 }}>
              <Typography.Text strong>{turn.question}</Typography.Text>
            </Card>
            <Card size="small" style={{ maxWidth: 880 }}>
              {turn.phase === "searching" && <Typography.Text type="secondary">{t("ask.searching")}</Typography.Text>}
              {turn.phase === "writing" && (
                <>
                  <Typography.Text type="secondary">{t("ask.writing")}</Typography.Text>
                  <div className="answer-text" data-testid="live-answer">{turn.live}</div>
                </>
              )}
              {turn.phase === "error" && <ErrorAlert error={turn.error} />}
              {turn.answer && <AnswerView answer={turn.answer} onCitation={openCitation} onPassage={openPassage} />}
            </Card>
          </div>
        ))}
      </div>
      <div ref={end} />
      {can("analyst") && (
        <Space.Compact style={{ width: "100%", maxWidth: 880, marginTop: 8 }}>
          <Input.TextArea
            aria-label={t("ask.question")}
            placeholder={t("ask.placeholder")}
            rows={2}
            value={question}
            maxLength={2000}
            onChange={(e) => setQuestion(e.target.value)}
            onPressEnter={(e) => {
              if (!e.shiftKey) {
                e.preventDefault();
                void ask();
              }
            }}
          />
          <Button type="primary" onClick={() => void ask()} loading={running} style={{ height: "auto" }}>
            {t("ask.send")}
          </Button>
        </Space.Compact>
      )}
      <PassageDrawer pid={pid} passage={passage} onClose={() => setPassage(null)} />
    </>
  );
}

function AnswerView({
  answer,
  onCitation,
  onPassage,
}: {
  answer: AnswerPublic;
  onCitation: (c: Citation) => void;
  onPassage: (p: PassagePublic) => void;
}) {
  const { t } = useI18n();
  const byN = new Map(answer.citations.map((c) => [c.n, c]));

  // The answer's text with each [n] a button that opens its passage.
  const parts: ReactNode[] = [];
  let at = 0;
  for (const m of answer.answer.matchAll(CITATION)) {
    const cite = byN.get(Number(m[1]));
    if (!cite) continue;
    parts.push(answer.answer.slice(at, m.index));
    parts.push(
      <Button
        key={m.index}
        type="link"
        size="small"
        className="citation-link"
        aria-label={`${t("ask.citation", { n: cite.n })}: ${cite.file_name}, ${cite.supported ? t("ask.supported") : t("ask.notSupported")}`}
        onClick={() => onCitation(cite)}
        danger={!cite.supported}
      >
        [{cite.n}]
      </Button>,
    );
    at = m.index + m[0].length;
  }
  parts.push(answer.answer.slice(at));

  return (
    <>
      {answer.refused && (
        <Alert type="warning" showIcon title={t("ask.refused")} description={answer.refusal_reason ?? undefined} style={{ marginBottom: 8 }} />
      )}
      <div className="answer-text" data-testid="answer">
        {parts.map((p, i) => (
          <Fragment key={i}>{p}</Fragment>
        ))}
      </div>
      {answer.citations.length > 0 && (
        <List
          size="small"
          header={<Typography.Text type="secondary">{t("ask.checked", { s: answer.citations_supported, c: answer.citations_checked })}</Typography.Text>}
          dataSource={answer.citations}
          renderItem={(c) => (
            <List.Item>
              <Space wrap>
                <Button type="link" size="small" onClick={() => onCitation(c)} data-testid="citation">
                  [{c.n}] {c.file_name}
                </Button>
                {c.page != null && <Tag>{t("common.page", { n: c.page })}</Tag>}
                {c.section && <Tag color="blue">{c.section}</Tag>}
                <Tag color={c.supported ? "success" : "error"}>{c.supported ? t("ask.supported") : t("ask.notSupported")}</Tag>
              </Space>
            </List.Item>
          )}
        />
      )}
      {(answer.unsupported_sentences ?? []).length > 0 && (
        <Alert type="error" title={t("ask.unsupported")} description={(answer.unsupported_sentences ?? []).join(" ")} style={{ marginTop: 8 }} />
      )}
      {answer.refused && (answer.passages ?? []).length > 0 && (
        <List
          size="small"
          header={<Typography.Text strong>{t("ask.closest")}</Typography.Text>}
          dataSource={answer.passages ?? []}
          renderItem={(p) => (
            <List.Item>
              <Button type="link" size="small" onClick={() => onPassage(p)} data-testid="closest-passage">
                [{p.n}] {p.file_name}
              </Button>
              <Typography.Text type="secondary" ellipsis style={{ maxWidth: 560 }}>
                {p.text}
              </Typography.Text>
            </List.Item>
          )}
        />
      )}
      <Typography.Text type="secondary" style={{ display: "block", marginTop: 4 }}>
        {t("ask.seconds", { s: (answer.timing.total_ms / 1000).toFixed(1) })}
      </Typography.Text>
    </>
  );
}

interface SearchForm {
  query: string;
  types?: DocumentType[];
  files?: string[];
  dates?: [Dayjs | null, Dayjs | null] | null;
}

function SearchTab() {
  const pid = useProjectId();
  const { t } = useI18n();
  const label = useLabel();
  const { can } = useSession();
  const [result, setResult] = useState<SearchResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [passage, setPassage] = useState<PassageRef | null>(null);
  const docs = useLoad((signal) => get<DocumentList>(`/projects/${seg(pid)}/documents`, { status: "indexed" }, signal), [pid]);
  const [form] = Form.useForm<SearchForm>();

  const search = async (values: SearchForm) => {
    setBusy(true);
    setError(null);
    // The list of the previous search goes while this one runs: passages ranked under other filters must not
    // pass for this search's results.
    setResult(null);
    const [from, to] = values.dates ?? [null, null];
    const filters = {
      doc_types: values.types?.length ? values.types : null,
      file_names: values.files?.length ? values.files : null,
      date_from: from ? from.format("YYYY-MM-DD") : null,
      date_to: to ? to.format("YYYY-MM-DD") : null,
    };
    const any = Object.values(filters).some((v) => v !== null);
    try {
      setResult(await post<SearchResponse>(`/projects/${seg(pid)}/search`, { query: values.query.trim(), top_k: 10, filters: any ? filters : null }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (!can("analyst")) return null;
  return (
    <>
      <Form<SearchForm> form={form} layout="vertical" onFinish={(v) => void search(v)} style={{ maxWidth: 880 }}>
        <Form.Item name="query" label={t("search.query")} rules={[{ required: true, whitespace: true }]}>
          <Input.Search placeholder={t("search.placeholder")} enterButton={t("common.search")} loading={busy} onSearch={() => form.submit()} />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item name="types" label={t("search.types")}>
            <Select<DocumentType[]>
              mode="multiple"
              allowClear
              style={{ minWidth: 200 }}
              options={(["meeting", "email", "spec", "other"] as const).map((v) => ({ value: v, label: label("doctype", v) }))}
            />
          </Form.Item>
          <Form.Item name="files" label={t("search.files")}>
            <Select<string[]>
              mode="multiple"
              allowClear
              style={{ minWidth: 260, maxWidth: 420 }}
              options={(docs.data?.items ?? []).map((d) => ({ value: d.file_name, label: d.file_name }))}
            />
          </Form.Item>
          <Form.Item name="dates" label={t("search.dates")}>
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
        </Space>
      </Form>
      <ErrorAlert error={error} />
      {result && (
        <>
          {!result.relevant && <Alert type="info" title={t("search.notRelevant")} style={{ marginBottom: 8 }} />}
          <List
            header={t("search.results", { n: result.results.length })}
            dataSource={result.results}
            renderItem={(r: SearchResult, i) => (
              <List.Item data-testid="search-result">
                <Space orientation="vertical" style={{ width: "100%" }}>
                  <Space wrap>
                    <Typography.Text strong>[{i + 1}]</Typography.Text>
                    <Button
                      type="link"
                      size="small"
                      onClick={() => setPassage({ title: r.file_name, documentId: r.document_id, chunkId: r.chunk_id, quote: "" })}
                    >
                      {r.file_name}
                    </Button>
                    {r.page != null && <Tag>{t("common.page", { n: r.page })}</Tag>}
                    {r.section && <Tag color="blue">{r.section}</Tag>}
                    {r.doc_type && <Tag>{label("doctype", r.doc_type)}</Tag>}
                    <Typography.Text type="secondary">{t("search.relevance", { r: r.relevance.toFixed(2) })}</Typography.Text>
                  </Space>
                  <Typography.Paragraph className="passage" ellipsis={{ rows: 4, expandable: true }} style={{ marginBottom: 0 }}>
                    {r.text}
                  </Typography.Paragraph>
                </Space>
              </List.Item>
            )}
          />
        </>
      )}
      <PassageDrawer pid={pid} passage={passage} onClose={() => setPassage(null)} />
    </>
  );
}
