"""Fetch the official CIFAR-10 archive (``cifar-10-python.tar.gz``) into the data folder, atomically, through pooch.

``pooch.retrieve`` streams the archive to a temporary file beside its destination, checks its md5 and only then
moves it into place; any failure (HTTP error, refused connection, timeout, a body cut short, a wrong md5, Ctrl-C)
deletes the temporary file, so nothing half-written is ever left where :func:`replication.data.cifar10_location`
would find it. This module turns pooch's and requests' exceptions into :class:`DatasetNotFoundError` or
:class:`ChecksumError` with the URL and what to do.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import urllib.parse
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


def _progress_bar(enabled: bool, label: str):
    """A tqdm bar on stderr named ``label`` (pooch sets its total), or ``False`` when disabled or without tqdm."""
    if not enabled:
        return False
    try:
        from tqdm import tqdm
    except ImportError:
        return False
    # total=1 until pooch sets the real one: pooch tests the bar's truth, which tqdm refuses without a total
    return tqdm(total=1, unit="B", unit_scale=True, unit_divisor=1024, desc=label, file=sys.stderr, leave=False)


def _fetch_error(err: Exception, url: str, timeout: float) -> DatasetNotFoundError:
    """requests' exception as the sentence a reader needs: which URL, what broke, what to do."""
    import requests

    if isinstance(err, requests.HTTPError) and err.response is not None:
        what = f"HTTP {err.response.status_code} {err.response.reason}"
    elif isinstance(err, (requests.ConnectTimeout, requests.ReadTimeout)) or "timed out" in str(err):
        what = f"the transfer broke off (no data for {timeout:g} s)"
    elif isinstance(err, requests.exceptions.ChunkedEncodingError):
        what = f"the transfer broke off ({err})"
    else:
        what = f"{type(err).__name__}: {err}"
    return DatasetNotFoundError(f"could not download CIFAR-10 from {url}: {what}. {_fix()}")


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
    import pooch
    import requests

    bar = _progress_bar(progress, CIFAR10_ARCHIVE)
    downloader = pooch.HTTPDownloader(progressbar=bar, chunk_size=_BLOCK, timeout=timeout)
    logger, level = pooch.get_logger(), pooch.get_logger().level
    logger.setLevel(logging.WARNING)  # pooch would print "Downloading data from …" with the machine's paths
    try:
        got = pooch.retrieve(url, f"md5:{md5}", fname=target.name, path=target.parent, downloader=downloader)
    except requests.RequestException as err:
        raise _fetch_error(err, url, timeout) from err
    except ValueError as err:  # pooch: the md5 does not match (the download is already deleted)
        actual = re.search(r"but got (\w+)", str(err))
        raise ChecksumError(
            f"the file downloaded from {url} has md5 {actual.group(1) if actual else 'another'}, expected {md5}: it "
            f"is not the published {CIFAR10_ARCHIVE} (a broken mirror or a page in its place), so it was deleted. "
            f"{_fix()}"
        ) from err
    finally:
        logger.setLevel(level)
        if bar is not False:
            bar.close()
    os.chmod(got, 0o644)
    return Path(got)
