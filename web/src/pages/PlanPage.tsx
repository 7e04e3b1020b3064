// One integration plan, as sections: systems, the interface catalogue, the schedule (a Gantt chart and the phase
// and milestone tables), the test strategy, cut-over, training and hand-over, linked risks, requirements, root
// needs, open questions and the documents' conflicts. Every stated item opens its evidence; what the assistant
// proposes is marked. While the plan drafts, the page follows its job. Managers edit (with the version they
// read) and decide on a redraft's suggestions; analysts draft again; everyone may download it.
import { DownOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Descriptions, Dropdown, List, Space, Spin, Table, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";

import { get, patch, post, seg } from "../api/client";
import type { JobPublic, PlanAccepted, PlanConflict, PlanDetail, PlanHistory, PlanSuggestion } from "../api/types";
import { ErrorAlert, useReportError } from "../components/ErrorAlert";
import { BAND_COLOR } from "../components/labels";
import { PassageDrawer, type PassageRef } from "../components/PassageDrawer";
import { useLoad } from "../hooks/useLoad";
import { useI18n, useLabel } from "../i18n";
import {
  cutover,
  describeChange,
  HANDOVER,
  INTERFACES,
  keyOf,
  MILESTONES,
  pending,
  PHASES,
  phaseMilestones,
  PROCEDURE_EDIT,
  QUESTIONS,
  STAGES,
  SYSTEMS,
  TESTS,
  TITLE_EDIT,
  TRAINING,
  TRIGGERS,
  withoutItem,
  type Collection,
  type Edit,
} from "../plans/edits";
import { EvidenceLinks, evidenceRef, ProposedTag } from "../plans/Evidence";
import { Gantt } from "../plans/Gantt";
import { PLAN_STATUS_COLOR } from "../plans/labels";
import { PlanEditor } from "../plans/PlanEditor";
import { SectionTable, type SectionActions } from "../plans/SectionTable";
import { useSession } from "../session";
import { useProjectId } from "../Shell";

const POLL_MS = 1000;
const ASSISTANT = "assistant"; // the history's actor for a draft (api/routes/plans.py ACTOR_NOTE)
const SECTIONS = ["systems", "interfaces", "schedule", "tests", "cutover", "training", "risks", "requirements", "questions", "conflicts", "history"] as const;

const text = (v: unknown) => (v == null || v === "" ? "—" : String(v));
const list = (v: unknown) => ((v as string[] | undefined) ?? []).join(", ") || "—";

export function PlanPage() {
  const pid = useProjectId();
  const { planId = "" } = useParams();
  const { t } = useI18n();
  const label = useLabel();
  const { can } = useSession();
  const { message } = App.useApp();
  const report = useReportError();
  const path = `/projects/${seg(pid)}/plans/${seg(planId)}`;
  const { data: plan, error, reload, setData } = useLoad((signal) => get<PlanDetail>(path, undefined, signal), [path]);
  const [job, setJob] = useState<JobPublic | null>(null);
  const [edit, setEdit] = useState<Edit | null>(null);
  const [passage, setPassage] = useState<PassageRef | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  // While the plan drafts, read it (and its job) again every second.
  useEffect(() => {
    if (plan?.status !== "drafting") return;
    const timer = window.setTimeout(() => {
      if (plan.job_id) {
        get<JobPublic>(`/jobs/${seg(plan.job_id)}`)
          .then(setJob)
          .catch(() => setJob(null)); // the plan's own reading reports what is wrong
      }
      reload();
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [plan, reload]);

  if (error) return <ErrorAlert error={error} onRetry={reload} />;
  if (!plan) return <Spin />;

  const manager = can("manager");
  const drafted = plan.history.some((h) => h.kind === "drafted");
  const run = async (key: string, call: () => Promise<PlanDetail>, done?: string) => {
    setBusy(key);
    try {
      setData(await call());
      if (done) message.success(done);
    } catch (err) {
      report(err);
      reload();
    } finally {
      setBusy(null);
    }
  };
  const actions: SectionActions = {
    canEdit: manager && plan.status !== "drafting",
    onEdit: setEdit,
    onRemove: (c: Collection, key: string) =>
      void run(`remove-${key}`, () => patch<PlanDetail>(path, { version: plan.version, [c.field]: withoutItem(plan, c, key) }), t("plan.removed", { name: key })),
    onOpen: setPassage,
  };
  const redraft = async () => {
    setBusy("redraft");
    try {
      await post<PlanAccepted>(`${path}/redraft`);
      message.info(t("plan.redraftStarted"));
      reload();
    } catch (err) {
      report(err);
    } finally {
      setBusy(null);
    }
  };
  const decide = (s: PlanSuggestion, decision: "accept" | "reject") =>
    run(
      `${decision}-${s.id}`,
      () => post<PlanDetail>(`${path}/suggestions/${s.id}/${decision}`, { version: plan.version }),
      t(decision === "accept" ? "plan.suggestionAccepted" : "plan.suggestionRejected"),
    );

  const milestoneRows = [
    ...(plan.phases ?? []).flatMap((phase, i, phases) => {
      const phaseKey = keyOf(phases, i, PHASES.keyField);
      const c = phaseMilestones(phaseKey);
      const items = c.list(plan);
      return items.map((m, j) => ({ ...m, phase: phase.name, _key: keyOf(items, j, "name"), _rowKey: `${phaseKey}/${j}`, _collection: c }));
    }),
    ...(plan.milestones ?? []).map((m, j, all) => ({ ...m, phase: null, _key: keyOf(all, j, "name"), _rowKey: `-/${j}`, _collection: MILESTONES })),
  ];
  const cut = cutover(plan);

  return (
    <>
      <Link to={`/p/${encodeURIComponent(pid)}/plans`}>← {t("plan.title")}</Link>
      <Space style={{ width: "100%", justifyContent: "space-between", marginTop: 8 }} wrap>
        <Space wrap align="center">
          <Typography.Title level={2} style={{ margin: 0 }} data-testid="plan-title">
            {plan.title}
          </Typography.Title>
          {manager && plan.status !== "drafting" && (
            <Button size="small" onClick={() => setEdit(TITLE_EDIT)} aria-label={t("plan.editTitle")}>
              {t("common.edit")}
            </Button>
          )}
        </Space>
        <Space wrap>
          {can("analyst") && (
            <Button onClick={() => void redraft()} loading={busy === "redraft"} disabled={plan.status === "drafting"}>
              {t("plan.redraft")}
            </Button>
          )}
          {drafted && (
            <Dropdown
              menu={{
                items: (["docx", "md", "xlsx"] as const).map((format) => ({
                  key: format,
                  label: (
                    <a href={`${path}/export?format=${format}`} download data-testid={`plan-export-${format}`}>
                      {t(`plan.export.${format}`)}
                    </a>
                  ),
                })),
              }}
            >
              <Button>
                {t("plan.download")} <DownOutlined />
              </Button>
            </Dropdown>
          )}
        </Space>
      </Space>
      <Space wrap style={{ margin: "8px 0 12px" }}>
        <Tag color={PLAN_STATUS_COLOR[plan.status]} data-testid="plan-status">
          {label("planstatus", plan.status)}
        </Tag>
        <Tag>{label("lang", plan.language)}</Tag>
        <Typography.Text type="secondary" data-testid="plan-version">
          {t("plan.version", { v: plan.version })} · {new Date(plan.updated_at).toLocaleString()}
        </Typography.Text>
        {plan.draft_stats && (
          <Typography.Text type="secondary">
            {t("plan.stats", { s: plan.draft_stats.seconds.toFixed(1), calls: plan.draft_stats.llm_calls, chunks: plan.draft_stats.chunks })}
          </Typography.Text>
        )}
        {(plan.person_fields ?? []).length > 0 && (
          <Typography.Text type="secondary">
            {t("plan.personFields")}: {(plan.person_fields ?? []).map((f) => label("plan.section", f)).join(", ")}
          </Typography.Text>
        )}
      </Space>
      {plan.status === "drafting" && (
        <Alert
          type="info"
          showIcon
          icon={<Spin size="small" />}
          role="status"
          data-testid="drafting"
          title={t("plan.drafting")}
          description={job ? t("plan.draftingJob", { status: label("status", job.status), s: Math.round((Date.now() - new Date(job.created_at).getTime()) / 1000) }) : t("plan.draftingHint")}
          style={{ marginBottom: 12 }}
        />
      )}
      {plan.status === "failed" && (
        <Alert type="error" showIcon role="alert" title={t("plan.failed")} description={plan.reason} style={{ marginBottom: 12 }} />
      )}
      <nav aria-label={t("plan.sections")} className="plan-nav">
        {SECTIONS.map((s) => (
          <Button key={s} type="link" size="small" onClick={() => document.getElementById(`plan-${s}`)?.scrollIntoView({ block: "start" })}>
            {t(`plan.nav.${s}`)}
          </Button>
        ))}
      </nav>

      <Suggestions plan={plan} canDecide={manager} busy={busy} onDecide={(s, d) => void decide(s, d)} />

      <SectionTable
        id="plan-systems"
        title={`${t("plan.nav.systems")} (${(plan.systems ?? []).length})`}
        testId="plan-systems"
        plan={plan}
        collection={SYSTEMS}
        actions={actions}
        empty={t("plan.emptySystems")}
        columns={[
          { title: t("plan.system"), dataIndex: "name", width: 160 },
          { title: t("plan.role"), dataIndex: "role", render: text },
          { title: t("plan.ownerVendor"), dataIndex: "owner", render: text },
        ]}
      />
      <SectionTable
        id="plan-interfaces"
        title={`${t("plan.nav.interfaces")} (${(plan.interfaces ?? []).length})`}
        testId="plan-interfaces"
        plan={plan}
        collection={INTERFACES}
        actions={actions}
        scrollX={1000}
        empty={t("plan.emptyInterfaces")}
        columns={[
          { title: t("plan.interfaceId"), dataIndex: "id", width: 80, fixed: "left" },
          { title: t("plan.source"), dataIndex: "source", render: text },
          { title: t("plan.target"), dataIndex: "target", render: text },
          { title: t("plan.protocol"), dataIndex: "protocol", render: text },
          { title: t("plan.data"), dataIndex: "data", render: text },
          { title: t("plan.frequency"), dataIndex: "frequency", render: text },
          { title: t("plan.direction"), dataIndex: "direction", render: text },
          { title: t("plan.owner"), dataIndex: "owner", render: text },
        ]}
      />

      <Card size="small" id="plan-schedule" title={t("plan.nav.schedule")} style={{ marginBottom: 16 }}>
        <Gantt plan={plan} />
      </Card>
      <SectionTable
        id="plan-phases"
        title={`${t("plan.phases")} (${(plan.phases ?? []).length})`}
        testId="plan-phases"
        plan={plan}
        collection={PHASES}
        actions={actions}
        empty={t("plan.emptyPhases")}
        columns={[
          { title: t("plan.phase"), dataIndex: "name", width: 160 },
          { title: t("plan.start"), dataIndex: "start", render: text, width: 110 },
          { title: t("plan.end"), dataIndex: "end", render: text, width: 110 },
          { title: t("plan.deliverables"), dataIndex: "deliverables", render: list },
        ]}
      />
      <SectionTable
        id="plan-milestones"
        title={`${t("plan.milestones")} (${milestoneRows.length})`}
        testId="plan-milestones"
        plan={plan}
        collection={MILESTONES}
        rows={milestoneRows}
        actions={actions}
        empty={t("plan.emptyMilestones")}
        columns={[
          { title: t("plan.milestone"), dataIndex: "name", width: 180 },
          { title: t("plan.date"), dataIndex: "date", render: text, width: 110 },
          { title: t("plan.phase"), dataIndex: "phase", render: (p: string | null) => p ?? t("plan.outsidePhases") },
          { title: t("plan.deliverables"), dataIndex: "deliverables", render: list },
        ]}
      />

      <SectionTable
        id="plan-tests"
        title={`${t("plan.nav.tests")} (${(plan.tests ?? []).length})`}
        testId="plan-tests"
        plan={plan}
        collection={TESTS}
        actions={actions}
        scrollX={1300}
        pageSize={10}
        empty={t("plan.emptyTests")}
        columns={[
          { title: t("plan.testId"), dataIndex: "id", width: 100 },
          { title: t("plan.level"), dataIndex: "level", width: 110, render: (l: string) => <Tag>{label("testlevel", l)}</Tag> },
          { title: t("plan.testTitle"), dataIndex: "title", width: 220 },
          {
            title: t("plan.covers"),
            key: "covers",
            width: 200,
            render: (_, r) => (
              <Typography.Paragraph ellipsis={{ rows: 3, expandable: true }} style={{ marginBottom: 0 }}>
                {[...((r.interfaces as string[] | undefined) ?? []), ...((r.requirements as string[] | undefined) ?? [])].join(", ") || "—"}
              </Typography.Paragraph>
            ),
          },
          {
            title: t("plan.acceptance"),
            dataIndex: "acceptance",
            width: 320,
            render: (a: string | null) => (
              <Typography.Paragraph ellipsis={{ rows: 3, expandable: true }} style={{ marginBottom: 0 }}>
                {a ?? "—"}
              </Typography.Paragraph>
            ),
          },
        ]}
      />

      <div id="plan-cutover">
        <SectionTable
          id="plan-stages"
          title={`${t("plan.stages")} (${(cut.stages ?? []).length})`}
          testId="plan-stages"
          plan={plan}
          collection={STAGES}
          actions={actions}
          scrollX={1200}
          empty={t("plan.emptyStages")}
          columns={[
            { title: t("plan.stage"), dataIndex: "name", width: 120 },
            { title: t("plan.scope"), dataIndex: "scope", render: text },
            { title: t("plan.date"), dataIndex: "date", render: text, width: 110 },
            { title: t("plan.entry"), dataIndex: "entry_criteria", render: text },
            { title: t("plan.exit"), dataIndex: "exit_criteria", render: text },
            { title: t("plan.observation"), dataIndex: "observation_period", render: text },
          ]}
        />
        <SectionTable
          id="plan-triggers"
          title={`${t("plan.triggers")} (${(cut.rollback_triggers ?? []).length})`}
          testId="plan-triggers"
          plan={plan}
          collection={TRIGGERS}
          actions={actions}
          empty={t("plan.emptyTriggers")}
          columns={[
            { title: t("plan.condition"), dataIndex: "condition" },
            {
              title: t("plan.threshold"),
              dataIndex: "threshold",
              width: 180,
              render: (v: string | null) => (v ? <Tag color="red">{v}</Tag> : "—"),
            },
            { title: t("plan.action"), dataIndex: "action", render: text },
          ]}
        />
        <Card
          size="small"
          title={t("plan.procedure")}
          style={{ marginBottom: 16 }}
          data-testid="plan-procedure"
          extra={
            actions.canEdit && (
              <Button size="small" onClick={() => setEdit(PROCEDURE_EDIT)} aria-label={`${t("common.edit")} ${t("plan.procedure")}`}>
                {t("common.edit")}
              </Button>
            )
          }
        >
          {cut.rollback_procedure_proposed && cut.rollback_procedure && <ProposedTag />}
          <Typography.Paragraph className="passage" style={{ marginTop: 4 }}>
            {cut.rollback_procedure ?? t("plan.noProcedure")}
          </Typography.Paragraph>
          <Typography.Text type="secondary">
            {t("plan.timeLimit")}: {cut.rollback_time_limit ?? "—"}
          </Typography.Text>
          {(cut.evidence ?? []).length > 0 && (
            <div style={{ marginTop: 8 }}>
              <EvidenceLinks evidence={cut.evidence} onOpen={setPassage} />
            </div>
          )}
        </Card>
      </div>

      <div id="plan-training">
        <SectionTable
          id="plan-training-table"
          title={`${t("plan.training")} (${(plan.training ?? []).length})`}
          testId="plan-training"
          plan={plan}
          collection={TRAINING}
          actions={actions}
          empty={t("plan.emptyTraining")}
          columns={[
            { title: t("plan.audience"), dataIndex: "audience", width: 200 },
            { title: t("plan.content"), dataIndex: "content", render: text },
            { title: t("plan.date"), dataIndex: "date", render: text, width: 110 },
          ]}
        />
        <SectionTable
          id="plan-handover"
          title={`${t("plan.handover")} (${(plan.handover ?? []).length})`}
          testId="plan-handover"
          plan={plan}
          collection={HANDOVER}
          actions={actions}
          empty={t("plan.emptyHandover")}
          columns={[
            { title: t("plan.handoverDocument"), dataIndex: "document" },
            { title: t("plan.handoverTo"), dataIndex: "to", render: text },
          ]}
        />
      </div>

      <Card size="small" id="plan-risks" title={`${t("plan.nav.risks")} (${(plan.risks ?? []).length})`} style={{ marginBottom: 16 }}>
        <List
          size="small"
          dataSource={plan.risks ?? []}
          locale={{ emptyText: t("plan.emptyRisks") }}
          renderItem={(r) => {
            const ref = r.ref ?? String(r.risk_id);
            return (
              <List.Item data-testid="plan-risk">
                <Space wrap>
                  <Link to={`/p/${encodeURIComponent(pid)}/risks/${encodeURIComponent(ref)}`}>{ref}</Link>
                  <span>{r.title}</span>
                  {r.band && <Tag color={BAND_COLOR[r.band as keyof typeof BAND_COLOR]}>{label("band", r.band)}</Tag>}
                </Space>
              </List.Item>
            );
          }}
        />
      </Card>

      <Card size="small" id="plan-requirements" title={`${t("plan.nav.requirements")} (${(plan.requirements ?? []).length})`} style={{ marginBottom: 16 }}>
        <Table
          size="small"
          rowKey={(r) => r.requirement_id}
          data-testid="plan-requirements"
          dataSource={plan.requirements ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: t("plan.emptyRequirements") }}
          scroll={{ x: 900 }}
          columns={[
            { title: t("req.id"), dataIndex: "requirement_id", width: 130 },
            { title: t("req.statement"), dataIndex: "text" },
            { title: t("req.kind"), dataIndex: "kind", width: 120, render: (k: string | null) => label("req.kind", k) },
            { title: t("req.class"), dataIndex: "quality_class", width: 120, render: text },
            { title: t("plan.evidence"), key: "evidence", width: 240, render: (_, r) => <EvidenceLinks evidence={r.evidence} onOpen={setPassage} /> },
          ]}
        />
        {(plan.needs ?? []).length > 0 && (
          <>
            <Typography.Title level={4} style={{ marginTop: 12 }}>
              {t("plan.needs")}
            </Typography.Title>
            <List
              size="small"
              dataSource={plan.needs ?? []}
              renderItem={(n) => (
                <List.Item>
                  <Link to={`/p/${encodeURIComponent(pid)}/five-why/${encodeURIComponent(n.analysis_id)}`}>{n.need}</Link>
                </List.Item>
              )}
            />
          </>
        )}
      </Card>

      <SectionTable
        id="plan-questions"
        title={`${t("plan.nav.questions")} (${(plan.open_questions ?? []).length})`}
        testId="plan-questions"
        plan={plan}
        collection={QUESTIONS}
        actions={actions}
        evidence={false}
        empty={t("plan.emptyQuestions")}
        columns={[
          { title: t("plan.question"), dataIndex: "question" },
          { title: t("plan.about"), dataIndex: "about", width: 160, render: text },
        ]}
      />

      <Card size="small" id="plan-conflicts" title={`${t("plan.nav.conflicts")} (${(plan.conflicts ?? []).length})`} style={{ marginBottom: 16 }}>
        {(plan.conflicts ?? []).length === 0 && <Typography.Text type="secondary">{t("plan.emptyConflicts")}</Typography.Text>}
        {(plan.conflicts ?? []).map((c, i) => (
          <ConflictItem key={i} conflict={c} onOpen={setPassage} />
        ))}
      </Card>

      <History rows={plan.history} />

      <PlanEditor pid={pid} plan={plan} edit={edit} onClose={() => setEdit(null)} onSaved={setData} />
      <PassageDrawer pid={pid} passage={passage} onClose={() => setPassage(null)} />
    </>
  );
}

function Suggestions({
  plan,
  canDecide,
  busy,
  onDecide,
}: {
  plan: PlanDetail;
  canDecide: boolean;
  busy: string | null;
  onDecide: (s: PlanSuggestion, decision: "accept" | "reject") => void;
}) {
  const { t } = useI18n();
  const label = useLabel();
  const all = plan.suggestions ?? [];
  if (!all.length) return null;
  const open = pending(all);
  return (
    <Card
      size="small"
      id="plan-suggestions"
      title={t("plan.suggestions")}
      extra={t("plan.suggestionsPending", { n: open.length })}
      style={{ marginBottom: 16, borderColor: open.length ? "#7c3aed" : undefined }}
    >
      <Typography.Paragraph type="secondary">{t("plan.suggestionsHint")}</Typography.Paragraph>
      <Table<PlanSuggestion>
        size="small"
        rowKey="id"
        data-testid="plan-suggestions"
        dataSource={[...open, ...all.filter((s) => s.status !== "pending")]}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        columns={[
          {
            title: t("plan.suggestionItem"),
            key: "item",
            width: 180,
            render: (_, s) => (
              <Space orientation="vertical" size={0}>
                <Tag color="purple">{t("plan.fromAssistant")}</Tag>
                <span>
                  {label("plan.section", s.field)}
                  {s.item_key ? ` · ${s.item_key}` : ""}
                </span>
              </Space>
            ),
          },
          { title: t("plan.suggestionNow"), key: "old", render: (_, s) => (s.old_value == null ? t("plan.suggestionNew") : describeChange(s.old_value, s.new_value)[0]) },
          {
            title: t("plan.suggestionSuggested"),
            key: "new",
            render: (_, s) => <strong>{s.new_value == null ? t("plan.suggestionDrop") : describeChange(s.old_value, s.new_value)[1]}</strong>,
          },
          { title: t("plan.suggestionNote"), dataIndex: "note", render: text },
          {
            title: t("plan.status"),
            key: "decision",
            width: 190,
            render: (_, s) =>
              s.status === "pending" ? (
                canDecide ? (
                  <Space size={4}>
                    <Button size="small" type="primary" loading={busy === `accept-${s.id}`} onClick={() => onDecide(s, "accept")} aria-label={`${t("plan.accept")} ${s.item_key ?? s.field}`}>
                      {t("plan.accept")}
                    </Button>
                    <Button size="small" danger loading={busy === `reject-${s.id}`} onClick={() => onDecide(s, "reject")} aria-label={`${t("plan.reject")} ${s.item_key ?? s.field}`}>
                      {t("plan.reject")}
                    </Button>
                  </Space>
                ) : (
                  <Tag color="purple">{label("suggestionstatus", s.status)}</Tag>
                )
              ) : (
                <Typography.Text type="secondary">
                  {label("suggestionstatus", s.status)} · {s.decided_by ?? ""}
                </Typography.Text>
              ),
          },
        ]}
      />
    </Card>
  );
}

function ConflictItem({ conflict, onOpen }: { conflict: PlanConflict; onOpen: (ref: PassageRef) => void }) {
  const { t } = useI18n();
  return (
    <div className="plan-conflict" data-testid="plan-conflict-item">
      <Descriptions size="small" column={1} bordered style={{ marginBottom: 4 }}>
        <Descriptions.Item label={t("plan.conflictAbout")}>{conflict.field}</Descriptions.Item>
        <Descriptions.Item label={t("plan.conflictChosen")}>
          <strong>{conflict.chosen}</strong>
        </Descriptions.Item>
      </Descriptions>
      <Table
        size="small"
        pagination={false}
        rowKey={(_, i) => String(i)}
        dataSource={conflict.values}
        scroll={{ x: 700 }}
        columns={[
          { title: t("plan.conflictValue"), dataIndex: "value", width: 140, render: (v: string) => (v === conflict.chosen ? <strong>{v}</strong> : v) },
          {
            title: t("plan.conflictDocument"),
            key: "document",
            width: 260,
            render: (_, v) => (
              <Button type="link" size="small" className="evidence-link" onClick={() => onOpen(evidenceRef(v))}>
                {v.file_name}
              </Button>
            ),
          },
          { title: t("plan.conflictDate"), dataIndex: "doc_date", width: 110, render: text },
          { title: t("plan.conflictQuote"), dataIndex: "quote", render: (q: string) => <Typography.Text italic>“{q}”</Typography.Text> },
        ]}
      />
    </div>
  );
}

function History({ rows }: { rows: PlanHistory[] }) {
  const { t } = useI18n();
  const label = useLabel();
  return (
    <Card size="small" id="plan-history" title={t("plan.nav.history")} style={{ marginBottom: 16 }}>
      <Table<PlanHistory>
        size="small"
        rowKey="id"
        dataSource={[...rows].reverse()}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 700 }}
        columns={[
          { title: t("common.when"), dataIndex: "at", width: 180, render: (at: string) => new Date(at).toLocaleString() },
          {
            title: t("common.who"),
            dataIndex: "actor",
            width: 140,
            render: (a: string) => (a === ASSISTANT ? <Tag color="purple">{t("plan.fromAssistant")}</Tag> : a),
          },
          { title: t("risks.change"), dataIndex: "kind", width: 120, render: (k: string) => label("plan.historyKind", k) },
          { title: t("risks.field"), dataIndex: "field", width: 140, render: (f: string | null) => (f ? label("plan.section", f) : "") },
          { title: t("plan.suggestionNote"), dataIndex: "note", render: text },
        ]}
      />
    </Card>
  );
}
