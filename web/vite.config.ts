import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

// The server (api/main.py) replaces this with a fresh nonce on every page load and names it in the page's
// Content-Security-Policy; Vite writes it into <meta property="csp-nonce"> and onto its own tags.
const NONCE_PLACEHOLDER = "__CSP_NONCE__";
const NONCED_CSS = fileURLToPath(new URL("./src/csp/dynamicCSS.ts", import.meta.url));

/** Every <style> the component library injects goes through @rc-component/util's dynamicCSS. Ant Design's own
 * styles carry the nonce given to ConfigProvider, but a few helpers (the scroll lock of modals and drawers, the
 * scrollbar measurement) inject theirs without one, which a strict CSP refuses. This points those imports at a
 * wrapper that adds the page's nonce when the caller gave none. */
function nonceForInjectedStyles(): Plugin {
  return {
    name: "nonce-for-injected-styles",
    enforce: "pre",
    resolveId(source, importer) {
      if (!importer || importer === NONCED_CSS) return null;
      const fromUtil = importer.includes("@rc-component/util") && /^\.\.?\/(Dom\/)?dynamicCSS(\.js)?$/.test(source);
      const direct = /^@rc-component\/util\/(es|lib)\/Dom\/dynamicCSS(\.js)?$/.test(source);
      return fromUtil || direct ? NONCED_CSS : null;
    },
  };
}

export default defineConfig({
  plugins: [nonceForInjectedStyles(), react()],
  html: { cspNonce: NONCE_PLACEHOLDER },
  build: {
    outDir: fileURLToPath(new URL("../api/web/dist", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
});
