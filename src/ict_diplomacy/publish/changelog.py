"""CHANGELOG.md and the version notes, written from the diffs.

Each published version has a section `## [VERSION] — DATE` whose first line is the summary the
diff gives (`Data: …`), followed by the prose written by hand under `## [Unreleased]` before the
version was published. `record` writes that section when a version is archived; `check` says
where the file and the archive disagree (the tests run it). The same counts make the
`adms:versionNotes` of the catalog, in Japanese and English."""

from __future__ import annotations

import re
from pathlib import Path

CHANGELOG = "CHANGELOG.md"
UNRELEASED = "## [Unreleased]"
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: — (?P<date>\d{4}-\d\d-\d\d))?[ \t]*$", re.M)


def _resources(summary: dict) -> dict[str, int]:
    return {"added": 0, "removed": 0, "changed": 0, **summary.get("resources", {})}


def line(summary: dict) -> str:
    """The generated first line of a version's section."""
    if not summary.get("previous"):
        return f"Data: {summary['triples']:,} triples (first publication)."
    r = _resources(summary)
    before = summary["triples"] - summary["added_triples"] + summary["removed_triples"]
    return (f"Data: {before:,} → {summary['triples']:,} triples (+{summary['added_triples']:,} "
            f"−{summary['removed_triples']:,}) since {summary['previous']}; resources: {r['added']} added, "
            f"{r['removed']} removed, {r['changed']} changed ({summary['changes_page']}).")


def notes(summary: dict) -> dict[str, str]:
    """adms:versionNotes: what changed since the version before, in ja and en."""
    if not summary.get("previous"):
        return {"ja": f"最初の公開。{summary['triples']:,}トリプル。",
                "en": f"First publication: {summary['triples']:,} triples."}
    r = _resources(summary)
    status = {"ja": "" if summary.get("archived") else "（未公開の版）",
              "en": "" if summary.get("archived") else " (not yet published)"}
    return {
        "ja": f"{summary['previous']}からの変更{status['ja']}: トリプル{summary['added_triples']:,}件を追加、"
              f"{summary['removed_triples']:,}件を削除。資源{r['added']}件を追加、{r['removed']}件を削除、"
              f"{r['changed']}件を変更。一覧: {summary['changes_page']}",
        "en": f"Changes since {summary['previous']}{status['en']}: {summary['added_triples']:,} triples added, "
              f"{summary['removed_triples']:,} removed; {r['added']} resources added, {r['removed']} removed, "
              f"{r['changed']} changed. The list: {summary['changes_page']}",
    }


def sections(text: str) -> dict[str, tuple[str | None, str]]:
    """Version → (date, body) of every `## [VERSION]` section."""
    heads = list(HEADING.finditer(text))
    out = {}
    for head, following in zip(heads, heads[1:] + [None]):
        body = text[head.end():following.start() if following else len(text)]
        out[head["version"]] = (head["date"], body.strip())
    return out


def record(path: Path, summary: dict) -> None:
    """Give the published version its section: the generated line, then what was written under
    [Unreleased] (which is left empty, above it)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Changelog\n"
    if summary["version"] in sections(text):
        return
    if not any(h["version"] == "Unreleased" for h in HEADING.finditer(text)):
        first = next(HEADING.finditer(text), None)
        at = first.start() if first else len(text)
        text = text[:at].rstrip("\n") + "\n\n" + UNRELEASED + "\n\n" + text[at:]
    unreleased = next(h for h in HEADING.finditer(text) if h["version"] == "Unreleased")
    following = next((h for h in HEADING.finditer(text) if h.start() > unreleased.start()), None)
    end = following.start() if following else len(text)
    prose = text[unreleased.end():end].strip()
    section = f"## [{summary['version']}] — {summary['issued']}\n\n{line(summary)}\n" + (f"\n{prose}\n" if prose else "")
    rest = "\n" + text[end:] if following else ""
    path.write_text(text[:unreleased.end()] + "\n\n" + section + rest, encoding="utf-8")


def check(path: Path, summaries: list[dict]) -> list[str]:
    """Where CHANGELOG.md disagrees with the archived versions (their dates and diff counts)."""
    found = sections(path.read_text(encoding="utf-8"))
    problems = []
    for summary in (s for s in summaries if s.get("archived")):
        version = summary["version"]
        if version not in found:
            problems.append(f"{path.name} has no section ## [{version}] — {summary['issued']}")
            continue
        date, body = found[version]
        if date != summary["issued"]:
            problems.append(f"{path.name} dates {version} {date}, the archive {summary['issued']}")
        if not body.startswith(line(summary)):
            problems.append(f"the section of {version} should start with: {line(summary)}")
    return problems
