// The editable fields of a risk (RiskUpdate) and how the form holds them.
import dayjs, { type Dayjs } from "dayjs";

import type { RiskCategory, RiskDetail, RiskPublic, ResponseStrategy, RiskType } from "../api/types";
import type { MessageKey } from "../i18n/en";

export const CATEGORIES: RiskCategory[] = [
  "technical_interface",
  "requirement_change",
  "schedule",
  "cost",
  "vendor",
  "resource",
  "data_migration",
  "security_compliance",
  "test_environment",
  "user_adoption",
  "stakeholder",
  "legal_regulatory",
  "other",
];
export const RESPONSES: ResponseStrategy[] = ["avoid", "mitigate", "transfer", "accept", "escalate", "exploit", "share", "enhance"];
export const TYPES: RiskType[] = ["threat", "opportunity"];
export const LEVELS = [1, 2, 3, 4, 5];

export const EDITABLE = [
  "title",
  "type",
  "category",
  "probability",
  "impact",
  "residual_probability",
  "residual_impact",
  "owner",
  "response",
  "cause",
  "event",
  "effect",
  "contingency",
  "trigger",
  "next_review",
] as const;
export type Editable = (typeof EDITABLE)[number];

export const FIELD_LABEL: Record<Editable, MessageKey> = {
  title: "risks.titleField",
  type: "risks.type",
  category: "risks.category",
  probability: "risks.probability",
  impact: "risks.impact",
  residual_probability: "risks.residualProbability",
  residual_impact: "risks.residualImpact",
  owner: "risks.owner",
  response: "risks.response",
  cause: "risks.cause",
  event: "risks.event",
  effect: "risks.effect",
  contingency: "risks.contingency",
  trigger: "risks.trigger",
  next_review: "risks.nextReview",
};

export type FormValues = Partial<Record<Editable, string | number | Dayjs | null>>;

export function toForm(risk: RiskPublic | RiskDetail): FormValues {
  const values: FormValues = {};
  for (const f of EDITABLE) values[f] = f === "next_review" ? (risk.next_review ? dayjs(risk.next_review) : null) : (risk[f] ?? null);
  return values;
}

/** The API's value of a form field: dates as YYYY-MM-DD, blanks as null. */
export function fromForm(field: Editable, value: FormValues[Editable]): string | number | null {
  if (value === undefined || value === null || value === "") return null;
  if (field === "next_review") return dayjs.isDayjs(value) ? value.format("YYYY-MM-DD") : String(value);
  return typeof value === "string" ? value.trim() || null : (value as number);
}

/** The fields whose value differs between two reads (or a read and a form). */
export function changedFields(before: FormValues, after: FormValues): Editable[] {
  return EDITABLE.filter((f) => fromForm(f, before[f]) !== fromForm(f, after[f]));
}
