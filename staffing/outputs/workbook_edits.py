"""Whether a planner changed a workbook since staffing wrote it, and what changed.

When staffing writes a workbook it seals it (:func:`seal_workbook`): the xlsx file's zip
comment records the CRC-32 of every part of the file and which part holds which sheet.
Spreadsheet programs ignore the comment, and drop it when they save the file. So before
the next run replaces the workbook, :func:`workbook_edits` can tell:

- the seal is there and every part matches: unchanged, replace it;
- the seal is there and parts differ: name the sheets added, removed or edited;
- no seal (the file was saved by Excel, LibreOffice or a script since): name the sheets
  this run does not write (a planner's "My notes") and say it was saved by another
  program, so cells may have been edited.

A changed workbook is kept as a backup beside the new one (:func:`backup_path`,
``<name>.edited-YYYYmmdd-HHMMSS.xlsx``, the time it was last saved) rather than lost, and
the run says so; an unchanged one is replaced as usual. A workbook some other program wrote
(no :data:`~staffing.outputs.safety.GENERATOR_PROPERTY`) is refused before the run unless
``--force`` (:func:`staffing.outputs.safety.check_target`) and then replaced without a
backup, as asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from staffing.outputs.output_set import OutputSet
from staffing.outputs.safety import is_staffing_workbook

__all__ = [
    "SEAL_PREFIX",
    "backup_path",
    "keep_if_edited",
    "seal_workbook",
    "sheet_parts",
    "workbook_edits",
]

#: How the zip comment of a workbook sealed by staffing begins.
SEAL_PREFIX = b"staffing-seal v1\n"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_COMMENT_MAX = 65_535  # bytes a zip comment holds


def seal_workbook(path: str | os.PathLike) -> None:
    """Record in the workbook's zip comment what staffing wrote (a finished, closed file).

    Parameters
    ----------
    path : path
        The xlsx file just written (the temporary file, before it is renamed into place).
        Only the zip's central directory is rewritten: a few milliseconds for any size.
    """
    with zipfile.ZipFile(path, "a") as archive:
        parts = {info.filename: info.CRC for info in archive.infolist()}
        seal = {"parts": parts, "sheets": sheet_parts(archive)}
        text = json.dumps(seal, sort_keys=True, separators=(",", ":")).encode()
        if len(SEAL_PREFIX) + len(text) > _COMMENT_MAX:  # thousands of sheets: one digest
            seal = {"digest": _digest(parts)}
            text = json.dumps(seal).encode()
        archive.comment = SEAL_PREFIX + text


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name and the zip part that holds it, in workbook order.

    Parameters
    ----------
    archive : zipfile.ZipFile
        An open xlsx file.

    Returns
    -------
    dict of str to str
        Sheet name -> part name (``xl/worksheets/sheet1.xml``).

    Raises
    ------
    KeyError, xml.etree.ElementTree.ParseError
        The file is not a readable xlsx workbook.
    """
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{_PACKAGE_RELS}Relationship"):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(part)
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    return {
        str(sheet.get("name")): targets.get(sheet.get(_REL_ID), "")
        for sheet in book.iter(f"{_MAIN}sheet")
    }


def workbook_edits(path: str | os.PathLike, written_sheets: list[str]) -> list[str]:
    """What changed in the staffing workbook at ``path`` since staffing wrote it.

    Parameters
    ----------
    path : path
        The existing workbook about to be replaced.
    written_sheets : list of str
        The sheets the new workbook has (for a workbook saved by another program: its other
        sheets are a planner's).

    Returns
    -------
    list of str
        One phrase per change (``sheet 'My notes' added``, ``cells edited on sheet
        'Summary'``); empty when the file is missing, unchanged, or not a workbook staffing
        wrote.
    """
    path = Path(path)
    if not path.is_file() or not is_staffing_workbook(path):
        return []
    try:
        with zipfile.ZipFile(path) as archive:
            comment = archive.comment
            parts = {info.filename: info.CRC for info in archive.infolist()}
            sheets = sheet_parts(archive)
    except (OSError, zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return []
    try:
        seal = json.loads(comment[len(SEAL_PREFIX) :]) if comment.startswith(SEAL_PREFIX) else None
    except ValueError:
        seal = None
    if not isinstance(seal, dict):
        planners = [name for name in sheets if name not in written_sheets]
        return [
            *(f"sheet '{name}' added" for name in planners),
            "saved by another program since staffing wrote it (cells may have been edited)",
        ]
    if "digest" in seal:
        return [] if seal["digest"] == _digest(parts) else ["cells or sheets edited"]
    return _compare(seal, parts, sheets)


def _compare(seal: dict, parts: dict[str, int], sheets: dict[str, str]) -> list[str]:
    """The changes between a seal and the parts and sheets a workbook has now."""
    old_parts, old_sheets = seal.get("parts", {}), seal.get("sheets", {})
    if old_parts == parts and old_sheets == sheets:
        return []
    changes = [f"sheet '{name}' added" for name in sheets if name not in old_sheets]
    changes += [f"sheet '{name}' removed" for name in old_sheets if name not in sheets]
    changes += [
        f"cells edited on sheet '{name}'"
        for name, part in sheets.items()
        if name in old_sheets and old_parts.get(part) != parts.get(part)
    ]
    return changes or ["cells edited"]


def keep_if_edited(files: OutputSet, path: str | os.PathLike, new: str | os.PathLike) -> None:
    """Seal the new workbook; keep the one it replaces as a backup if a planner changed it.

    Parameters
    ----------
    files : OutputSet
        The run's files: the backup is made when they are renamed into place, and a note
        naming it and what changed is added to ``files.notes``.
    path : path
        The workbook's target.
    new : path
        The new workbook, written and closed (its temporary file).
    """
    seal_workbook(new)
    with zipfile.ZipFile(new) as archive:
        written = list(sheet_parts(archive))
    edits = workbook_edits(path, written)
    if edits:
        backup = backup_path(path)
        files.keep(path, backup)
        files.notes.append(
            f"{path} was changed since staffing wrote it ({'; '.join(edits)}): kept it as "
            f"{backup}, beside the new workbook"
        )


def backup_path(path: str | os.PathLike) -> Path:
    """Where an edited workbook is kept: ``<stem>.edited-YYYYmmdd-HHMMSS<suffix>`` beside it.

    Parameters
    ----------
    path : path
        The existing workbook; the time is its last modification, local time.

    Returns
    -------
    Path
        A name not taken yet (``-2``, ``-3``, ... appended when needed).
    """
    path = Path(path)
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.edited-{stamp}{path.suffix}")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.edited-{stamp}-{number}{path.suffix}")
        number += 1
    return candidate


def _digest(parts: dict[str, int]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
