"""Good input for every reader: what a user sees in citations, titles and dates."""

from __future__ import annotations

import base64
import datetime as dt
import random
import re
import time
import zlib
from email.message import EmailMessage
from pathlib import Path

import pytest
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from pypdf.generic import ContentStream

from ingest.readers import SUPPORTED_EXTENSIONS, ReadResult, find_date, read_document
from ingest.readers.eml import html_to_text
from ingest.readers.pdf import normalise_pdf_text, strip_inline_images
from tests.ingest.fixtures import make_docx, make_pdf

REAL_PDF = Path(__file__).resolve().parents[3] / "shared/eval/openetcs_api/OETCS_API_Requirements_v1.2.pdf"


def all_text(result: ReadResult) -> str:
    return "\n".join(s.text for s in result.segments)


def test_supported_extensions() -> None:
    assert set(SUPPORTED_EXTENSIONS) == {".pdf", ".docx", ".eml", ".md", ".markdown", ".txt", ".zip"}


# --- PDF ---------------------------------------------------------------------------------------------------


def test_pdf_gives_one_segment_per_page_with_title_and_date() -> None:
    data = make_pdf(
        ["Integration plan\nThe ERP gateway goes live on 2024-03-05.", "Page two: MES interface."],
        title="ERP-MES integration plan",
    )
    result = read_document("plan.pdf", data)
    assert [(s.page, s.section) for s in result.segments] == [(1, None), (2, None)]
    assert "ERP gateway goes live" in result.segments[0].text
    assert "MES interface" in result.segments[1].text
    assert result.page_count == 2
    assert result.title == "ERP-MES integration plan"
    assert result.date == dt.date(2024, 3, 5)
    assert result.warnings == []


def test_pdf_title_falls_back_to_first_line() -> None:
    result = read_document("x.pdf", make_pdf(["Cut-over runbook\nstep one"]))
    assert result.title == "Cut-over runbook"


def test_pdf_joins_words_hyphenated_across_lines() -> None:
    result = read_document("x.pdf", make_pdf(["The inter-\nface is ready.\nSee also e-mail."]))
    assert "The interface is ready." in result.segments[0].text


def test_pdf_page_without_text_is_a_warning_not_a_failure() -> None:
    result = read_document("x.pdf", make_pdf(["Cover page", None, "Last page"]))
    assert [s.page for s in result.segments] == [1, 3]
    assert result.warnings == ["page 2 has no extractable text (scanned image?)"]
    assert result.page_count == 3


def test_pdf_with_empty_user_password_is_read() -> None:
    data = make_pdf(["Budget approved for phase 2."], owner_password="owner-only")
    result = read_document("locked.pdf", data)
    assert "Budget approved" in result.segments[0].text


def test_normalise_joins_chinese_wrapped_lines_but_keeps_sentence_ends_and_paragraphs() -> None:
    raw = "系统接口的设计需要\n考虑数据同步。\n下一句从这里开始，\n然后继续\n\n\n新的段落"
    expected = "系统接口的设计需要考虑数据同步。\n下一句从这里开始，然后继续\n\n新的段落"
    assert normalise_pdf_text(raw) == expected


def test_normalise_keeps_a_short_chinese_heading_on_its_own_line() -> None:
    body = "本规范适用于企业资源计划系统与制造执行系统之间的接口联调工作各方应当遵守"
    raw = "\n".join(["第一章 总则", body, body, body, "以上。"])
    text = normalise_pdf_text(raw)
    assert text.startswith("第一章 总则\n")
    assert text.count(body) == 3 and "\n" not in text.split("\n", 1)[1].rstrip("以上。")


def test_inline_images_are_cut_without_touching_strings() -> None:
    # An unfiltered 2x1 RGB image whose 6 bytes hold " EI )", inside q/cm/Q, after a string holding "BI".
    content = (
        b"BT /F1 12 Tf (A BI ID EI \\) test) Tj ET\nq 2 0 0 1 0 0 cm\n"
        b"BI /CS /RGB /W 2 /H 1 /BPC 8 ID  EI )\x06\nEI Q\nBT (after) Tj ET"
    )
    lean = strip_inline_images(content)
    assert lean is not None
    assert b"(A BI ID EI \\) test) Tj" in lean and b"(after) Tj" in lean
    assert b"BI /CS" not in lean and b"cm" not in lean


def test_cutting_images_from_random_streams_leaves_exactly_the_stream_without_them() -> None:
    rng = random.Random(20240305)
    tricky = [b"a", b"B", b"I", b" ", b"\\(", b"\\)", b"\\\\", b"%", b"EI", b"BI ", b"(x)", b"\n"]

    def string() -> bytes:
        return b"(" + b"".join(rng.choice(tricky) for _ in range(rng.randint(0, 8))) + b")"

    def image() -> bytes:
        w, h = rng.randint(1, 5), rng.randint(1, 3)
        raw = bytes(
            rng.choice([0x20, 0x45, 0x49, 0x0A, 0x28, 0x29, rng.randrange(256)]) for _ in range(w * h * 3)
        )
        if rng.random() < 0.5:
            return b"BI /CS /RGB /W %d /H %d /BPC 8 ID " % (w, h) + raw + b"\nEI"
        return b"BI /CS/RGB /W %d /H %d /BPC 8 /F/Fl ID " % (w, h) + zlib.compress(raw) + b"\nEI"

    def text_operations(stream: bytes) -> list[tuple[bytes, str]]:
        content = ContentStream(None, None, "bytes")
        content.set_data(stream)
        return [(op, repr(args)) for args, op in content.operations if op not in (b"q", b"Q", b"cm")]

    cut = 0
    for _ in range(300):
        with_images, without = [], []
        for _ in range(rng.randint(1, 10)):
            kind = rng.random()
            if kind < 0.4:
                with_images.append(b"q 2 0 0 1 3 4 cm\n" + image() + b" Q" if kind < 0.25 else image())
                continue
            part = b"BT /F1 12 Tf " + string() + b" Tj ET" if kind < 0.7 else b"[" + string() + b" -20 ()] TJ"
            with_images.append(part)
            without.append(part)
        lean = strip_inline_images(b"\n".join(with_images))
        if lean is not None:
            cut += 1
            assert text_operations(lean) == text_operations(b"\n".join(without))
    assert cut > 150


def test_inline_image_of_unknown_length_leaves_the_page_to_pypdf() -> None:
    content = b"q BI /W 4 /H 4 /F /DCT ID \xff\xd8\xff\xd9 EI Q BT (x) Tj ET"
    assert strip_inline_images(content) is None


@pytest.mark.integration
def test_real_75_page_pdf_is_read_quickly() -> None:
    if not REAL_PDF.exists():
        pytest.skip(f"{REAL_PDF} is not here")
    started = time.perf_counter()
    result = read_document(REAL_PDF.name, REAL_PDF.read_bytes())
    elapsed = time.perf_counter() - started
    assert result.page_count == 75
    assert len(result.segments) == 75
    assert "OpenETCS" in all_text(result)
    assert any("WRITE_PERMANENT_DATA" in s.text for s in result.segments)
    assert result.title == "OETCS_API Requirements_v1.2"
    assert elapsed < 60, f"took {elapsed:.1f} s"


# --- DOCX --------------------------------------------------------------------------------------------------


def _spec(document: DocxDocument) -> None:
    document.add_paragraph("评审日期：2024年3月5日")
    document.add_heading("2 系统接口", level=1)
    document.add_paragraph("本章描述系统接口。")
    document.add_heading("2.1 ERP 接口", level=2)
    document.add_paragraph("ERP 通过 REST 与 MES 交换工单。")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, [("系统", "协议", "频率"), ("ERP", "REST", "每小时")], strict=False):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.text = "备注：接口需加密"
    document.add_paragraph("表后的说明。")
    document.add_heading("3 测试", level=1)
    document.add_paragraph("UAT 在五月进行。")


def test_docx_sections_follow_headings_and_tables_become_rows() -> None:
    data = make_docx(_spec, created=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    result = read_document("spec.docx", data)
    sections = {s.section: s.text for s in result.segments}
    assert list(sections) == [None, "2 系统接口", "2 系统接口 > 2.1 ERP 接口", "3 测试"]
    erp = sections["2 系统接口 > 2.1 ERP 接口"]
    assert erp.split("\n") == [
        "2.1 ERP 接口",
        "ERP 通过 REST 与 MES 交换工单。",
        "系统 | 协议 | 频率",
        "ERP | REST | 每小时",
        "备注：接口需加密",
        "表后的说明。",
    ]
    assert all_text(result).count("备注：接口需加密") == 1
    assert result.title == "2 系统接口"
    assert result.date == dt.date(2024, 3, 5)  # written in the document, not the file's creation date


def test_docx_date_falls_back_to_file_properties_and_title_to_core_properties() -> None:
    def build(document: DocxDocument) -> None:
        document.add_heading("Scope", level=1)
        document.add_paragraph("No date is written here.")

    created = dt.datetime(2023, 11, 2, 9, 0, tzinfo=dt.UTC)
    data = make_docx(build, created=created, title="CRM integration spec")
    result = read_document("crm.docx", data)
    assert result.date == dt.date(2023, 11, 2)
    assert result.title == "CRM integration spec"
    assert result.metadata["title"] == "CRM integration spec"


def test_docx_chinese_heading_styles_nested_tables_and_text_boxes_are_kept() -> None:
    box = (
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:v="urn:schemas-microsoft-com:vml"><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
        "<w:drawing><w:txbxContent><w:p><w:r><w:t>文本框：供应商尚未确认</w:t></w:r></w:p></w:txbxContent>"
        "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r>"
        "<w:t>文本框：供应商尚未确认</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )

    def build(document: DocxDocument) -> None:
        style = document.styles.add_style("标题 1", WD_STYLE_TYPE.PARAGRAPH)
        document.add_paragraph("风险", style=style)
        outer = document.add_table(rows=1, cols=2)
        outer.cell(0, 0).text = "外层"
        inner = outer.cell(0, 1).add_table(rows=1, cols=2)
        inner.cell(0, 0).text = "内层甲"
        inner.cell(0, 1).text = "内层乙"
        document.element.body.insert(len(document.element.body) - 1, parse_xml(box))

    result = read_document("risk.docx", make_docx(build))
    assert [s.section for s in result.segments] == ["风险"]
    text = result.segments[0].text
    assert "内层甲 | 内层乙" in text and text.index("外层") < text.index("内层甲")
    assert text.count("文本框：供应商尚未确认") == 1


# --- E-mail ------------------------------------------------------------------------------------------------


def _mail() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "张伟 <zhang.wei@example.com>"
    msg["To"] = "项目组 <team@example.com>"
    msg["Cc"] = "li.na@example.com"
    msg["Subject"] = "接口联调计划"
    msg["Date"] = "Tue, 05 Mar 2024 10:00:00 +0800"
    msg.set_content("各位好，\n接口联调于3月10日开始，请准备测试环境。\n")
    return msg


def test_eml_headers_body_and_chinese_attachment() -> None:
    msg = _mail()
    msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="接口规范 v2.pdf")
    result = read_document("mail.eml", msg.as_bytes())
    assert result.kind_hint == "email"
    assert result.date == dt.date(2024, 3, 5)
    assert result.title == "接口联调计划"
    [segment] = result.segments
    assert segment.section == "Subject: 接口联调计划"
    assert segment.text.startswith(
        "From: 张伟 <zhang.wei@example.com>\nTo: 项目组 <team@example.com>\nCc: li.na@example.com\n"
        "Date: Tue, 05 Mar 2024 10:00:00 +0800\nSubject: 接口联调计划\n\n各位好，"
    )
    assert "请准备测试环境" in segment.text
    assert [(a.file_name, a.data) for a in result.attachments] == [("接口规范 v2.pdf", b"%PDF-1.4 fake")]
    assert result.metadata["from"] == "张伟 <zhang.wei@example.com>"
    assert result.metadata["subject"] == "接口联调计划"


def test_eml_html_only_body_becomes_text() -> None:
    msg = _mail()
    msg.set_content(
        "<html><head><style>p {color: red}</style></head><body><script>alert('x')</script>"
        "<p>第一段&nbsp;内容</p><div>第二段<br>换行</div><ul><li>事项一</li><li>事项二</li></ul>"
        "<table><tr><td>系统</td><td>负责人</td></tr><tr><td>ERP</td><td>吴静</td></tr></table></body></html>",
        subtype="html",
    )
    text = read_document("mail.eml", msg.as_bytes()).segments[0].text
    body = text.split("\n\n", 1)[1]
    assert body.split("\n") == [
        "第一段 内容", "", "第二段", "换行", "", "- 事项一", "- 事项二", "", "系统 | 负责人", "ERP | 吴静",
    ]  # fmt: skip
    assert "color" not in text and "alert" not in text


def test_eml_plain_text_is_preferred_over_html() -> None:
    msg = _mail()
    msg.add_alternative("<p>HTML 版本</p>", subtype="html")
    text = read_document("mail.eml", msg.as_bytes()).segments[0].text
    assert "接口联调于3月10日开始" in text and "HTML 版本" not in text


def test_eml_gb2312_label_with_gbk_only_characters_and_raw_gbk_subject() -> None:
    raw = (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: " + "需求评审".encode("gbk") + b"\r\n"
        b'Content-Type: text/plain; charset="gb2312"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        + "朱镕基路的机房。".encode("gbk")  # 镕 is in GBK but not in GB2312
    )
    result = read_document("mail.eml", raw)
    assert "朱镕基路的机房。" in result.segments[0].text
    assert result.title == "需求评审"


def test_eml_forwarded_message_becomes_its_own_attachment() -> None:
    inner = _mail()
    outer = EmailMessage()
    outer["From"], outer["To"], outer["Subject"] = "x@example.com", "y@example.com", "Fwd: 接口联调计划"
    outer.set_content("转发给你。")
    outer.add_attachment(inner)
    result = read_document("fwd.eml", outer.as_bytes())
    assert "转发给你" in result.segments[0].text and "请准备测试环境" not in result.segments[0].text
    [attachment] = result.attachments
    assert attachment.file_name == "接口联调计划.eml"
    assert "请准备测试环境" in read_document(attachment.file_name, attachment.data).segments[0].text


def test_html_to_text_keeps_line_breaks_of_pre() -> None:
    assert html_to_text("<pre>a  b\n c</pre><p>x   y</p>") == "a  b\nc\n\nx y"


# --- Text and Markdown -------------------------------------------------------------------------------------


def test_txt_in_gbk() -> None:
    text = "项目周报\n日期：2024年3月5日\n本周完成 ERP 接口联调。"
    result = read_document("周报.txt", text.encode("gbk"))
    assert result.segments[0].text == text
    assert result.title == "项目周报"
    assert result.date == dt.date(2024, 3, 5)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_txt_with_bom(encoding: str) -> None:
    data = "会议纪要 Meeting notes\r\nOwner: 吴静".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    result = read_document("notes.txt", data)
    assert result.segments[0].text == "会议纪要 Meeting notes\nOwner: 吴静"


def test_markdown_in_gb18030_gives_sections_and_keeps_markdown() -> None:
    md = (
        "# 项目概述\n\n目标：打通 ERP 与 MES。\n\n## 接口范围\n\n- 工单下发\n- 报工回传\n\n"
        "```bash\n# 这不是标题\necho ok\n```\n\n# 风险\n\n供应商 𠀀 API 未定。\n"
    )
    result = read_document("plan.md", md.encode("gb18030"))
    assert [s.section for s in result.segments] == ["项目概述", "项目概述 > 接口范围", "风险"]
    expected = "## 接口范围\n\n- 工单下发\n- 报工回传\n\n```bash\n# 这不是标题\necho ok\n```"
    assert result.segments[1].text == expected
    assert "𠀀" in result.segments[2].text  # outside the BMP: GB18030 four-byte form
    assert result.title == "项目概述"


def test_markdown_front_matter_and_setext_headings() -> None:
    md = "---\ntitle: 上线方案\ndate: 2024-06-01\n---\n\nIntro line.\n\nCut-over\n========\n\nStep 1.\n"
    result = read_document("cutover.markdown", md.encode())
    assert result.title == "上线方案"
    assert result.date == dt.date(2024, 6, 1)
    assert [s.section for s in result.segments] == [None, "Cut-over"]
    assert "title: 上线方案" in result.segments[0].text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date: 2024-03-05", dt.date(2024, 3, 5)),
        ("更新于 2024/3/5", dt.date(2024, 3, 5)),
        ("会议时间：2024年3月5日 下午", dt.date(2024, 3, 5)),
        ("日期：２０２４年３月５日", dt.date(2024, 3, 5)),
        ("二〇二四年三月十五日", dt.date(2024, 3, 15)),
        ("Minutes of 5 March 2024", dt.date(2024, 3, 5)),
        ("Held on March 5, 2024 in Paris", dt.date(2024, 3, 5)),
        ("version 1.2.3, no date", None),
        ("2024-13-45 is not a date but 2024-02-29 is", dt.date(2024, 2, 29)),
    ],
)
def test_find_date(text: str, expected: dt.date | None) -> None:
    assert find_date(text) == expected


def test_find_date_takes_the_first_date_in_the_text() -> None:
    assert find_date("Review on 12 May 2024, follow-up 2024-04-01") == dt.date(2024, 5, 12)


_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _number_headings(document: DocxDocument) -> None:
    """Link Heading 1/2 to a "1" / "1.1" multilevel list, the way Word's numbered heading styles work."""
    numbering = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:pStyle w:val="Heading{i + 1}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, text in enumerate(["%1", "%1.%2"])
    )
    numbering.insert(0, parse_xml(f'<w:abstractNum {_W_NS} w:abstractNumId="90">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {_W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for name in ("Heading 1", "Heading 2"):
        ppr = document.styles[name].element.get_or_add_pPr()
        ppr.append(parse_xml(f'<w:numPr {_W_NS}><w:numId w:val="90"/></w:numPr>'))


def test_docx_numbered_headings_and_lists_show_their_numbers() -> None:
    def build(document: DocxDocument) -> None:
        _number_headings(document)
        document.add_heading("系统接口", level=1)
        document.add_heading("ERP 接口", level=2)
        document.add_paragraph("先建立连接", style="List Number")
        document.add_paragraph("再同步主数据", style="List Number")
        document.add_heading("MES 接口", level=2)
        document.add_heading("测试", level=1)

    result = read_document("spec.docx", make_docx(build))
    assert [s.section for s in result.segments] == [
        "1 系统接口",
        "1 系统接口 > 1.1 ERP 接口",
        "1 系统接口 > 1.2 MES 接口",
        "2 测试",
    ]
    assert result.segments[1].text == "1.1 ERP 接口\n1. 先建立连接\n2. 再同步主数据"


def test_docx_tracked_changes_read_as_accepted_and_field_codes_hidden() -> None:
    paragraph = (
        f'<w:p {_W_NS}><w:r><w:t xml:space="preserve">交付日期 </w:t></w:r>'
        '<w:del w:id="1" w:author="A"><w:r><w:delText>五月</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="A"><w:r><w:t>六月</w:t></w:r></w:ins>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>（第7页）</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )

    def build(document: DocxDocument) -> None:
        document.element.body.insert(0, parse_xml(paragraph))

    assert read_document("a.docx", make_docx(build)).segments[0].text == "交付日期 六月（第7页）"


def test_eml_outlook_style_encoded_words_in_quoted_names() -> None:
    encoded = base64.b64encode("报价单.pdf".encode("gbk")).decode()
    raw = (
        "From: a@example.com\r\nSubject: =?GBK?B?"
        + base64.b64encode("报价".encode("gbk")).decode()
        + "?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
        "--XX\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode("正文内容".encode("gbk")).decode()
        + f'\r\n--XX\r\nContent-Type: application/pdf; name="=?GBK?B?{encoded}?="\r\n'
        f'Content-Disposition: attachment; filename="=?GBK?B?{encoded}?="\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--XX--\r\n"
    ).encode("ascii")
    result = read_document("quote.eml", raw)
    assert result.title == "报价"
    assert result.segments[0].text.endswith("\n\n正文内容")
    assert [(a.file_name, a.data) for a in result.attachments] == [("报价单.pdf", b"%PDF-1.4")]


def _visible(text: str) -> list[str]:
    return sorted(re.sub(r"\s", "", text))


def test_markdown_and_text_readers_drop_no_character() -> None:
    md = "前言\n---\n\n# 一\n正文 *强调*\n\n    # 缩进代码\n## 二\n| a | b |\n|---|---|\n\n~~~\n# x\n~~~\n"
    result = read_document("x.md", md.encode())
    assert _visible("".join(s.text for s in result.segments)) == _visible(md)
    assert _visible(read_document("x.txt", md.encode()).segments[0].text) == _visible(md)


def test_pdf_normalisation_drops_only_whitespace_and_joining_hyphens() -> None:
    raw = "Inter-\nface  plan \n\n\n 系统\n接口。\r\nEnd - \nnext"
    assert _visible(normalise_pdf_text(raw)) == _visible(raw.replace("Inter-\n", "Inter\n"))
