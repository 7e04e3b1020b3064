"""ZIP and folder expansion: every document comes out, every bad member fails alone."""

from __future__ import annotations

import dataclasses
import io
import random
import zipfile
from pathlib import Path

import pytest

from ingest.readers import (
    ArchiveEntry,
    ArchiveRefused,
    ExpansionBudget,
    ReadLimits,
    expand_archive,
    expand_folder,
    read_document,
)
from tests.ingest.fixtures import make_docx, make_zip, mark_encrypted, nested_zip, raw_name_member


def entries(
    data: bytes, limits: ReadLimits = ReadLimits(), name: str = "specs.zip"
) -> dict[str, ArchiveEntry]:
    return {e.file_name: e for e in expand_archive(name, data, limits)}


def test_members_come_out_with_their_paths_and_junk_is_skipped() -> None:
    spec = make_docx(lambda d: d.add_paragraph("ERP 接口字段清单"))
    data = make_zip(
        {
            "erp/接口规范.docx": spec,
            "notes.md": "# 纪要\n内容".encode(),
            "erp/": b"",
            "__MACOSX/erp/._接口规范.docx": b"\x00\x05",
            ".DS_Store": b"\x00",
            "erp/.hidden.txt": b"secret",
            "erp/~$接口规范.docx": b"lock",
            "logo.png": b"\x89PNG",
        }
    )
    found = entries(data)
    assert sorted(found) == ["specs.zip/erp/接口规范.docx", "specs.zip/logo.png", "specs.zip/notes.md"]
    assert found["specs.zip/erp/接口规范.docx"].data == spec
    assert found["specs.zip/erp/接口规范.docx"].error is None
    assert found["specs.zip/logo.png"].data is None
    assert found["specs.zip/logo.png"].error == (
        "unsupported type .png (supported: .docx, .eml, .markdown, .md, .pdf, .txt, .zip)"
    )
    entry = found["specs.zip/erp/接口规范.docx"]
    assert "ERP 接口字段清单" in read_document(entry.file_name, entry.data).segments[0].text


def test_gbk_member_names_without_the_utf8_flag_are_decoded() -> None:
    data = make_zip([(raw_name_member("需求/会议纪要.txt".encode("gbk")), "纪要正文".encode("gbk"))])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert not zf.infolist()[0].flag_bits & 0x800  # really stored the way old Windows tools do
    [entry] = expand_archive("资料.zip", data)
    assert entry.file_name == "资料.zip/需求/会议纪要.txt"
    assert read_document(entry.file_name, entry.data).segments[0].text == "纪要正文"


def test_nested_zips_are_expanded_up_to_the_depth_limit() -> None:
    found = entries(nested_zip(3), name="outer.zip")
    assert list(found) == ["outer.zip/level2.zip/level3.zip/deep.txt"]
    assert found["outer.zip/level2.zip/level3.zip/deep.txt"].data == b"deep text"


def test_too_deeply_nested_zip_is_refused_alone() -> None:
    level3 = make_zip({"level4.zip": make_zip({"deep.txt": b"deep"})})
    data = make_zip({"top.txt": b"top", "level2.zip": make_zip({"level3.zip": level3})})
    found = entries(data, name="outer.zip")
    assert found["outer.zip/top.txt"].data == b"top"
    too_deep = found["outer.zip/level2.zip/level3.zip/level4.zip"]
    assert too_deep.data is None
    assert too_deep.error == "archive nested too deep (over 3 levels)"
    assert not any(name.endswith("deep.txt") for name in found)


def refusal(data: bytes, limits: ReadLimits = ReadLimits(), name: str = "specs.zip") -> str:
    with pytest.raises(ArchiveRefused) as caught:
        list(expand_archive(name, data, limits))
    return str(caught.value)


def test_a_zip_bomb_member_of_any_size_refuses_the_archive_whole(small_limits: ReadLimits) -> None:
    for size in (2 * 1024 * 1024, 64 * 1024):  # over and under the 1 MB that used to skip the check
        data = make_zip({"ok.txt": b"fine", "zeros.txt": b"\x00" * size})
        ratio = size / zipfile.ZipFile(io.BytesIO(data)).getinfo("zeros.txt").compress_size
        assert ratio > 200
        for limits in (small_limits, ReadLimits()):
            if size > limits.max_file_bytes:
                continue  # refused alone as too large, and never read
            assert refusal(data, limits) == (
                f"zip bomb suspected: 'specs.zip/zeros.txt' expands {ratio:.0f} times its compressed size "
                "(limit 200, ASSISTANT_ZIP_MAX_RATIO); nothing was taken from the archive"
            )


def test_a_bomb_in_a_nested_zip_refuses_the_outer_archive() -> None:
    data = make_zip({"top.txt": b"top", "inner.zip": make_zip({"zeros.txt": b"\x00" * 300_000})})
    assert refusal(data, name="outer.zip").startswith("zip bomb suspected: 'outer.zip/inner.zip/zeros.txt'")


def test_ordinary_documents_pass_the_ratio_check() -> None:
    text = "接口联调计划于2026年5月25日开始。The MES interface v4.0 is confirmed.\n".encode()
    data = make_zip({"notes.md": text * 40, "spec.docx": make_docx(lambda d: d.add_paragraph("接口清单"))})
    assert all(e.error is None for e in expand_archive("specs.zip", data))


def test_member_over_the_file_limit_is_refused_without_being_read(small_limits: ReadLimits) -> None:
    data = make_zip({"big.txt": bytes(range(256)) * 400, "ok.txt": b"fine"})
    found = entries(data, small_limits)
    assert found["specs.zip/big.txt"].error == "file is 100.0 KB, over the 64 KB limit"
    assert found["specs.zip/ok.txt"].data == b"fine"


def test_an_archive_over_the_byte_budget_is_refused_before_anything_is_inflated(
    small_limits: ReadLimits,
) -> None:
    chunk = bytes(range(256)) * 240  # 60 KB each, under the 64 KB file limit; five of them pass 256 KB
    data = make_zip([(f"part{i}.txt", chunk) for i in range(5)])
    expanded = iter(expand_archive("specs.zip", data, small_limits))
    with pytest.raises(ArchiveRefused) as caught:
        next(expanded)  # judged from the central directory: not even the first member comes out
    assert str(caught.value) == (
        "the upload would expand to more than 256 KB (ASSISTANT_ZIP_MAX_TOTAL_MB); nothing was taken from the archive"
    )


def test_an_archive_over_the_file_budget_is_refused_whole(small_limits: ReadLimits) -> None:
    data = make_zip([(f"n{i}.txt", b"x") for i in range(8)])
    assert refusal(data, small_limits, name="many.zip") == (
        "the upload would hold more than 5 files (ASSISTANT_MAX_UPLOAD_FILES); nothing was taken from the archive"
    )


def test_archives_of_one_upload_share_one_budget(small_limits: ReadLimits) -> None:
    chunk = random.Random(7).randbytes(50 * 1024)
    two_parts = make_zip({"a.txt": chunk, "b.txt": chunk})  # 100 KB each archive, 256 KB for the upload
    budget = ExpansionBudget(dataclasses.replace(small_limits, max_files=100))
    assert len(list(expand_archive("one.zip", two_parts, budget=budget))) == 2
    assert len(list(expand_archive("two.zip", two_parts, budget=budget))) == 2
    with pytest.raises(ArchiveRefused, match="expand to more than 256 KB"):
        list(expand_archive("three.zip", two_parts, budget=budget))
    assert (budget.files, budget.total) == (4, 4 * len(chunk))  # the refused one took nothing
    # on its own, the same archive is fine: the budget is the upload's, not each archive's
    assert len(list(expand_archive("three.zip", two_parts, small_limits))) == 2


def test_members_whose_names_leave_the_archive_fail_alone_and_are_named_as_data() -> None:
    hostile = ["../evil.txt", "/etc/evil.txt", "C:\\Windows\\evil.txt", "docs/../../evil.txt", "..\\evil.txt"]
    data = make_zip([*((name, b"payload") for name in hostile), ("docs/good.txt", b"good")])
    found = entries(data)
    assert found["specs.zip/docs/good.txt"].data == b"good"
    reasons = {name: e.error for name, e in found.items() if name != "specs.zip/docs/good.txt"}
    assert len(reasons) == len(hostile)
    assert all(e.data is None for n, e in found.items() if n in reasons)
    assert reasons == {
        "specs.zip/../evil.txt": "unsafe name in the archive: its name climbs out of the archive ('..'); "
        "the member was not taken",
        "specs.zip//etc/evil.txt": "unsafe name in the archive: its name is an absolute path; the member was not taken",
        "specs.zip/C:\\Windows\\evil.txt": "unsafe name in the archive: its name starts with a drive letter; "
        "the member was not taken",
        "specs.zip/docs/../../evil.txt": "unsafe name in the archive: its name climbs out of the archive ('..'); "
        "the member was not taken",
        "specs.zip/..\\evil.txt": "unsafe name in the archive: its name climbs out of the archive ('..'); "
        "the member was not taken",
    }


def test_encrypted_and_corrupt_members_fail_alone() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("locked.txt", b"ciphertext")
        zf.writestr("damaged.txt", b"hello world")
        zf.writestr("good.txt", b"good")
    data = mark_encrypted(out.getvalue(), "locked.txt")
    data = data.replace(b"hello world", b"hellO world")  # the CRC no longer matches
    found = entries(data)
    assert found["specs.zip/locked.txt"].error == "encrypted member: a password is needed to extract it"
    assert found["specs.zip/damaged.txt"].error.startswith("corrupt member: ")
    assert found["specs.zip/good.txt"].data == b"good"


def test_corrupt_archive_is_refused_with_one_reason() -> None:
    assert (
        refusal(b"PK\x03\x04 not really a zip", name="bad.zip")
        == "corrupt ZIP archive: File is not a zip file"
    )


def test_folder_expansion_walks_subfolders_and_leaves_zips_whole(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.md").write_text("# A", encoding="utf-8")
    (root / "sub" / "b.txt").write_text("B", encoding="utf-8")
    (root / ".hidden.txt").write_text("no", encoding="utf-8")
    (root / ".git" / "config.txt").write_text("no", encoding="utf-8")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    bundle = make_zip({"c.eml": b"Subject: c\r\nFrom: a@b\r\n\r\nbody"})
    (root / "bundle.zip").write_bytes(bundle)
    found = {e.file_name: e for e in expand_folder(root, ReadLimits())}
    assert sorted(found) == ["proj/a.md", "proj/bundle.zip", "proj/photo.jpg", "proj/sub/b.txt"]
    assert found["proj/sub/b.txt"].data == b"B"
    # expanded when staged, against the budgets of the upload it joins (tests/ingest/test_staging.py)
    assert found["proj/bundle.zip"].data == bundle
    assert found["proj/photo.jpg"].error.startswith("unsupported type .jpg")


def test_folder_that_does_not_exist_is_one_error(tmp_path: Path) -> None:
    assert list(expand_folder(tmp_path / "missing", ReadLimits())) == [
        ArchiveEntry("missing", None, f"not a folder: {tmp_path / 'missing'}")
    ]
