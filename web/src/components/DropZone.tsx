// Drop files, folders or zips; or choose files or a folder. Folders are walked, keeping each file's path.
import { InboxOutlined } from "@ant-design/icons";
import { Button, Space, Typography } from "antd";
import { useRef, useState, type DragEvent } from "react";

import { useI18n } from "../i18n";

export interface Picked {
  file: File;
  name: string; // the path inside a dropped or chosen folder, else the file's name
}

async function walk(entry: FileSystemEntry, into: Picked[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    into.push({ file, name: entry.fullPath.replace(/^\//, "") || file.name });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries answers in batches until it returns an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await walk(child, into);
    }
  }
}

export function DropZone({ onFiles, disabled }: { onFiles: (files: Picked[]) => void; disabled?: boolean }) {
  const { t } = useI18n();
  const [over, setOver] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const drop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (disabled) return;
    const picked: Picked[] = [];
    const entries = [...e.dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean) as FileSystemEntry[];
    if (entries.length) for (const entry of entries) await walk(entry, picked);
    else for (const file of e.dataTransfer.files) picked.push({ file, name: file.name });
    if (picked.length) onFiles(picked);
  };

  const chosen = (list: FileList | null) => {
    const picked = [...(list ?? [])].map((file) => ({ file, name: file.webkitRelativePath || file.name }));
    if (picked.length) onFiles(picked);
  };

  return (
    <div
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => void drop(e)}
      data-testid="dropzone"
      style={{
        border: `2px dashed ${over ? "#1d4ed8" : "#94a3b8"}`,
        borderRadius: 8,
        padding: 20,
        textAlign: "center",
        background: over ? "#eff6ff" : "#f8fafc",
      }}
    >
      <InboxOutlined style={{ fontSize: 32, color: "#1d4ed8" }} aria-hidden />
      <Typography.Paragraph style={{ margin: "8px 0" }}>{t("documents.drop")}</Typography.Paragraph>
      <Space wrap style={{ justifyContent: "center" }}>
        <Button type="primary" disabled={disabled} onClick={() => filesInput.current?.click()}>
          {t("documents.upload")}
        </Button>
        <Button disabled={disabled} onClick={() => folderInput.current?.click()}>
          {t("documents.folder")}
        </Button>
      </Space>
      <Typography.Paragraph type="secondary" style={{ margin: "8px 0 0" }}>
        {t("documents.hint")}
      </Typography.Paragraph>
      <input
        ref={filesInput}
        type="file"
        multiple
        hidden
        aria-label={t("documents.upload")}
        data-testid="file-input"
        onChange={(e) => {
          chosen(e.target.files);
          e.target.value = "";
        }}
      />
      <input
        ref={folderInput}
        type="file"
        hidden
        aria-label={t("documents.folder")}
        {...{ webkitdirectory: "", directory: "" }}
        onChange={(e) => {
          chosen(e.target.files);
          e.target.value = "";
        }}
      />
    </div>
  );
}
