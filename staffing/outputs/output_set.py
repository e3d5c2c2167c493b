"""The files of one run replaced together, or not at all.

:func:`replace_together` yields an :class:`OutputSet`. Each writer writes its file to a
temporary file beside the target (:meth:`OutputSet.stage`); only when every file of the run
is written are they all renamed over their targets (:meth:`OutputSet.commit`). An error or
a Ctrl-C while the files are written removes the temporary files and leaves every previous
file as it was; the exception's message then says so, naming the files kept and the new
ones not written. Should a rename itself fail (a file opened by another program in the
second between the checks and the renames, on Windows), the message names exactly which
files were replaced and which kept.

A target may also be kept as a backup before it is replaced (:meth:`OutputSet.keep`): a
hard link (or copy) of the previous file under another name, made before any rename, as
the workbook writer does with a workbook a planner edited
(:mod:`staffing.outputs.workbook_edits`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from staffing.errors import OutputError, StaffingError
from staffing.outputs.safety import atomic_replace, describe_os_error, fsync_dir, temp_beside

__all__ = ["OutputSet", "WrittenFiles", "replace_together", "staged_write"]


class WrittenFiles(list[Path]):
    """The files a run wrote (a list of Path), with notes for the planner.

    Parameters
    ----------
    paths : iterable of Path
        The files written.
    notes : list of str, optional
        What the planner should know about them (an edited workbook kept as a backup).
    """

    def __init__(self, paths: Iterable[Path] = (), notes: list[str] | None = None) -> None:
        super().__init__(paths)
        self.notes: list[str] = list(notes or [])


class OutputSet:
    """The temporary files of one run, renamed over their targets together at the end.

    Parameters
    ----------
    targets : sequence of path, optional
        Every file (or plots folder) the run means to write, for the message of an
        interrupted run: those not written yet are named too.
    """

    def __init__(self, targets: Sequence[str | os.PathLike] = ()) -> None:
        self._declared = [Path(t) for t in targets]
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target)
        self._keep: dict[Path, Path] = {}  # target -> backup name
        self.current: Path | None = None  # the file being written now
        #: What the planner should know about the files (an edited workbook kept).
        self.notes: list[str] = []

    @property
    def targets(self) -> list[Path]:
        """Every target, declared or staged, each once, in the order given."""
        return list(dict.fromkeys([*self._declared, *(t for _, t in self._staged)]))

    @property
    def backups(self) -> dict[Path, Path]:
        """Targets kept as a backup before being replaced: target -> backup path."""
        return dict(self._keep)

    @contextlib.contextmanager
    def stage(self, path: str | os.PathLike) -> Iterator[Path]:
        """Yield a fresh temporary file beside ``path``, renamed over it at :meth:`commit`.

        Parameters
        ----------
        path : path
            The target; missing parent folders are created.

        Yields
        ------
        Path
            An empty temporary file in the same folder (``.<name>.<pid>-<hex>.partial``);
            the caller writes the whole file to it. It is flushed to disk on success and
            removed with the others when the run fails.

        Raises
        ------
        OutputError
            The folder or the temporary file cannot be created or written; the message
            names ``path``.
        """
        path = Path(path)
        self.current = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"cannot write {path}: cannot create its folder ({exc.strerror or exc})"
            ) from exc
        tmp = temp_beside(path)
        self._staged.append((tmp, path))
        try:
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        except OSError as exc:
            raise OutputError(describe_os_error(exc, path)) from exc
        self.current = None

    def keep(self, target: str | os.PathLike, backup: str | os.PathLike) -> None:
        """Keep the present ``target`` as ``backup`` before the new file replaces it.

        Parameters
        ----------
        target : path
            An existing target of this set.
        backup : path
            Where the previous file stays (a hard link where the file system allows it,
            else a copy), made at :meth:`commit` before any rename.
        """
        self._keep[Path(target)] = Path(backup)

    def commit(self) -> list[Path]:
        """Rename every temporary file over its target, after making the backups.

        Returns
        -------
        list of Path
            The targets, in the order they were declared (``targets``), then those staged
            without being declared in the order they were staged: a file written in a
            thread beside another (the intervals CSV beside the workbook) is still
            renamed in its place.

        Raises
        ------
        OutputError
            A backup or a rename failed: the message names the files replaced and the
            files kept. A KeyboardInterrupt during the renames gets the same text.
        """
        done: list[Path] = []
        failing = Path(".")
        try:
            for target, backup in self._keep.items():
                failing = backup
                _link_or_copy(target, backup)
            order = {target: i for i, target in enumerate(self._declared)}
            staged = sorted(self._staged, key=lambda pair: order.get(pair[1], len(order)))
            for tmp, target in staged:
                failing = target
                if target.exists():
                    os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
                os.replace(tmp, target)
                done.append(target)
        except BaseException as exc:
            self.discard(replaced=done)
            if isinstance(exc, OSError):
                reason = describe_os_error(exc, failing)
                if isinstance(exc, PermissionError):
                    reason += " (is it open in another program?)"
                raise OutputError(f"{reason}; {self.state(done)}") from exc
            _tell(exc, self.state(done))
            raise
        for folder in dict.fromkeys(t.parent for t in done):
            fsync_dir(folder)
        return done

    def discard(self, replaced: Sequence[Path] = ()) -> None:
        """Remove the temporary files not renamed, and the backups of targets kept.

        Parameters
        ----------
        replaced : sequence of Path
            Targets already replaced (their backups stay).
        """
        for tmp, _ in self._staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        for target, backup in self._keep.items():
            if target not in replaced:
                with contextlib.suppress(OSError):
                    backup.unlink()

    def state(self, replaced: Sequence[Path] = ()) -> str:
        """What an interrupted run leaves: the files replaced, kept and not written.

        Parameters
        ----------
        replaced : sequence of Path
            Targets already renamed into place (none while the files are being written).

        Returns
        -------
        str
            E.g. ``nothing was replaced; kept as they were: out/a.xlsx, out/a-intervals.csv;
            not written (new files): out/a-shifts.csv``.
        """
        kept = [t for t in self.targets if t not in replaced and t.exists()]
        new = [t for t in self.targets if t not in replaced and not t.exists()]
        parts = [
            f"replaced with the new files: {_names(replaced)}"
            if replaced
            else "nothing was replaced"
        ]
        if kept:
            parts.append(f"kept as they were: {_names(kept)}")
        if new:
            parts.append(f"not written (new files): {_names(new)}")
        return "; ".join(parts)


@contextlib.contextmanager
def replace_together(targets: Sequence[str | os.PathLike] = ()) -> Iterator[OutputSet]:
    """Yield an :class:`OutputSet`; rename all its files when the block ends without error.

    Parameters
    ----------
    targets : sequence of path, optional
        Every file the run means to write (named in the message of an interrupted run).

    Yields
    ------
    OutputSet
        Stage every file in it (:meth:`OutputSet.stage`, :func:`staged_write`).

    Raises
    ------
    BaseException
        What the block raised, after every temporary file was removed; a KeyboardInterrupt
        or a staffing error gets the state of the files in its message
        (:meth:`OutputSet.state`), any other exception as a note.
    """
    files = OutputSet(targets)
    try:
        yield files
    except BaseException as exc:
        files.discard()
        where = f"while writing {files.current}: " if files.current is not None else ""
        _tell(exc, where + files.state())
        raise
    files.commit()


def staged_write(
    files: OutputSet | None, path: str | os.PathLike
) -> contextlib.AbstractContextManager:
    """The temporary file to write ``path`` to: in ``files``, or replaced alone.

    Parameters
    ----------
    files : OutputSet or None
        The run's set; None: the file is replaced on its own at once
        (:func:`staffing.outputs.safety.atomic_replace`).
    path : path
        The target.

    Returns
    -------
    context manager
        Yields the temporary path to write.
    """
    return files.stage(path) if files is not None else atomic_replace(path)


def _tell(exc: BaseException, state: str) -> None:
    """Put what became of the files into the exception's message (or a note)."""
    if isinstance(exc, KeyboardInterrupt):
        exc.args = (f"{exc.args[0]}; {state}" if exc.args else state,)
    elif isinstance(exc, StaffingError) and exc.args and isinstance(exc.args[0], str):
        exc.args = (f"{exc.args[0]}; {state}", *exc.args[1:])
    else:
        exc.add_note(state)


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(str(p) for p in paths)


def _link_or_copy(source: Path, backup: Path) -> None:
    try:
        os.link(source, backup)
    except OSError:
        shutil.copy2(source, backup)
