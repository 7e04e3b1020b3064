// Server-sent events over a POST (EventSource only does GET): the ask and 5-Why streams of api/sse.py.
import { ApiError, send } from "./client";

export type OnEvent = (kind: string, data: unknown) => void;

/** Resolves when the stream ends; an `error` event becomes an ApiError with the server's sentence. */
export async function streamEvents(path: string, body: object, onEvent: OnEvent, signal?: AbortSignal): Promise<void> {
  const response = await send("POST", path, { json: { ...body, stream: true }, signal });
  if (!response.body) throw new ApiError(response.status, { detail: "the server sent no stream" });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const kind = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const raw = /^data: (.*)$/m.exec(block)?.[1];
      const data: unknown = raw === undefined ? null : JSON.parse(raw);
      if (kind === "error") {
        const err = data as { detail?: string; error?: string };
        throw new ApiError(streamErrorStatus(err.error), { detail: err.detail, error: err.error });
      }
      onEvent(kind, data);
    }
  }
}

// The stream has started (200) when an error arrives in-band; its kind says what the status would have been.
const STATUS_OF_KIND: Record<string, number> = {
  ModelBusyError: 503,
  ProviderUnavailableError: 503,
  ModelOutputError: 502,
  InvalidInputError: 422,
  NotFoundError: 404,
  ConflictError: 409,
  RateLimitedError: 429,
};

function streamErrorStatus(kind: string | undefined): number {
  return (kind && STATUS_OF_KIND[kind]) || 500;
}
