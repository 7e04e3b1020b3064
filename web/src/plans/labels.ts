// Values of a plan that carry meaning by colour (each paired with a word) and the enumerations the screen lists.
import type { PlanPublic, PlanTest } from "../api/types";

export const TEST_LEVELS: PlanTest["level"][] = ["unit", "integration", "uat", "performance", "security"];

export const PLAN_STATUS_COLOR: Record<PlanPublic["status"], string> = {
  drafting: "processing",
  ready: "success",
  failed: "error",
};

/** The matrix's gaps, in the order the filter offers them. */
export const ROW_GAPS = ["no_test", "no_acceptance"] as const;

export const TRACE_STATUS_COLOR: Record<string, string> = {
  identified: "default",
  designed: "blue",
  test_planned: "green",
};
