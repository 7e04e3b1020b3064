// Text with some of its words marked: the quote a citation rests on, the words that triggered a rule.
import type { ReactNode } from "react";

/** Ranges [start, end) of each needle in text: exact first, then ignoring differences in white space. */
export function findRanges(text: string, needles: string[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const raw of needles) {
    const needle = raw.trim().replace(/^(…|\.\.\.)|(…|\.\.\.)$/g, "").trim();
    if (!needle) continue;
    let found = false;
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
      ranges.push([at, at + needle.length]);
      found = true;
    }
    if (found) continue;
    const pattern = needle
      .split(/\s+/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("\\s*");
    for (const m of text.matchAll(new RegExp(pattern, "g"))) {
      if (m[0]) ranges.push([m.index, m.index + m[0].length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

export function Highlight({ text, marks, className = "quote" }: { text: string; marks: string[]; className?: string }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of findRanges(text, marks)) {
    if (start > at) parts.push(text.slice(at, start));
    parts.push(
      <mark key={start} className={className}>
        {text.slice(start, end)}
      </mark>,
    );
    at = end;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}
