"""download_cifar10 against a local HTTP server on 127.0.0.1 (no other network): atomic, md5-checked, and every
failure leaves nothing behind."""

import hashlib
import http.server
import threading
import time
from pathlib import Path

import pytest

from replication import data
from replication.data import cifar10_location, download_cifar10

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cifar10" / "cifar-10-python.tar.gz"
ARCHIVE = FIXTURE.read_bytes()
FIXTURE_MD5 = hashlib.md5(ARCHIVE).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    """``/cifar.tar.gz``: the fixture; ``/short.tar.gz``: announces more bytes than it sends, then closes;
    ``/slow.tar.gz``: stalls mid-body; anything else: 404. Every request is counted on the server."""

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path == "/cifar.tar.gz":
            self.send_response(200)
            self.send_header("Content-Length", str(len(ARCHIVE)))
            self.end_headers()
            self.wfile.write(ARCHIVE)
        elif self.path == "/short.tar.gz":
            self.send_response(200)
            self.send_header("Content-Length", str(len(ARCHIVE)))
            self.end_headers()
            self.wfile.write(ARCHIVE[: len(ARCHIVE) // 3])
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/slow.tar.gz":
            self.send_response(200)
            self.send_header("Content-Length", str(len(ARCHIVE)))
            self.end_headers()
            self.wfile.write(ARCHIVE[:1000])
            self.wfile.flush()
            time.sleep(1.5)  # longer than the client's timeout
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server(monkeypatch):
    """A server on 127.0.0.1 (port 0: any free one), with proxies bypassed so no request leaves the machine."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.delenv("REPLICATION_CIFAR10_URL", raising=False)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.requests = []
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_fixture_archive_is_refused_for_its_md5_and_leaves_nothing(server, tmp_path):
    with pytest.raises(data.ChecksumError, match=rf"md5 {FIXTURE_MD5}.*not the published.*REPLICATION_CIFAR10"):
        download_cifar10(tmp_path, f"{server.base}/cifar.tar.gz", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_fixture_archive_with_its_own_md5_lands_atomically_and_loads(server, tmp_path):
    got = download_cifar10(tmp_path / "sub", f"{server.base}/cifar.tar.gz", progress=False, md5=FIXTURE_MD5)
    assert got == tmp_path / "sub" / "cifar-10-python.tar.gz"
    assert got.read_bytes() == ARCHIVE and [p.name for p in got.parent.iterdir()] == [got.name]
    ds = data.load_cifar10("test", got, verify_checksum=False)
    assert ds.name == "cifar10" and ds.images.shape[1:] == (32, 32, 3)


def test_http_404_names_the_url_and_leaves_nothing(server, tmp_path):
    url = f"{server.base}/missing.tar.gz"
    with pytest.raises(data.DatasetNotFoundError, match=rf"{url}: HTTP 404.*REPLICATION_CIFAR10_URL"):
        download_cifar10(tmp_path, url, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_connection_closed_mid_body_leaves_nothing(server, tmp_path):
    with pytest.raises(data.DatasetNotFoundError, match="short.tar.gz"):
        download_cifar10(tmp_path, f"{server.base}/short.tar.gz", progress=False, md5=FIXTURE_MD5)
    assert list(tmp_path.iterdir()) == []


def test_timeout_leaves_nothing(server, tmp_path):
    with pytest.raises(data.DatasetNotFoundError, match="no data for 0.3 s"):
        download_cifar10(tmp_path, f"{server.base}/slow.tar.gz", timeout=0.3, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_refused_connection_leaves_nothing(server, tmp_path):
    port = server.server_address[1]
    server.shutdown()
    server.server_close()  # nothing listens on the port any more
    with pytest.raises(data.DatasetNotFoundError, match="could not download CIFAR-10"):
        download_cifar10(tmp_path, f"http://127.0.0.1:{port}/cifar.tar.gz", timeout=2, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_mirror_from_the_environment_is_honoured(server, tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_CIFAR10_URL", f"{server.base}/cifar.tar.gz")
    got = download_cifar10(tmp_path, progress=False, md5=FIXTURE_MD5)
    assert got.read_bytes() == ARCHIVE and server.requests == ["/cifar.tar.gz"]


def test_good_file_is_kept_and_bad_file_replaced(server, tmp_path):
    url = f"{server.base}/cifar.tar.gz"
    target = tmp_path / "cifar-10-python.tar.gz"
    target.write_bytes(b"not an archive")
    assert download_cifar10(tmp_path, url, progress=False, md5=FIXTURE_MD5) == target
    assert target.read_bytes() == ARCHIVE and len(server.requests) == 1
    assert download_cifar10(target, url, progress=False, md5=FIXTURE_MD5) == target
    assert len(server.requests) == 1  # the good copy was not fetched again


def test_progress_bar_goes_to_stderr(server, tmp_path, capsys):
    download_cifar10(tmp_path, f"{server.base}/cifar.tar.gz", md5=FIXTURE_MD5)
    out, err = capsys.readouterr()
    assert out == "" and "cifar-10-python.tar.gz" in err


def test_only_http_urls(tmp_path):
    with pytest.raises(ValueError, match="http:// or https://"):
        download_cifar10(tmp_path, "file:///etc/passwd", progress=False)


def test_cifar10_location_finds_the_downloaded_archive(server, tmp_path, monkeypatch):
    monkeypatch.setenv("REPLICATION_DATA", str(tmp_path))
    monkeypatch.delenv("REPLICATION_CIFAR10", raising=False)
    assert cifar10_location() is None
    got = download_cifar10(url=f"{server.base}/cifar.tar.gz", progress=False, md5=FIXTURE_MD5)
    assert got == tmp_path / "cifar-10-python.tar.gz" and cifar10_location() == got
    monkeypatch.setenv("REPLICATION_CIFAR10", str(FIXTURE.parent))  # an explicit location still comes first
    assert cifar10_location() == FIXTURE.parent / "cifar-10-batches-py"
