"""The command line's output: stdout and stderr that never raise a traceback (a closed pipe, a
full disk), and files written atomically (complete or not at all, never the input file).
"""

from __future__ import annotations

import os
import stat
import sys

from ..errors import S2sadError


def print_error(text: str) -> None:
    if sys.stderr is None:  # closed (2>&-): print would fall back to stdout
        return
    try:
        print(text, file=sys.stderr)
    except OSError:  # stderr itself is gone: the exit status still says it
        pass


def print_out(text: str, encoding: str | None) -> int:
    """Write to stdout; a full disk or a closed pipe is reported (or ignored), never a traceback."""
    if sys.stdout is None:  # closed (>&-)
        print_error("s2sad: error: cannot write to standard output: it is closed")
        return 2
    try:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a replaced stdout (tests, IDEs): text only
            sys.stdout.write(text)
        else:
            sys.stdout.flush()
            buffer.write(text.encode(encoding or sys.stdout.encoding or "utf-8", "backslashreplace"))
        sys.stdout.flush()
        return 0
    except BrokenPipeError:  # the reader stopped reading (| head): nothing to report
        _silence_stdout()
        return 1
    except OSError as exc:
        _silence_stdout()
        print_error(f"s2sad: error: cannot write to standard output: {exc.strerror or exc}")
        return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def refuse_input_as_output(source: str, output: str) -> None:
    """`-o` must not name the function's own file (also through a symlink, a hard link or `..`)."""
    try:
        same = os.path.samefile(source, output)
    except (OSError, ValueError):  # the output does not exist yet (or cannot be stat'ed: writing says why)
        same = False
    if same:
        raise S2sadError(f"refusing to write {output}: it is the input file {source}; choose another -o")


def write_atomically(path: str, text: str | bytes) -> None:
    """Write `text` to `path` (through a symlink) by renaming a complete temporary file over it.

    A new file gets the mode `open` would give it (0o666 less the umask); a
    replaced file keeps its mode (and owner and group where allowed). On any
    failure nothing but the old file is left.
    What is not a regular file (/dev/null, a named pipe) is written into, as `>` would.
    """
    try:
        target = os.path.realpath(path)
    except OSError as exc:  # a relative path without a current directory
        raise S2sadError(f"cannot write {path}: {exc.strerror or exc}") from None
    data = text.encode("utf-8") if isinstance(text, str) else text
    if os.path.isdir(target):
        raise S2sadError(f"cannot write {path}: it is a directory")
    try:
        st = os.stat(target)
        mode: int | None = stat.S_IMODE(st.st_mode)
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise S2sadError(f"cannot write {path}: {exc.strerror}") from None
    if mode is not None and not stat.S_ISREG(st.st_mode):  # /dev/null, a pipe: write into it, never replace it
        try:
            with open(target, "wb") as fh:
                fh.write(data)
            return
        except OSError as exc:
            raise S2sadError(f"cannot write {path}: {exc.strerror or exc}") from None
    import secrets  # here: its import (hashlib, random) costs more than generating a small function

    folder = os.path.dirname(target)
    while True:
        tmp = os.path.join(folder, f".s2sad-{secrets.token_hex(6)}.tmp")
        try:  # mode 0o666: the kernel applies the umask, as for any new file
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise S2sadError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is not None:
                try:  # the replaced file's owner and group, where allowed (a group of one's own, or root)
                    os.chown(tmp, st.st_uid, st.st_gid)
                except OSError:
                    pass
                os.chmod(tmp, mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise S2sadError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise

