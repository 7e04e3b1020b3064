"""ZIP and folder expansion: every document comes out, every bad member fails alone."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ingest.readers import ArchiveEntry, ReadLimits, expand_archive, expand_folder, read_document
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


def test_zip_bomb_member_is_refused_and_the_others_still_come_out(small_limits: ReadLimits) -> None:
    bomb = b"\x00" * (2 * 1024 * 1024)  # 2 MB of zeros compress to about 2 KB
    data = make_zip({"zeros.txt": bomb, "ok.txt": b"fine"})
    assert len(data) < 16 * 1024
    for limits in (small_limits, ReadLimits()):
        found = entries(data, limits)
        assert found["specs.zip/zeros.txt"].data is None
        assert re.fullmatch(
            r"zip bomb suspected: expands \d+ times its compressed size \(limit 200\)",
            found["specs.zip/zeros.txt"].error or "",
        )
        assert found["specs.zip/ok.txt"].data == b"fine"


def test_member_over_the_file_limit_is_refused_without_being_read(small_limits: ReadLimits) -> None:
    data = make_zip({"big.txt": b"a" * (100 * 1024), "ok.txt": b"fine"})
    found = entries(data, small_limits)
    assert found["specs.zip/big.txt"].error == "file is 100.0 KB, over the 64 KB limit"
    assert found["specs.zip/ok.txt"].data == b"fine"


def test_total_size_overrun_stops_expansion_with_one_error(small_limits: ReadLimits) -> None:
    chunk = bytes(range(256)) * 240  # 60 KB each, under the 64 KB file limit; five of them pass 256 KB
    data = make_zip([(f"part{i}.txt", chunk) for i in range(5)] + [("after.txt", b"never")])
    result = list(expand_archive("specs.zip", data, small_limits))
    assert [e.file_name for e in result[:-1]] == [f"specs.zip/part{i}.txt" for i in range(4)]
    assert result[-1] == ArchiveEntry("specs.zip", None, "expands to more than 256 KB; stopped expanding")


def test_too_many_files_stops_expansion_with_one_error(small_limits: ReadLimits) -> None:
    data = make_zip([(f"n{i}.txt", b"x") for i in range(8)])
    result = list(expand_archive("many.zip", data, small_limits))
    assert len(result) == 6
    assert all(e.data == b"x" for e in result[:5])
    assert result[-1] == ArchiveEntry("many.zip", None, "more than 5 files; stopped expanding")


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


def test_corrupt_archive_is_one_error_entry() -> None:
    assert list(expand_archive("bad.zip", b"PK\x03\x04 not really a zip")) == [
        ArchiveEntry("bad.zip", None, "corrupt ZIP archive: File is not a zip file")
    ]


def test_folder_expansion_walks_subfolders_and_zips(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.md").write_text("# A", encoding="utf-8")
    (root / "sub" / "b.txt").write_text("B", encoding="utf-8")
    (root / ".hidden.txt").write_text("no", encoding="utf-8")
    (root / ".git" / "config.txt").write_text("no", encoding="utf-8")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "bundle.zip").write_bytes(make_zip({"c.eml": b"Subject: c\r\nFrom: a@b\r\n\r\nbody"}))
    found = {e.file_name: e for e in expand_folder(root, ReadLimits())}
    assert sorted(found) == ["proj/a.md", "proj/bundle.zip/c.eml", "proj/photo.jpg", "proj/sub/b.txt"]
    assert found["proj/sub/b.txt"].data == b"B"
    assert found["proj/photo.jpg"].error.startswith("unsupported type .jpg")


def test_folder_that_does_not_exist_is_one_error(tmp_path: Path) -> None:
    assert list(expand_folder(tmp_path / "missing", ReadLimits())) == [
        ArchiveEntry("missing", None, f"not a folder: {tmp_path / 'missing'}")
    ]
