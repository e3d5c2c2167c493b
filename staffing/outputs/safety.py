"""Safe writes: checks before writing, and an atomic replace of the target.

Every output file is written to a temporary file beside its target, flushed to disk and
renamed over the target, so a failure mid-write leaves the previous file untouched
(:func:`atomic_replace`). Before a long run, :func:`check_outputs` (or :func:`check_target`
for one file) refuses a target that is a directory, open in a spreadsheet program (its lock
file, or a POSIX lock), read-only, or an existing file this program did not write (our
workbook carries the custom document property :data:`GENERATOR_PROPERTY`, our intervals
CSV starts with :data:`INTERVALS_CSV_HEADER`) unless ``force`` is given.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

from staffing.errors import OutputError

__all__ = [
    "GENERATOR_PROPERTY",
    "INTERVALS_CSV_HEADER",
    "ROWS_FOLDER_PREFIX",
    "atomic_replace",
    "check_not_locked",
    "check_outputs",
    "check_target",
    "check_workbook_suffix",
    "describe_os_error",
    "fsync_dir",
    "is_staffing_csv",
    "is_staffing_workbook",
    "lock_files",
    "open_files_allowed",
    "remove_stale_temporaries",
    "starts_with",
    "temp_beside",
    "temp_folder_beside",
]

#: Custom document property that marks a workbook as written by this program.
GENERATOR_PROPERTY = "staffing_generator"
#: How an intervals CSV written by this program begins (after an optional BOM).
INTERVALS_CSV_HEADER = "skill_id,skill_name,interval_start"

_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def check_outputs(
    out_path: str | os.PathLike,
    *,
    fmt: str = "xlsx",
    force: bool = False,
    csv_path: str | os.PathLike | None = None,
) -> str:
    """Check, without writing, that the plan outputs may be written to these targets.

    A command can call this before a long planning run so that a refused target fails in
    a second, not after the run.

    Parameters
    ----------
    out_path : path
        The workbook (``fmt="xlsx"``, must end in ``.xlsx``) or the intervals CSV
        (``fmt="csv"``, must not end like a spreadsheet).
    fmt : {"xlsx", "csv"}
        Output format of ``out_path``; case and a leading dot are ignored.
    force : bool
        Allow overwriting existing files this program did not write.
    csv_path : path, optional
        With ``fmt="xlsx"``: the intervals CSV also to be written (ignored with ``"csv"``).

    Returns
    -------
    str
        The normalised format, ``"xlsx"`` or ``"csv"``.

    Raises
    ------
    OutputError
        An unknown format, a wrong suffix, a target that is a directory, open or locked in
        another program, read-only or not ours to overwrite, or a CSV path equal to the
        workbook path.
    """
    kind = str(fmt).lower().lstrip(".")
    if kind not in ("xlsx", "csv"):
        raise OutputError(f"unknown output format {fmt!r}: use 'xlsx' or 'csv'")
    out_path = Path(out_path)
    if kind == "csv":
        if out_path.is_dir():
            raise OutputError(
                f"{out_path} is a folder, not a file: give the CSV's file name, e.g. "
                f"{out_path / 'plan-intervals.csv'}"
            )
        if out_path.suffix.lower() in _SPREADSHEET_SUFFIXES:
            raise OutputError(f"CSV output to {out_path} would look like a spreadsheet; use .csv")
        check_target(
            out_path, force=force, ours=is_staffing_csv, what="an intervals CSV written by staffing"
        )
        return kind
    check_workbook_suffix(out_path)
    check_target(
        out_path, force=force, ours=is_staffing_workbook, what="a workbook written by staffing"
    )
    if csv_path is not None:
        csv_path = Path(csv_path)
        if csv_path.resolve() == out_path.resolve():
            raise OutputError(f"the CSV path and the workbook path are the same file: {out_path}")
        check_target(
            csv_path, force=force, ours=is_staffing_csv, what="an intervals CSV written by staffing"
        )
    return kind


def check_workbook_suffix(path: str | os.PathLike) -> None:
    """Refuse a workbook path that does not end in ``.xlsx``.

    Parameters
    ----------
    path : path
        The workbook target.

    Raises
    ------
    OutputError
        The suffix is not ``.xlsx`` (spreadsheet programs decide the format by it).
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(
            f"{path} is a folder, not a file: give the workbook's file name, e.g. "
            f"{path / 'plan.xlsx'}"
        )
    if path.suffix.lower() != ".xlsx":
        raise OutputError(
            f"workbook path {path} must end in .xlsx (spreadsheet programs decide the format by it)"
        )


def lock_files(path: str | os.PathLike) -> list[Path]:
    """Lock files that LibreOffice and Excel create beside a document they have open.

    Parameters
    ----------
    path : path
        The document.

    Returns
    -------
    list of Path
        ``.~lock.<name>#`` (LibreOffice) and ``~$<name>`` (Excel, also with the first two
        characters of the name dropped, as Excel does for long names).
    """
    path = Path(path)
    names = [f".~lock.{path.name}#", f"~${path.name}", f"~${path.name[2:]}"]
    return [path.with_name(n) for n in dict.fromkeys(names)]


def check_target(
    path: str | os.PathLike,
    *,
    force: bool = False,
    ours: Callable[[Path], bool] | None = None,
    what: str = "a file written by staffing",
) -> None:
    """Refuse, before writing anything, a target that must not be replaced.

    Parameters
    ----------
    path : path
        The file about to be written.
    force : bool
        Allow replacing an existing file that ``ours`` does not recognise.
    ours : callable, optional
        ``ours(path) -> bool``: True when an existing ``path`` was written by this program
        (:func:`is_staffing_workbook`, :func:`is_staffing_csv`). None: any file is ours.
    what : str
        What ``ours`` recognises, for the message (``"a workbook written by staffing"``).

    Raises
    ------
    OutputError
        ``path`` is a directory, open in a spreadsheet program (a lock file beside it),
        read-only, locked by another process, or (without ``force``) not ours.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a folder, not a file: give a file name in it")
    for lock in lock_files(path):
        if lock.exists():
            raise OutputError(
                f"{path} is open in a spreadsheet program (lock file {lock.name}); "
                "close it and run again"
            )
    if not path.exists():
        return
    if not os.access(path, os.W_OK):
        raise OutputError(f"{path} is read-only; make it writable or choose another path")
    check_not_locked(path)
    if force or ours is None:
        return
    if not ours(path):
        refusal = f"refusing to overwrite {path}: it is not {what}"
        raise OutputError(
            f"{refusal} (force=True overwrites it)",
            command_line=f"{refusal} (give --force to overwrite it)",
        )


def check_not_locked(path: str | os.PathLike) -> None:
    """Refuse a file another process holds an exclusive lock on (POSIX; a no-op elsewhere).

    Parameters
    ----------
    path : path
        An existing file.

    Raises
    ------
    OutputError
        The file is locked, or cannot be read.
    """
    try:
        import fcntl
    except ImportError:  # Windows: an open file makes os.replace fail, handled there
        return
    try:
        with open(path, "rb") as fh:
            try:
                fcntl.lockf(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError as exc:
                raise OutputError(
                    f"{path} is locked by another program; close it and run again"
                ) from exc
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def is_staffing_workbook(path: str | os.PathLike) -> bool:
    """Whether ``path`` is an xlsx file carrying our custom document property.

    Parameters
    ----------
    path : path
        An existing file.

    Returns
    -------
    bool
        True when its ``docProps/custom.xml`` names :data:`GENERATOR_PROPERTY`.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("docProps/custom.xml")
        root = ElementTree.fromstring(xml)
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError):
        return False
    return any(prop.get("name") == GENERATOR_PROPERTY for prop in root)


def is_staffing_csv(path: str | os.PathLike) -> bool:
    """Whether ``path`` starts like an intervals CSV written by this program.

    Parameters
    ----------
    path : path
        An existing file.

    Returns
    -------
    bool
        True when it begins with :data:`INTERVALS_CSV_HEADER` (after an optional BOM).
    """
    return starts_with(path, INTERVALS_CSV_HEADER)


def starts_with(path: str | os.PathLike, header: str) -> bool:
    """Whether the text file ``path`` begins with ``header`` (after an optional UTF-8 BOM).

    Parameters
    ----------
    path : path
        An existing file.
    header : str
        The beginning a file written by this program has, e.g. its CSV header.

    Returns
    -------
    bool
        False also when the file cannot be read.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(header.encode()) + 3)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith(header.encode())


@contextlib.contextmanager
def atomic_replace(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path``; rename it over ``path`` on success.

    The caller writes the whole file to the yielded path. On success it is flushed to disk
    (fsync), given the mode of the file it replaces, renamed over ``path`` and the rename
    made durable (:func:`fsync_dir`). On any exception the temporary file is removed and
    ``path`` is left as it was.

    Parameters
    ----------
    path : path
        The target; missing parent folders are created.

    Yields
    ------
    Path
        An empty temporary file in the same folder (``.<name>.<random>.partial``).

    Raises
    ------
    OutputError
        A folder or file cannot be created, written or renamed (disk full, permissions,
        the target open in another program on Windows); the message names ``path``.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: cannot create its folder ({exc.strerror or exc})"
        ) from exc
    tmp = temp_beside(path)
    try:
        try:
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            if path.exists():
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            try:
                os.replace(tmp, path)
            except PermissionError as exc:
                raise OutputError(
                    f"cannot replace {path}: {exc.strerror or exc} (is it open in another program?)"
                ) from exc
        except OSError as exc:
            raise OutputError(describe_os_error(exc, path)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def temp_beside(path: str | os.PathLike) -> Path:
    """Create an empty, uniquely named file beside ``path`` with the default permissions.

    Parameters
    ----------
    path : path
        The final target; the temporary file is ``.<name>.<pid>-<8 hex digits>.partial`` in
        the same folder, so the final rename stays on one file system (leftovers of a
        process that no longer runs are removed first: :func:`remove_stale_temporaries`).

    Returns
    -------
    Path
        The new, empty file.

    Raises
    ------
    OutputError
        The folder is not writable, or no unused name was found.
    """
    path = Path(path)
    remove_stale_temporaries(path.parent)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"cannot write beside {path}: {exc.strerror or exc}") from exc
        os.close(fd)
        return tmp
    raise OutputError(f"cannot create a temporary file beside {path}")


#: Prefix of the folder a workbook's sheets write their rows to while it is built.
ROWS_FOLDER_PREFIX = ".staffing-rows-"


def temp_folder_beside(path: str | os.PathLike) -> Path:
    """Create a private folder beside ``path`` for the temporary files of its writer.

    Beside the target, not in the system's temporary folder: it fills the disk the output
    goes to, and a leftover of a killed run sits where the next run removes it
    (:func:`remove_stale_temporaries`).

    Parameters
    ----------
    path : path
        The final target.

    Returns
    -------
    Path
        The new, empty folder ``.staffing-rows-<pid>-<random>``; the caller removes it.

    Raises
    ------
    OutputError
        The folder cannot be created (naming it and the reason).
    """
    path = Path(path)
    remove_stale_temporaries(path.parent)
    for _ in range(100):
        folder = path.parent / f"{ROWS_FOLDER_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(describe_os_error(exc, folder)) from exc
        return folder
    raise OutputError(f"cannot create a temporary folder beside {path}")


def remove_stale_temporaries(directory: str | os.PathLike) -> list[Path]:
    """Remove the temporary files and folders that killed runs left in ``directory``.

    Only names this module makes (``.<name>.<pid>-<hex>.partial`` and
    ``.staffing-rows-<pid>-<hex>``) whose process no longer runs are removed: a write in
    progress in another process is never touched.

    Parameters
    ----------
    directory : path
        The folder of an output.

    Returns
    -------
    list of Path
        What was removed.
    """
    directory = Path(directory)
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for entry in directory.iterdir():
        name = entry.name
        if name.startswith(ROWS_FOLDER_PREFIX):
            tag = name[len(ROWS_FOLDER_PREFIX) :]
        elif name.startswith(".") and name.endswith(".partial"):
            tag = name[: -len(".partial")].rsplit(".", 1)[-1]
        else:
            continue
        pid_text = tag.split("-", 1)[0]
        if not pid_text.isdigit() or _process_runs(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
            removed.append(entry)
    return removed


def _process_runs(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's), or cannot tell: keep it
    return True


def describe_os_error(exc: OSError, path: str | os.PathLike) -> str:
    """One line saying what went wrong writing ``path``, naming a full disk as such.

    Parameters
    ----------
    exc : OSError
        The error.
    path : path
        The file or folder being written.

    Returns
    -------
    str
        E.g. ``cannot write out/plan.xlsx: the disk holding out is full (No space left on
        device)``.
    """
    path = Path(path)
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"cannot write {path}: the disk holding {path.parent} is full ({reason}); "
            "nothing was replaced"
        )
    return f"cannot write {path}: {reason}"


def fsync_dir(directory: str | os.PathLike) -> None:
    """Make a rename in ``directory`` durable where the platform allows opening a directory.

    Parameters
    ----------
    directory : path
        The folder that holds the renamed file; errors are ignored (Windows cannot open a
        folder, and the rename has already happened).
    """
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _open_count() -> int:
    """File descriptors this process has open now (Linux, macOS), else a generous guess."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        with contextlib.suppress(OSError):
            return len(os.listdir(folder))
    return 64


@contextlib.contextmanager
def open_files_allowed(count: int) -> Iterator[None]:
    """Let this process open ``count`` more files for the duration, or refuse up front.

    xlsxwriter's ``constant_memory`` mode keeps one temporary file open per worksheet until
    the workbook is closed, and offers no public way to close a finished sheet's file; its
    author's advice is to raise the open-file limit. So a workbook of hundreds of skill
    sheets raises this process's soft limit (``RLIMIT_NOFILE``) as far as it needs, never
    beyond the hard limit, and puts it back afterwards.

    Parameters
    ----------
    count : int
        Files about to be open at the same time on top of those open now.

    Yields
    ------
    None

    Raises
    ------
    OutputError
        The hard limit is too low (raise it with ``ulimit -n``, or plan fewer skills per
        workbook); raised before anything is written.
    """
    try:
        import resource
    except ImportError:  # Windows: the C runtime allows 8192 open files
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = _open_count() + int(count)
    if soft == resource.RLIM_INFINITY or wanted <= soft:
        yield
        return
    if hard != resource.RLIM_INFINITY and wanted > hard:
        raise OutputError(
            f"this workbook needs about {wanted} open files at once (one per sheet) but the "
            f"limit is {hard}; raise it (ulimit -n {wanted}) or plan fewer skills per workbook"
        )
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError) as exc:
        raise OutputError(
            f"this workbook needs about {wanted} open files at once (one per sheet) but the "
            f"limit is {soft} and cannot be raised: {exc}"
        ) from exc
    try:
        yield
    finally:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
