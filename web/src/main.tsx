import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import { StrictMode, useEffect } from "react";
import { createRoot } from "react-dom/client";
import { HashRouter } from "react-router-dom";

import { pageNonce } from "./csp/nonce";
import { I18nProvider, useI18n } from "./i18n";
import { Shell } from "./Shell";
import { SessionProvider } from "./session";
import "./styles.css";

// Ant Design writes its styles at run time; the nonce lets them past the page's CSP (no 'unsafe-inline').
const csp = { nonce: pageNonce() };

function Localised() {
  const { lang } = useI18n();
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    dayjs.locale(lang === "zh" ? "zh-cn" : "en");
  }, [lang]);
  return (
    <ConfigProvider
      csp={csp}
      button={{ autoInsertSpace: false }}
      locale={lang === "zh" ? zhCN : enUS}
      theme={{ token: { colorPrimary: "#1d4ed8", borderRadius: 6 } }}
    >
      <AntApp>
        <SessionProvider>
          <HashRouter>
            <Shell />
          </HashRouter>
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nProvider>
      <Localised />
    </I18nProvider>
  </StrictMode>,
);
