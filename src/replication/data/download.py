"""Fetch the official CIFAR-10 archive (``cifar-10-python.tar.gz``) into the data folder, atomically.

The archive is streamed to a temporary file beside its destination while its md5 is computed; only a complete file
with the published md5 is renamed into place. Any failure (HTTP error, refused connection, timeout, a body cut
short, a wrong md5, Ctrl-C) removes the temporary file, so nothing half-written is ever left where
:func:`replication.data.cifar10_location` would find it.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from replication.core.validation import check_positive
from replication.data.cifar10 import CIFAR10_ARCHIVE, CIFAR10_ARCHIVE_MD5
from replication.data.integrity import ChecksumError, DatasetNotFoundError, data_dir, file_digest

__all__ = ["CIFAR10_URL", "CIFAR10_URL_ENV", "cifar10_url", "download_cifar10"]

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_URL_ENV = "REPLICATION_CIFAR10_URL"
_BLOCK = 1 << 16


def cifar10_url(url: str | None = None) -> str:
    """The URL to fetch from: ``url``, else ``$REPLICATION_CIFAR10_URL`` (a mirror), else the official one."""
    url = url or os.environ.get(CIFAR10_URL_ENV) or CIFAR10_URL
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"url={url!r} must be an http:// or https:// URL (set {CIFAR10_URL_ENV} to a mirror).")
    return url


def _target(dest: str | os.PathLike | None) -> Path:
    """``dest`` names the archive itself when it ends in .tar.gz/.tgz, otherwise the folder to put it in."""
    if dest is None:
        return data_dir() / CIFAR10_ARCHIVE
    p = Path(dest).expanduser()
    return p if p.name.endswith((".tar.gz", ".tgz")) else p / CIFAR10_ARCHIVE


def _fix() -> str:
    return (
        f"Fix: retry later, set {CIFAR10_URL_ENV} to a mirror of {CIFAR10_ARCHIVE}, or download it yourself and "
        "set REPLICATION_CIFAR10 to it. Without it the CIFAR chapters run on their stand-in."
    )


def _progress_bar(total: int | None, enabled: bool, label: str):
    """A tqdm bar on stderr, or ``None`` when disabled or tqdm is not installed."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label, file=sys.stderr, leave=False)


def _stream(response, out, label: str, progress: bool) -> tuple[str, int, int | None]:
    """Copy ``response`` into ``out``; return (md5, bytes written, Content-Length or None)."""
    length = response.headers.get("Content-Length")
    expected = int(length) if length and length.isdigit() else None
    digest = hashlib.md5()
    written = 0
    bar = _progress_bar(expected, progress, label)
    try:
        while block := response.read(_BLOCK):
            out.write(block)
            digest.update(block)
            written += len(block)
            if bar is not None:
                bar.update(len(block))
    finally:
        if bar is not None:
            bar.close()
    return digest.hexdigest(), written, expected


def download_cifar10(
    dest: str | os.PathLike | None = None,
    url: str | None = None,
    *,
    timeout: float = 30.0,
    progress: bool = True,
    md5: str = CIFAR10_ARCHIVE_MD5,
) -> Path:
    """Fetch ``cifar-10-python.tar.gz`` and return its path.

    ``dest``: the folder to put it in (default :func:`~replication.data.data_dir`), or the archive's own path when
    it ends in ``.tar.gz``. ``url``: default ``$REPLICATION_CIFAR10_URL``, else the official URL. ``timeout``: seconds
    to wait for the connection and for each read. ``md5``: the digest the file must have (the published one; tests
    pass another). An existing file with that md5 is returned without a download; one with another md5 is replaced.
    On any failure nothing new is left on disk and :class:`DatasetNotFoundError` (cannot fetch) or
    :class:`ChecksumError` (fetched, but not the published file) says what went wrong and what to do.
    """
    check_positive("timeout", timeout)
    url = cifar10_url(url)
    target = _target(dest)
    if target.is_file() and file_digest(target, "md5") == md5:
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DatasetNotFoundError(f"cannot create {target.parent} for CIFAR-10 ({err}). {_fix()}") from err
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{CIFAR10_ARCHIVE}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    actual, written, expected = _stream(response, out, CIFAR10_ARCHIVE, progress)
            except urllib.error.HTTPError as err:
                raise DatasetNotFoundError(
                    f"could not download CIFAR-10 from {url}: HTTP {err.code} {err.reason}. {_fix()}"
                ) from err
            except urllib.error.URLError as err:
                raise DatasetNotFoundError(f"could not download CIFAR-10 from {url}: {err.reason}. {_fix()}") from err
            except (OSError, http.client.HTTPException) as err:  # timeouts, resets, a body cut short
                what = f"no data for {timeout:g} s" if isinstance(err, TimeoutError) else f"{type(err).__name__}: {err}"
                raise DatasetNotFoundError(
                    f"could not download CIFAR-10 from {url}: the transfer broke off ({what}). {_fix()}"
                ) from err
            if expected is not None and written != expected:
                raise DatasetNotFoundError(
                    f"could not download CIFAR-10 from {url}: got {written} of {expected} bytes. {_fix()}"
                )
            out.flush()
            os.fsync(out.fileno())
        if actual != md5:
            raise ChecksumError(
                f"the file downloaded from {url} has md5 {actual}, expected {md5}: it is not the published "
                f"{CIFAR10_ARCHIVE} (a broken mirror or a page in its place), so it was deleted. {_fix()}"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
