// One way to call the API: the session cookie goes along by itself, writes echo the session's CSRF token, and
// every refusal becomes an ApiError carrying the server's sentence (ErrorBody.detail).
import type { ErrorBody } from "./types";

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

export class ApiError extends Error {
  readonly status: number; // 0: the server could not be reached
  readonly kind: string;
  readonly retryAfterS: number | null;
  readonly queuePosition: number | null;

  constructor(status: number, body: Partial<ErrorBody>, retryAfter: string | null = null) {
    super(body.detail || `HTTP ${status}`);
    this.status = status;
    this.kind = body.error || "HTTPError";
    this.retryAfterS = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
    this.queuePosition = body.queue_position ?? null;
  }
}

type Query = Record<string, string | number | boolean | readonly (string | number)[] | null | undefined>;

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: BodyInit;
  signal?: AbortSignal;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** `encodeURIComponent` for one path segment (project names may be Chinese). */
export const seg = (value: string): string => encodeURIComponent(value);

export async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let body = options.body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body,
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, { detail: String(err), error: "NetworkError" });
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function errorOf(response: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = { detail: response.statusText || `HTTP ${response.status}` };
  }
  return new ApiError(response.status, body, response.headers.get("Retry-After"));
}

export async function api<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
  const response = await send(method, path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> =>
  api<T>("GET", path, { query, signal });
export const post = <T>(path: string, json?: unknown, query?: Query): Promise<T> =>
  api<T>("POST", path, { json, query });
export const patch = <T>(path: string, json: unknown): Promise<T> => api<T>("PATCH", path, { json });
export const del = <T>(path: string): Promise<T> => api<T>("DELETE", path);

/** Sends a multipart upload, reporting the bytes sent (fetch cannot report upload progress; XHR can). */
export function upload<T>(path: string, form: FormData, onProgress: (share: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    if (csrfToken) xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, { detail: "the upload could not reach the server", error: "NetworkError" }));
    xhr.onload = () => {
      let body: unknown = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { detail: xhr.statusText || `HTTP ${xhr.status}` };
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(new ApiError(xhr.status, body as ErrorBody, xhr.getResponseHeader("Retry-After")));
    };
    xhr.send(form);
  });
}
