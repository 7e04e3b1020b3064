// One list of a plan as a table: the section's own columns, each row's evidence (or its mark as the assistant's
// proposal), and for a manager the buttons to edit or remove the row and to add one.
import { Button, Card, Popconfirm, Space, Table, type TableColumnsType } from "antd";
import type { ReactNode } from "react";

import type { PlanDetail, PlanEvidence } from "../api/types";
import { useI18n } from "../i18n";
import { itemEdit, keyOf, type Collection, type Edit } from "./edits";
import { EvidenceLinks, type OpenPassage } from "./Evidence";

type Row = Record<string, unknown> & { evidence?: PlanEvidence[]; proposed?: boolean };

export interface SectionActions {
  canEdit: boolean;
  onEdit: (edit: Edit) => void;
  onRemove: (collection: Collection, key: string) => void;
  onOpen: OpenPassage;
}

export function SectionTable({
  plan,
  collection,
  columns,
  actions,
  testId,
  title,
  id,
  empty,
  extra,
  pageSize,
  rows,
  evidence = true,
  scrollX = 900,
}: {
  plan: PlanDetail;
  collection: Collection;
  columns: TableColumnsType<Row>;
  actions: SectionActions;
  testId: string;
  title: ReactNode;
  id: string;
  empty: string;
  extra?: ReactNode;
  pageSize?: number;
  /** Rows other than the collection's own (a flattened view); each carries `_collection`, `_key`, `_rowKey`. */
  rows?: Row[];
  /** Items of this list carry evidence (open questions do not). */
  evidence?: boolean;
  /** The table's width before it scrolls sideways (wide catalogues keep their columns readable). */
  scrollX?: number;
}) {
  const { t } = useI18n();
  const items = collection.list(plan);
  const data: Row[] =
    rows ??
    items.map((it, i) => {
      const key = keyOf(items, i, collection.keyField);
      return { ...it, _key: key, _collection: collection };
    });
  const subject = (row: Row) => String(row[collection.keyField] ?? "");
  return (
    <Card
      size="small"
      id={id}
      title={title}
      style={{ marginBottom: 16 }}
      extra={
        <Space wrap>
          {extra}
          {actions.canEdit && (
            <Button size="small" data-testid={`${testId}-add`} onClick={() => actions.onEdit(itemEdit(collection, null, t("plan.newItem")))}>
              {t("plan.add")}
            </Button>
          )}
        </Space>
      }
    >
      <Table<Row>
        size="small"
        rowKey={(r) => String(r._rowKey ?? r._key)}
        data-testid={testId}
        dataSource={data}
        pagination={pageSize ? { pageSize, hideOnSinglePage: true, showSizeChanger: false } : false}
        locale={{ emptyText: empty }}
        scroll={{ x: scrollX }}
        columns={[
          ...columns,
          ...(evidence
            ? [
                {
                  title: t("plan.evidence"),
                  key: "evidence",
                  width: 230,
                  render: (_: unknown, row: Row) => <EvidenceLinks evidence={row.evidence} proposed={row.proposed} onOpen={actions.onOpen} />,
                },
              ]
            : []),
          ...(actions.canEdit
            ? [
                {
                  title: t("common.actions"),
                  key: "actions",
                  width: 140,
                  render: (_: unknown, row: Row) => {
                    const c = (row._collection as Collection | undefined) ?? collection;
                    const key = String(row._key);
                    const name = String(row[c.keyField] ?? subject(row));
                    return (
                      <Space size={4}>
                        <Button size="small" aria-label={`${t("common.edit")} ${name}`} onClick={() => actions.onEdit(itemEdit(c, key, name))}>
                          {t("common.edit")}
                        </Button>
                        <Popconfirm
                          title={t("plan.removeConfirm", { name })}
                          okText={t("plan.remove")}
                          cancelText={t("common.cancel")}
                          onConfirm={() => actions.onRemove(c, key)}
                        >
                          <Button size="small" danger aria-label={`${t("plan.remove")} ${name}`}>
                            {t("plan.remove")}
                          </Button>
                        </Popconfirm>
                      </Space>
                    );
                  },
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}
