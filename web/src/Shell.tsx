// The frame every screen sits in: header (project, language, who), the menu of the project's screens, routes.
import {
  AlertOutlined,
  AppstoreOutlined,
  BarChartOutlined,
  CheckSquareOutlined,
  FileTextOutlined,
  MessageOutlined,
  NodeIndexOutlined,
  ProjectOutlined,
  QuestionCircleOutlined,
} from "@ant-design/icons";
import { Button, Layout, Menu, Segmented, Select, Space, Spin, Tag } from "antd";
import { useEffect, useState } from "react";
import { Link, Navigate, Route, Routes, useLocation, useNavigate, useParams } from "react-router-dom";

import { useI18n, type Lang } from "./i18n";
import { Ask } from "./pages/Ask";
import { Dashboard } from "./pages/Dashboard";
import { DocumentView } from "./pages/DocumentView";
import { Documents } from "./pages/Documents";
import { FiveWhy } from "./pages/FiveWhy";
import { PlanPage } from "./pages/PlanPage";
import { Plans } from "./pages/Plans";
import { Projects } from "./pages/Projects";
import { Requirements } from "./pages/Requirements";
import { RiskPage } from "./pages/RiskPage";
import { Risks } from "./pages/Risks";
import { SignIn } from "./pages/SignIn";
import { Traceability } from "./pages/Traceability";
import { landingProject, ProjectsProvider, rememberProject, useProjects } from "./projects";
import { useSession } from "./session";

const { Header, Sider, Content } = Layout;

export function Shell() {
  const { me, checked } = useSession();
  if (!checked) return <Spin fullscreen />;
  if (!me) return <SignIn />;
  return (
    <ProjectsProvider>
      <Frame />
    </ProjectsProvider>
  );
}

function Frame() {
  const { t, lang, setLang } = useI18n();
  const { me, signOut } = useSession();
  const { items } = useProjects();
  const location = useLocation();
  const navigate = useNavigate();
  const projectId = /^\/p\/([^/]+)/.exec(location.pathname)?.[1];
  const current = projectId ? decodeURIComponent(projectId) : undefined;
  const [collapsed, setCollapsed] = useState(false);

  useEffect(() => {
    if (current) rememberProject(current);
  }, [current]);

  const screen = location.pathname.split("/")[3] ?? "";
  const base = current ? `/p/${encodeURIComponent(current)}` : "";
  const menu = current
    ? [
        { key: "", icon: <BarChartOutlined />, label: <Link to={base}>{t("nav.dashboard")}</Link> },
        { key: "documents", icon: <FileTextOutlined />, label: <Link to={`${base}/documents`}>{t("nav.documents")}</Link> },
        { key: "ask", icon: <MessageOutlined />, label: <Link to={`${base}/ask`}>{t("nav.ask")}</Link> },
        { key: "risks", icon: <AlertOutlined />, label: <Link to={`${base}/risks`}>{t("nav.risks")}</Link> },
        { key: "five-why", icon: <QuestionCircleOutlined />, label: <Link to={`${base}/five-why`}>{t("nav.fiveWhy")}</Link> },
        {
          key: "requirements",
          icon: <CheckSquareOutlined />,
          label: <Link to={`${base}/requirements`}>{t("nav.requirements")}</Link>,
        },
        { key: "plans", icon: <ProjectOutlined />, label: <Link to={`${base}/plans`}>{t("nav.plans")}</Link> },
        {
          key: "traceability",
          icon: <NodeIndexOutlined />,
          label: <Link to={`${base}/traceability`}>{t("nav.traceability")}</Link>,
        },
      ]
    : [];
  menu.push({ key: "projects", icon: <AppstoreOutlined />, label: <Link to="/projects">{t("nav.projects")}</Link> });

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <a className="skip-link" href="#main">
        {t("app.skip")}
      </a>
      <Header className="app-header" style={{ background: "#1e293b" }}>
        <h1 className="app-title">
          <Link to="/projects">{t("app.title")}</Link>
        </h1>
        <Select
          aria-label={t("header.project")}
          placeholder={t("projects.pick")}
          style={{ minWidth: 180 }}
          value={current}
          options={items.map((p) => ({ value: p.id, label: p.name }))}
          onChange={(id: string) => navigate(`/p/${encodeURIComponent(id)}/${screen}`)}
        />
        <span className="spacer" />
        <Segmented<Lang>
          aria-label={t("header.language")}
          value={lang}
          onChange={setLang}
          options={[
            { value: "zh", label: "中文" },
            { value: "en", label: "EN" },
          ]}
        />
        <Space className="who" size={4}>
          {me?.auth === "off" ? (
            <Tag color="warning">{t("header.authOff")}</Tag>
          ) : (
            <>
              <span data-testid="who">{me?.owner}</span>
              <Tag color="blue" data-testid="role">
                {t(`role.${me!.role}`)}
              </Tag>
            </>
          )}
        </Space>
        <a href="/docs" style={{ color: "#cbd5e1" }}>
          {t("header.apiDocs")}
        </a>
        {me?.auth !== "off" && (
          <Button size="small" onClick={() => void signOut().then(() => navigate("/"))}>
            {t("header.signOut")}
          </Button>
        )}
      </Header>
      <Layout>
        <Sider
          breakpoint="md"
          collapsedWidth={0}
          collapsed={collapsed}
          onCollapse={setCollapsed}
          theme="light"
          width={200}
          zeroWidthTriggerStyle={{ top: 8 }}
        >
          <nav aria-label={t("nav.menu")}>
            <Menu
              mode="inline"
              selectedKeys={[location.pathname.startsWith("/projects") ? "projects" : screen]}
              items={menu}
              onClick={() => window.innerWidth < 768 && setCollapsed(true)}
            />
          </nav>
        </Sider>
        <Content className="app-content" id="main" tabIndex={-1}>
          <Routes>
            <Route path="/" element={<Landing />} />
            <Route path="/projects" element={<Projects />} />
            <Route path="/p/:pid" element={<Dashboard />} />
            <Route path="/p/:pid/documents" element={<Documents />} />
            <Route path="/p/:pid/documents/:docId" element={<DocumentView />} />
            <Route path="/p/:pid/ask" element={<Ask />} />
            <Route path="/p/:pid/risks" element={<Risks />} />
            <Route path="/p/:pid/risks/:riskId" element={<RiskPage />} />
            <Route path="/p/:pid/five-why" element={<FiveWhy />} />
            <Route path="/p/:pid/five-why/:analysisId" element={<FiveWhy />} />
            <Route path="/p/:pid/requirements" element={<Requirements />} />
            <Route path="/p/:pid/plans" element={<Plans />} />
            <Route path="/p/:pid/plans/:planId" element={<PlanPage />} />
            <Route path="/p/:pid/traceability" element={<Traceability />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </Content>
      </Layout>
    </Layout>
  );
}

/** Signed in: open the last (or first) project's dashboard, or the projects page when there is none. */
function Landing() {
  const { items, loading } = useProjects();
  if (loading) return <Spin />;
  const target = landingProject(items);
  return <Navigate to={target ? `/p/${encodeURIComponent(target.id)}` : "/projects"} replace />;
}

/** The project id of the current route (decoded). */
export function useProjectId(): string {
  const { pid } = useParams();
  return pid ?? "";
}
