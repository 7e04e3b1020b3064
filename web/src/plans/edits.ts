// What a person edits in a plan, and how one edit becomes a PATCH. The API's unit of change is a top-level
// field (title, interfaces, cutover ...), a list replaced whole; the screen's unit is one item of a list or one
// text. An Edit knows both: how to read its values from a plan and how to write them into a plan's field, so
// after a 409 the same values are applied again on the version someone else saved (found by the item's key,
// not its position, which their change may have moved).
import type { PlanCutover, PlanDetail, PlanSuggestion } from "../api/types";
import type { MessageKey } from "../i18n/en";

export type PlanField =
  | "title"
  | "systems"
  | "interfaces"
  | "phases"
  | "milestones"
  | "tests"
  | "cutover"
  | "training"
  | "handover"
  | "open_questions";

export type SlotKind = "text" | "textarea" | "date" | "tags" | "level";
export interface Slot {
  name: string;
  label: MessageKey;
  kind: SlotKind;
  required?: boolean;
}
export type Value = string | string[] | null;
export type Values = Record<string, Value>;

export interface Edit {
  field: PlanField;
  /** What the edit is about, shown as the editor's title ("IF-01", a phase's name ...). */
  subject: string;
  slots: Slot[];
  /** The item's values in `plan`; null when the plan has no such item (new, or someone removed it). */
  read: (plan: PlanDetail) => Values | null;
  /** The PATCH value of `field` with `values` applied to `plan`. */
  write: (plan: PlanDetail, values: Values) => unknown;
}

type Item = Record<string, unknown>;

/** A list of a plan that people edit item by item. */
export interface Collection {
  field: PlanField;
  slots: Slot[];
  list: (plan: PlanDetail) => Item[];
  put: (plan: PlanDetail, items: Item[]) => unknown;
  /** The field that names an item (id, name ...): its key is that value and its rank among equal names. */
  keyField: string;
}

const s = (name: string, label: MessageKey, kind: SlotKind = "text", required = false): Slot => ({ name, label, kind, required });

export const SYSTEMS: Collection = {
  field: "systems",
  keyField: "name",
  list: (p) => p.systems ?? [],
  put: (_p, items) => items,
  slots: [s("name", "plan.system", "text", true), s("role", "plan.role"), s("owner", "plan.ownerVendor")],
};

export const INTERFACES: Collection = {
  field: "interfaces",
  keyField: "id",
  list: (p) => p.interfaces ?? [],
  put: (_p, items) => items,
  slots: [
    s("id", "plan.interfaceId", "text", true),
    s("source", "plan.source"),
    s("target", "plan.target"),
    s("protocol", "plan.protocol"),
    s("data", "plan.data"),
    s("frequency", "plan.frequency"),
    s("direction", "plan.direction"),
    s("owner", "plan.owner"),
  ],
};

export const PHASES: Collection = {
  field: "phases",
  keyField: "name",
  list: (p) => p.phases ?? [],
  put: (_p, items) => items,
  slots: [s("name", "plan.phase", "text", true), s("start", "plan.start", "date"), s("end", "plan.end", "date"), s("deliverables", "plan.deliverables", "tags")],
};

const MILESTONE_SLOTS = [s("name", "plan.milestone", "text", true), s("date", "plan.date", "date"), s("deliverables", "plan.deliverables", "tags")];

/** Milestones outside any phase. */
export const MILESTONES: Collection = {
  field: "milestones",
  keyField: "name",
  list: (p) => p.milestones ?? [],
  put: (_p, items) => items,
  slots: MILESTONE_SLOTS,
};

/** The milestones of one phase (named by the phase's key): a change rewrites the phases. */
export function phaseMilestones(phaseKey: string): Collection {
  return {
    field: "phases",
    keyField: "name",
    list: (p) => (find(PHASES.list(p), PHASES.keyField, phaseKey)?.milestones as Item[] | undefined) ?? [],
    put: (p, items) => PHASES.list(p).map((ph, i, all) => (keyOf(all, i, PHASES.keyField) === phaseKey ? { ...ph, milestones: items } : ph)),
    slots: MILESTONE_SLOTS,
  };
}

export const TESTS: Collection = {
  field: "tests",
  keyField: "id",
  list: (p) => p.tests ?? [],
  put: (_p, items) => items,
  slots: [
    s("id", "plan.testId", "text", true),
    s("level", "plan.level", "level", true),
    s("title", "plan.testTitle", "text", true),
    s("requirements", "plan.requirementIds", "tags"),
    s("interfaces", "plan.interfaceIds", "tags"),
    s("acceptance", "plan.acceptance", "textarea"),
  ],
};

const NO_CUTOVER: PlanCutover = { rollback_procedure_proposed: false };
/** The plan's cut-over (an older plan may have none). */
export const cutover = (p: PlanDetail): PlanCutover => p.cutover ?? NO_CUTOVER;

export const STAGES: Collection = {
  field: "cutover",
  keyField: "name",
  list: (p) => cutover(p).stages ?? [],
  put: (p, items) => ({ ...cutover(p), stages: items }),
  slots: [
    s("name", "plan.stage", "text", true),
    s("scope", "plan.scope"),
    s("date", "plan.date", "date"),
    s("entry_criteria", "plan.entry", "textarea"),
    s("exit_criteria", "plan.exit", "textarea"),
    s("observation_period", "plan.observation"),
  ],
};

export const TRIGGERS: Collection = {
  field: "cutover",
  keyField: "condition",
  list: (p) => cutover(p).rollback_triggers ?? [],
  put: (p, items) => ({ ...cutover(p), rollback_triggers: items }),
  slots: [s("condition", "plan.condition", "textarea", true), s("threshold", "plan.threshold"), s("action", "plan.action")],
};

export const TRAINING: Collection = {
  field: "training",
  keyField: "audience",
  list: (p) => p.training ?? [],
  put: (_p, items) => items,
  slots: [s("audience", "plan.audience", "text", true), s("content", "plan.content", "textarea"), s("date", "plan.date", "date")],
};

export const HANDOVER: Collection = {
  field: "handover",
  keyField: "document",
  list: (p) => p.handover ?? [],
  put: (_p, items) => items,
  slots: [s("document", "plan.handoverDocument", "text", true), s("to", "plan.handoverTo")],
};

export const QUESTIONS: Collection = {
  field: "open_questions",
  keyField: "question",
  list: (p) => p.open_questions ?? [],
  put: (_p, items) => items,
  slots: [s("question", "plan.question", "textarea", true), s("about", "plan.about")],
};

/** An item's key: its name, and its rank among items of the same name (#2 for the second "SIT"). */
export function keyOf(items: Item[], index: number, keyField: string): string {
  const name = String(items[index]?.[keyField] ?? "");
  const rank = items.slice(0, index).filter((it) => String(it[keyField] ?? "") === name).length;
  return rank ? `${name}#${rank + 1}` : name;
}

function find(items: Item[], keyField: string, key: string): Item | undefined {
  const at = items.findIndex((_, i) => keyOf(items, i, keyField) === key);
  return at >= 0 ? items[at] : undefined;
}

function valuesOf(item: Item, slots: Slot[]): Values {
  const out: Values = {};
  for (const slot of slots) {
    const v = item[slot.name];
    out[slot.name] = slot.kind === "tags" ? ((v as string[] | undefined) ?? []) : v == null || v === "" ? null : String(v);
  }
  return out;
}

/** Form values as the API wants them: trimmed, empty text null, tags without blanks. */
export function clean(values: Values, slots: Slot[]): Values {
  const out: Values = {};
  for (const slot of slots) {
    const v = values[slot.name];
    if (slot.kind === "tags") out[slot.name] = ((v as string[] | null) ?? []).map((x) => x.trim()).filter(Boolean);
    else out[slot.name] = typeof v === "string" && v.trim() ? v.trim() : null;
  }
  return out;
}

/** Editing item `key` of `c` (null: a new item, added at the end). A person's edit makes the item theirs: it
 * is no longer the assistant's proposal. */
export function itemEdit(c: Collection, key: string | null, subject: string): Edit {
  return {
    field: c.field,
    subject,
    slots: c.slots,
    read: (plan) => {
      const item = key === null ? undefined : find(c.list(plan), c.keyField, key);
      return item ? valuesOf(item, c.slots) : null;
    },
    write: (plan, values) => {
      const items = c.list(plan);
      const at = key === null ? -1 : items.findIndex((_, i) => keyOf(items, i, c.keyField) === key);
      if (at < 0) return c.put(plan, [...items, { evidence: [], ...values, proposed: false }]);
      return c.put(
        plan,
        items.map((it, i) => (i === at ? { ...it, ...values, proposed: false } : it)),
      );
    },
  };
}

/** The PATCH value of `c`'s field without item `key`. */
export function withoutItem(plan: PlanDetail, c: Collection, key: string): unknown {
  const items = c.list(plan);
  return c.put(
    plan,
    items.filter((_, i) => keyOf(items, i, c.keyField) !== key),
  );
}

export const TITLE_EDIT: Edit = {
  field: "title",
  subject: "",
  slots: [s("title", "plan.titleField", "text", true)],
  read: (plan) => ({ title: plan.title }),
  write: (_plan, values) => values.title,
};

/** The rollback procedure and its time limit; a person's text is no longer the assistant's proposal. */
const PROCEDURE_SLOTS = [s("rollback_procedure", "plan.procedure", "textarea"), s("rollback_time_limit", "plan.timeLimit")];
export const PROCEDURE_EDIT: Edit = {
  field: "cutover",
  subject: "",
  slots: PROCEDURE_SLOTS,
  read: (plan) => valuesOf(cutover(plan) as Item, PROCEDURE_SLOTS),
  write: (plan, values) => ({ ...cutover(plan), ...values, rollback_procedure_proposed: false }),
};

export const same = (a: Value | undefined, b: Value | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Slots whose value differs between two readings (a missing reading counts as all empty). */
export function changedSlots(slots: Slot[], a: Values | null, b: Values | null): string[] {
  return slots.filter((slot) => !same(a?.[slot.name] ?? (slot.kind === "tags" ? [] : null), b?.[slot.name] ?? (slot.kind === "tags" ? [] : null))).map((x) => x.name);
}

/** A suggestion's value in words: an item's main fields, a text as it is. */
export function describeValue(value: unknown): string {
  if (value == null) return "—";
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) return value.map(describeValue).join("; ");
  return Object.entries(value as Item)
    .filter(([k, v]) => k !== "evidence" && k !== "proposed" && v != null && v !== "" && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${typeof v === "object" ? describeValue(v) : String(v)}`)
    .join(", ");
}

/** The two sides of a suggestion in words: for two versions of one item, only the fields that differ. */
export function describeChange(before: unknown, after: unknown): [string, string] {
  const isItem = (v: unknown): v is Item => !!v && typeof v === "object" && !Array.isArray(v);
  if (!isItem(before) || !isItem(after)) return [describeValue(before), describeValue(after)];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => k !== "evidence" && k !== "proposed" && JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  );
  if (!keys.length) return [describeValue(before), describeValue(after)];
  const pick = (item: Item) => Object.fromEntries(keys.map((k) => [k, item[k] ?? "—"]));
  return [describeValue(pick(before)), describeValue(pick(after))];
}

export const pending = (suggestions: PlanSuggestion[] | undefined): PlanSuggestion[] =>
  (suggestions ?? []).filter((x) => x.status === "pending");
