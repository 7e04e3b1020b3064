/** The nonce the server put in this page load's CSP. Browsers hide it from getAttribute; the property keeps it. */
export function pageNonce(): string | undefined {
  const meta = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]');
  const nonce = meta?.nonce;
  return nonce && !nonce.startsWith("__") ? nonce : undefined;
}
