"""A local stand-in for DaData's findById/party (https://dadata.ru/api/find-party/): a real HTTP server on a free
port answering with the documented shapes. Tests register an answer per INN; unknown INNs get an empty list."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH = "/suggestions/api/4_1/rs/findById/party"
KEY = "test-dadata-key"


def party(
    inn: str, *, kpp="770101001", status="ACTIVE", liquidation_date=None, kind="LEGAL", **names
) -> dict:
    """One suggestion as DaData gives it (the fields Orbit reads, and some it does not)."""
    full = names.get("full", 'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "РОМАШКА"')
    short = names.get("short", 'ООО "РОМАШКА"')
    return {
        "value": short,
        "unrestricted_value": full,
        "data": {
            "kpp": kpp if kind == "LEGAL" else None,
            "capital": None,
            "management": {
                "name": "Иванов Иван Иванович",
                "post": "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР",
                "disqualified": None,
            }
            if kind == "LEGAL"
            else None,
            "branch_type": "MAIN",
            "type": kind,
            "opf": {
                "type": "2014",
                "code": "12300",
                "full": "Общество с ограниченной ответственностью",
                "short": "ООО",
            },
            "name": {"full_with_opf": full, "short_with_opf": short, "full": "РОМАШКА", "short": "РОМАШКА"},
            "inn": inn,
            "ogrn": "1027700132195",
            "okpo": None,
            "okved": "62.01",
            "state": {
                "status": status,
                "code": None,
                "actuality_date": 1_700_000_000_000,
                "registration_date": 1_000_000_000_000,
                "liquidation_date": liquidation_date,
            },
            "address": {
                "value": "г Москва, ул Тверская, д 1",
                "unrestricted_value": "125009, г Москва, Тверской р-н, ул Тверская, д 1",
                "data": {"postal_code": "125009", "city": "Москва"},
            },
        },
    }


class FakeDaData:
    def __init__(self):
        self.answers: dict[str, tuple[int, object, float]] = {}  # INN -> (HTTP status, body, delay s)
        self.seen: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if self.path != PATH or self.headers.get("Authorization") != f"Token {KEY}":
                    status, answer, delay = 403, {"detail": "Forbidden"}, 0.0
                else:
                    status, answer, delay = fake.answers.get(
                        body.get("query"), (200, {"suggestions": []}, 0.0)
                    )
                time.sleep(delay)
                data = json.dumps(answer, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{PATH}"

    def answer(self, inn: str, *suggestions: dict, status: int = 200, delay: float = 0.0, body=None) -> None:
        self.answers[inn] = (status, body if body is not None else {"suggestions": list(suggestions)}, delay)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
