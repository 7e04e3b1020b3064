// Re-exports @rc-component/util's dynamicCSS, adding the page's CSP nonce to styles injected without one
// (see vite.config.ts: nonceForInjectedStyles). The real module is imported by its full path.
import * as real from "@rc-component/util/es/Dom/dynamicCSS.js";

import { pageNonce } from "./nonce";

type Options = Parameters<typeof real.updateCSS>[2];

function withNonce(option: Options = {}): Options {
  const nonce = pageNonce();
  return option?.csp?.nonce || !nonce ? option : { ...option, csp: { ...option?.csp, nonce } };
}

export const { clearContainerCache, removeCSS } = real;

export function injectCSS(css: string, option?: Options): ReturnType<typeof real.injectCSS> {
  return real.injectCSS(css, withNonce(option));
}

export function updateCSS(css: string, key: string, option?: Options): ReturnType<typeof real.updateCSS> {
  return real.updateCSS(css, key, withNonce(option));
}
