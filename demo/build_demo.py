#!/usr/bin/env python3
"""Build (and check) the demo document set in ``demo/project/``.

The demo project is a fictional system-integration project, "华东精密制造
ERP+MES+WMS 集成项目".  All text lives in ``demo/source/`` as plain UTF-8 files
so that a reader can see and edit it; this script only turns that text into
the file formats a real project would have (Markdown, .eml, .docx, .pdf and a
GBK-encoded .txt).  See ``demo/README.md`` for what each file is there to
exercise and for the facts tests may rely on.

Usage::

    python demo/build_demo.py            # regenerate demo/project/ and check it
    python demo/build_demo.py --check    # only check the committed files

Requirements
------------
* Python packages: ``fpdf2`` (PDF), ``python-docx`` (DOCX); ``pypdf`` for the
  check.  ``fontTools`` (a dependency of fpdf2) is used to make sure that every
  character of the PDF exists in the font.
* A CJK TrueType font for the PDF, **only when rebuilding**.  The PDF embeds a
  subset of *WenQuanYi Micro Hei* (Debian/Ubuntu: ``apt-get install
  fonts-wqy-microhei``, file ``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc``,
  collection face 0).  Another font can be given with the environment variable
  ``DEMO_CJK_FONT=/path/to/font.ttf[c]``; it must contain all characters used
  and extract correctly with pypdf (the check below verifies both).
  The generated files are committed, so the product's setup never needs the
  font.

Output is deterministic: fixed dates in all metadata, fixed MIME boundaries and
Message-IDs, fixed ZIP timestamps in the DOCX, no randomness.  Running the
script twice gives byte-identical files (with the same package versions and
font).
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.parser
import io
import os
import re
import shutil
import sys
import zipfile
from email import policy
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
PROJECT = HERE / "project"

TZ = dt.timezone(dt.timedelta(hours=8))  # China Standard Time, UTC+8
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
MAX_TOTAL_BYTES = 1_500_000

# Markdown files are copied verbatim (UTF-8, LF).
MARKDOWN = [
    "2026-03-02_项目启动会会议纪要.md",
    "2026-03-16_interface-workshop-minutes.md",
]

# .eml files: source holds an RFC 822-like header block, a blank line and the
# plain-text body.  ``X-Attachment:`` lines in the source name files in
# demo/source/ to attach; they are removed from the generated message.
EMAILS = [
    {
        "source": "2026-03-20_RE_接口联调时间.email.txt",
        "output": "2026-03-20_RE_接口联调时间.eml",
        "charset": "gbk",  # body in GBK, as many Chinese mail clients send it
        "cte": "base64",
        "boundary": "----=_ECPM_Demo_Part_20260320_0001",
    },
    {
        "source": "2026-04-02_Data-migration-concerns.email.txt",
        "output": "2026-04-02_Data-migration-concerns.eml",
        "charset": "utf-8",
        "cte": "quoted-printable",
        "boundary": None,  # single-part message
    },
]

DOCX = {
    "source": "华东精密_集成需求规格说明书_v1.0.txt",
    "output": "华东精密_集成需求规格说明书_v1.0.docx",
    "title": "华东精密制造 ERP+MES+WMS 集成项目 集成需求规格说明书 v1.0",
    "subject": "集成需求规格说明书",
    "author": "周涛",
    "last_modified_by": "王磊",
    "keywords": "ERP; MES; WMS; 接口; 需求规格; ECPM-INT-SRS-001",
    # docx core properties are stored in UTC: 10:00Z = 2026-03-27 18:00 UTC+8
    "date": dt.datetime(2026, 3, 27, 10, 0, 0),
}

PDF = {
    "source": "East-China-Precision_Integration-Spec_v1.0.txt",
    "output": "East-China-Precision_Integration-Spec_v1.0.pdf",
    "title": "East China Precision Manufacturing - ERP+MES+WMS Integration Specification v1.0",
    "subject": "Integration specification (English edition)",
    "author": "Zhou Tao (周涛)",
    "keywords": "ERP, MES, WMS, interface, requirements, ECPM-INT-SRS-001-EN",
    "date": dt.datetime(2026, 3, 27, 18, 30, 0, tzinfo=TZ),
    "header": "ECPM-INT-SRS-001-EN  |  v1.0 review draft  |  2026-03-27",
}

GBK_TXT = [
    # (source, output): the weekly notes are stored in GBK with CRLF line
    # endings, as a Windows user in China would save them.
    ("2026-04-10_周例会纪要.txt", "2026-04-10_周例会纪要.txt"),
]

REQ_ID = re.compile(r"^((?:REQ-[A-Z]+-\d{3})|(?:(?:FR|IR|NFR|AC)-\d{3}))\s+(.*)$")


# --------------------------------------------------------------------------
# Simple line markup shared by the DOCX and the PDF sources
# --------------------------------------------------------------------------
#   =title TEXT / =subtitle TEXT   title lines
#   # / ## / ###                    headings
#   | a | b |                       table rows (first row is the header)
#   - item                          bullet
#   REQ-XXX-000 text / FR-001 text  requirement (ID rendered bold / coloured)
#   anything else                   paragraph
def parse_markup(text: str) -> list[tuple]:
    blocks: list[tuple] = []
    table: list[list[str]] | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if table is None:
                table = []
                blocks.append(("table", table))
            table.append(cells)
            continue
        table = None
        if not line:
            continue
        if line.startswith("=title "):
            blocks.append(("title", line[7:]))
        elif line.startswith("=subtitle "):
            blocks.append(("subtitle", line[10:]))
        elif m := re.match(r"^(#{1,3}) (.*)$", line):
            blocks.append(("heading", len(m.group(1)), m.group(2)))
        elif line.startswith("- "):
            blocks.append(("bullet", line[2:]))
        elif m := REQ_ID.match(line):
            blocks.append(("req", m.group(1), m.group(2)))
        else:
            blocks.append(("para", line))
    return blocks


def read_source(name: str) -> str:
    return (SOURCE / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# Markdown, GBK text
# --------------------------------------------------------------------------
def build_markdown() -> None:
    for name in MARKDOWN:
        (PROJECT / name).write_bytes(read_source(name).encode("utf-8"))


def build_gbk_txt() -> None:
    for src, out in GBK_TXT:
        text = read_source(src).replace("\r\n", "\n").replace("\n", "\r\n")
        (PROJECT / out).write_bytes(text.encode("gbk"))  # strict: fails on non-GBK chars


# --------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------
def build_email(spec: dict) -> None:
    head, _, body = read_source(spec["source"]).partition("\n\n")
    msg = EmailMessage(policy=policy.default)
    attachments: list[str] = []
    for line in head.splitlines():
        name, _, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if name.lower() == "x-attachment":
            attachments.append(value)
        else:
            msg[name] = value
    msg.set_content(body, charset=spec["charset"], cte=spec["cte"])
    for fname in attachments:
        msg.add_attachment(
            read_source(fname),
            subtype="plain",
            charset="utf-8",
            cte="base64",
            disposition="attachment",
            filename=fname,
        )
    if spec["boundary"]:
        msg.set_boundary(spec["boundary"])
    data = msg.as_bytes(policy=policy.default)
    (PROJECT / spec["output"]).write_bytes(data)


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------
def _set_east_asian_font(style, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def _normalise_zip(data: bytes, when: tuple) -> bytes:
    """Rewrite a ZIP with fixed timestamps so the DOCX is byte-reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def build_docx() -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = Document()
    styles = doc.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(10.5)
    _set_east_asian_font(styles["Normal"], "宋体")
    for sname in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
        _set_east_asian_font(styles[sname], "黑体")

    for block in parse_markup(read_source(DOCX["source"])):
        kind = block[0]
        if kind == "title":
            p = doc.add_paragraph(block[1], style="Title")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "subtitle":
            p = doc.add_paragraph(block[1], style="Subtitle")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "heading":
            doc.add_heading(block[2], level=block[1])
        elif kind == "bullet":
            doc.add_paragraph(block[1], style="List Bullet")
        elif kind == "req":
            p = doc.add_paragraph()
            run = p.add_run(block[1])
            run.bold = True
            run.font.color.rgb = RGBColor(0x1F, 0x3A, 0x68)
            p.add_run(" " + block[2])
        elif kind == "table":
            rows = block[1]
            ncols = max(len(r) for r in rows)
            table = doc.add_table(rows=len(rows), cols=ncols)
            table.style = "Table Grid"
            for i, row in enumerate(rows):
                for j in range(ncols):
                    cell = table.cell(i, j)
                    cell.text = row[j] if j < len(row) else ""
                    if i == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
                        tc_pr = cell._tc.get_or_add_tcPr()
                        shd = tc_pr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:fill"): "DCE6F1"})
                        tc_pr.append(shd)
            doc.add_paragraph()
        else:
            doc.add_paragraph(block[1])

    cp = doc.core_properties
    cp.title = DOCX["title"]
    cp.subject = DOCX["subject"]
    cp.author = DOCX["author"]
    cp.last_modified_by = DOCX["last_modified_by"]
    cp.keywords = DOCX["keywords"]
    cp.language = "zh-CN"
    cp.category = "需求规格说明书"
    cp.comments = "Fictional demo document generated by demo/build_demo.py"
    cp.created = DOCX["date"]
    cp.modified = DOCX["date"]
    cp.last_printed = DOCX["date"]
    cp.revision = 1

    buf = io.BytesIO()
    doc.save(buf)
    d = DOCX["date"]
    data = _normalise_zip(buf.getvalue(), (d.year, d.month, d.day, d.hour, d.minute, d.second))
    (PROJECT / DOCX["output"]).write_bytes(data)


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------
def _font_path() -> str:
    path = os.environ.get("DEMO_CJK_FONT", DEFAULT_FONT)
    if not Path(path).is_file():
        sys.exit(
            f"CJK font not found: {path}\n"
            "Install it (Debian/Ubuntu: apt-get install fonts-wqy-microhei) "
            "or set DEMO_CJK_FONT=/path/to/cjk-font.ttf[c]."
        )
    return path


def _check_glyphs(font_path: str, text: str) -> None:
    from fontTools.ttLib import TTCollection, TTFont

    if font_path.lower().endswith((".ttc", ".otc")):
        font = TTCollection(font_path).fonts[0]
    else:
        font = TTFont(font_path)
    cmap = font.getBestCmap()
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})
    if missing:
        sys.exit(f"font {font_path} lacks glyphs for: {''.join(missing)!r}")


def build_pdf() -> None:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    font_path = _font_path()
    source = read_source(PDF["source"])
    _check_glyphs(font_path, source + PDF["header"] + PDF["title"] + PDF["author"])

    class SpecPDF(FPDF):
        def header(self):
            if self.page_no() == 1:
                return
            self.set_font("cjk", size=8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 6, PDF["header"], align="R")
            self.ln(9)
            self.set_text_color(0, 0, 0)

        def footer(self):
            self.set_y(-14)
            self.set_font("cjk", size=8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 6, f"Page {self.page_no()} / {{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    pdf = SpecPDF(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("cjk", "", font_path, collection_font_number=0)
    pdf.set_title(PDF["title"])
    pdf.set_subject(PDF["subject"])
    pdf.set_author(PDF["author"])
    pdf.set_keywords(PDF["keywords"])
    pdf.set_creator("demo/build_demo.py")
    pdf.set_producer("fpdf2")
    pdf.set_lang("en")
    pdf.set_creation_date(PDF["date"])
    pdf.add_page()

    width = pdf.epw
    heading_style = FontFace(emphasis="", fill_color=(220, 230, 241))
    for block in parse_markup(source):
        kind = block[0]
        if kind == "title":
            pdf.set_font("cjk", size=18)
            pdf.set_text_color(0x1F, 0x3A, 0x68)
            pdf.multi_cell(width, 9, block[1], align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
        elif kind == "subtitle":
            pdf.set_font("cjk", size=13)
            pdf.multi_cell(width, 8, block[1], align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        elif kind == "heading":
            level, text = block[1], block[2]
            if pdf.will_page_break(30):  # keep a heading with what follows
                pdf.add_page()
            else:
                pdf.ln(3 if level > 1 else 5)
            pdf.set_font("cjk", size={1: 14, 2: 12, 3: 11}[level])
            pdf.set_text_color(0x1F, 0x3A, 0x68)
            pdf.multi_cell(width, 8, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1)
        elif kind == "table":
            rows = block[1]
            ncols = max(len(r) for r in rows)
            pdf.set_font("cjk", size=8.5 if ncols > 4 else 9.5)
            widths = {
                2: (35, 115),
                3: (45, 60, 65),
                7: (14, 22, 16, 30, 34, 34, 20),
            }.get(ncols)
            with pdf.table(
                col_widths=widths,
                width=width,
                text_align="LEFT",
                line_height=5,
                headings_style=heading_style,
                padding=1.2,
            ) as table:
                for row in rows:
                    r = table.row()
                    for j in range(ncols):
                        r.cell(row[j] if j < len(row) else "")
            pdf.ln(3)
        elif kind == "req":
            pdf.set_font("cjk", size=10)
            lines = len(pdf.multi_cell(width - 17, 6, block[2], dry_run=True, output="LINES"))
            if pdf.will_page_break(6 * lines + 1):  # never split a requirement
                pdf.add_page()
            pdf.set_text_color(0x1F, 0x3A, 0x68)
            pdf.cell(17, 6, block[1])
            pdf.set_text_color(0, 0, 0)
            pdf.multi_cell(width - 17, 6, block[2], align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "bullet":
            pdf.set_font("cjk", size=10)
            pdf.multi_cell(width, 6, "- " + block[1], align="L", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("cjk", size=10)
            pdf.multi_cell(width, 6, block[1], align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)

    pdf.output(str(PROJECT / PDF["output"]))


# --------------------------------------------------------------------------
# Check: open every file with its natural reader
# --------------------------------------------------------------------------
def _squash(s: str) -> str:
    return "".join(s.split())


def check() -> bool:
    ok = True

    def report(name: str, good: bool, detail: str) -> None:
        nonlocal ok
        ok &= good
        print(f"[{'OK' if good else 'FAIL'}] {name}: {detail}")

    # Markdown
    for name in MARKDOWN:
        text = (PROJECT / name).read_text(encoding="utf-8")
        report(name, text == read_source(name), f"{len(text)} chars, first line: {text.splitlines()[0]}")

    # GBK text
    for src, out in GBK_TXT:
        raw = (PROJECT / out).read_bytes()
        text = raw.decode("gbk")
        good = text.replace("\r\n", "\n") == read_source(src) and "系统提示" in text
        report(out, good, f"GBK decode ok, {len(text)} chars, first line: {text.splitlines()[0]}")

    # E-mail
    for spec in EMAILS:
        with open(PROJECT / spec["output"], "rb") as fh:
            msg = email.parser.BytesParser(policy=policy.default).parse(fh)
        body_part = msg.get_body(preferencelist=("plain",))
        body = body_part.get_content()
        src_body = read_source(spec["source"]).partition("\n\n")[2]
        atts = [(a.get_filename(), a.get_content()) for a in msg.iter_attachments()]
        good = body.replace("\r\n", "\n").strip() == src_body.strip() and not msg.defects
        for fname, content in atts:
            good &= content.replace("\r\n", "\n") == read_source(fname)
        report(
            spec["output"],
            good,
            f"Subject={msg['subject']!r} From={msg['from']!r} Date={msg['date']!r} "
            f"body charset={body_part.get_content_charset()} "
            f"attachments={[a[0] for a in atts]}",
        )

    # DOCX
    import docx

    d = docx.Document(str(PROJECT / DOCX["output"]))
    paras = [p.text for p in d.paragraphs]
    reqs = [p for p in paras if p.startswith("REQ-")]
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading 1")]
    iface = d.tables[2]
    src_reqs = [b[1] + " " + b[2] for b in parse_markup(read_source(DOCX["source"])) if b[0] == "req"]
    good = reqs == src_reqs and len(d.tables) == 3 and iface.rows[0].cells[0].text == "接口编号"
    report(
        DOCX["output"],
        good,
        f"{len(reqs)} requirements, {len(d.tables)} tables, H1={heads}, "
        f"interface table header={[c.text for c in iface.rows[0].cells]}, "
        f"author={d.core_properties.author}",
    )

    # PDF
    from pypdf import PdfReader

    reader = PdfReader(str(PROJECT / PDF["output"]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # drop running header and footer lines before comparing
    text = re.sub(r"Page \d+ / \d+", "", text).replace(PDF["header"], "")
    flat = _squash(text)
    expected = []
    for b in parse_markup(read_source(PDF["source"])):
        if b[0] == "table":
            expected += [c for row in b[1] for c in row if c]
        elif b[0] == "req":
            expected += [b[1], b[2]]
        else:
            expected.append(b[-1])
    missing = [e for e in expected if _squash(e) not in flat]
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    good = not missing and "\ufffd" not in text and len(reader.pages) >= 4
    report(
        PDF["output"],
        good,
        f"{len(reader.pages)} pages, fonts={sorted(fonts)}, {len(expected)} text blocks found, "
        f"missing={missing[:3]}",
    )

    total = sum(p.stat().st_size for p in PROJECT.iterdir() if p.is_file())
    report("demo/project size", total < MAX_TOTAL_BYTES, f"{total} bytes in total")
    return ok


def build() -> None:
    if PROJECT.exists():
        shutil.rmtree(PROJECT)
    PROJECT.mkdir(parents=True)
    build_markdown()
    for spec in EMAILS:
        build_email(spec)
    build_docx()
    build_pdf()
    build_gbk_txt()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the files in demo/project/")
    args = ap.parse_args()
    if not args.check:
        build()
        for p in sorted(PROJECT.iterdir()):
            print(f"wrote {p.relative_to(HERE.parent)} ({p.stat().st_size} bytes)")
    return 0 if check() else 1


if __name__ == "__main__":
    sys.exit(main())
