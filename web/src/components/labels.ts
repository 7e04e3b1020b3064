// Colours that carry meaning (bands, statuses); each is paired with a word, never shown alone.
import type { Band } from "../api/types";

export const BAND_COLOR: Record<Band, string> = {
  low: "#15803d",
  medium: "#ca8a04",
  high: "#ea580c",
  critical: "#b91c1c",
};

/** Background of a heat-map cell by its score band (light enough for dark text: contrast >= 4.5). */
export const BAND_BACKGROUND: Record<Band, string> = {
  low: "#bbf7d0",
  medium: "#fef08a",
  high: "#fed7aa",
  critical: "#fca5a5",
};

export const STATUS_COLOR: Record<string, string> = {
  queued: "default",
  reading: "processing",
  running: "processing",
  pending: "default",
  indexed: "success",
  done: "success",
  unchanged: "blue",
  failed: "error",
};

export const RISK_STATUS_COLOR: Record<string, string> = {
  draft: "purple",
  open: "blue",
  mitigating: "gold",
  accepted: "cyan",
  rejected: "default",
  closed: "green",
  occurred: "red",
  reopened: "magenta",
};

export const BANDS: Band[] = ["critical", "high", "medium", "low"];
