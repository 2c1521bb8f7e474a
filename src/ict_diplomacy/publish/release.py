"""A published release: the directory a build writes, read back by everything that serves it.

A release holds the dumps, the catalog files, the Oxigraph store (`store/`), the archived
versions (`versions/`) and `manifest.json` (triple count, size and SHA-256 of every file, build
time, version). It is immutable: its id is its ETag.

A server pins the release it opened: it holds a shared lock on the release's `.lock` file for as
long as it runs (the operating system drops it when the process ends, however it ends), and a
build's pruning removes only releases whose lock it can take exclusively. So a release in use is
never removed, and a killed query worker can always be replaced from the same directory."""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DamagedRelease
from . import dumps

STORE_DIR = "store"
MANIFEST = "manifest.json"
LOCK = ".lock"


def read_manifest(release: Path) -> dict:
    """The manifest of the release at `release` (a release link or directory); FileNotFoundError
    when there is none, DamagedRelease (also a FileNotFoundError) when it does not read."""
    path = release / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"no release at {release}; run `ict-diplomacy build` first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise DamagedRelease(f"{path} is not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise DamagedRelease(f"{path} is not a release manifest (no list of files)")
    return manifest


def describe_files(paths: list[Path], root: Path | None = None) -> list[dict]:
    """Manifest entries (name relative to `root`, size, SHA-256, media type) of files."""
    entries = [dumps.describe_file(p) for p in paths]
    if root is not None:
        for entry, path in zip(entries, paths):
            entry["name"] = path.relative_to(root).as_posix()
    return entries


def check_files(directory: Path, entries: list[dict]) -> list[str]:
    """What is wrong with the files a manifest lists: missing, another size, another SHA-256."""
    problems = []
    for entry in entries:
        try:
            name, size, digest = entry["name"], int(entry["bytes"]), entry["sha256"]
        except (KeyError, TypeError, ValueError):
            problems.append(f"a manifest entry of {directory} is malformed: {entry!r:.120}")
            continue
        path = directory / name
        if ".." in Path(name).parts or not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != size:
            problems.append(f"{name} has {path.stat().st_size} bytes, the manifest says {size}")
        elif dumps.sha256_of(path) != digest:
            problems.append(f"{name} does not match its SHA-256 in the manifest (damaged)")
    return problems


def verify(release: Path) -> list[str]:
    """Every problem of the release at `release`: its manifest, and each file it lists (the
    archived versions' own manifests and files included) against their sizes and SHA-256."""
    try:
        manifest = read_manifest(release)
    except FileNotFoundError as error:  # DamagedRelease too
        return [str(error)]
    problems = check_files(release, manifest["files"] + manifest.get("support_files", []))
    for version in manifest.get("versions", []):
        folder = release / "versions" / str(version.get("version", ""))
        if version.get("archived"):
            try:
                problems += [f"versions/{folder.name}/{p}" for p in check_files(folder, read_manifest(folder)["files"])]
            except FileNotFoundError as error:
                problems.append(str(error))
    return problems


# ---------------------------------------------------------------- pinning


def _lock_file(path: Path) -> int:
    lock = path / LOCK
    try:
        return os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return os.open(lock, os.O_RDONLY | os.O_CREAT, 0o644)


class Pin:
    """A shared lock on a release directory, held until `release()` or the end of the process."""

    def __init__(self, path: Path):
        self.path, self.fd = path, _lock_file(path)
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def lock_for_removal(path: Path) -> int | None:
    """An exclusive lock on an unused release (the caller removes it, then closes the fd), or
    None when a server holds it."""
    try:
        fd = _lock_file(path)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@dataclass(frozen=True)
class Release:
    path: Path          # the release directory itself (a link resolved once)
    manifest: dict
    pin: Pin | None = field(default=None, compare=False)

    @classmethod
    def open(cls, link: Path) -> "Release":
        """The release a link (or directory) points at now; FileNotFoundError if there is none."""
        manifest = read_manifest(link)
        return cls(link.resolve(), manifest)

    @classmethod
    def open_pinned(cls, link: Path) -> "Release":
        """Like `open`, pinned (see the module docstring); if a build removed the release between
        reading the link and taking the lock, the link is read again."""
        for _ in range(5):
            release = cls.open(link)
            try:
                pin = Pin(release.path)
            except FileNotFoundError:
                continue
            if (release.path / MANIFEST).exists():
                return cls(release.path, release.manifest, pin)
            pin.release()
        raise DamagedRelease(f"the release at {link} kept disappearing while it was opened")

    @classmethod
    def find(cls, link: Path | None, pinned: bool = False) -> "Release | None":
        """Like `open`, but None when there is no release there."""
        if link is None or not (link / MANIFEST).exists():
            return None
        return cls.open_pinned(link) if pinned else cls.open(link)

    @property
    def id(self) -> str:
        return self.manifest.get("release", self.path.name)

    @property
    def version(self) -> str:
        return self.manifest.get("version", self.manifest.get("ontology_version", ""))

    @property
    def etag(self) -> str:
        """A strong ETag for everything this release serves."""
        return f'"{self.id}"'

    @property
    def store_dir(self) -> Path:
        return self.path / STORE_DIR

    def file(self, name: str) -> Path:
        return self.path / name
