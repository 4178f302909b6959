"""gunicorn settings for Backprop Lab (`gunicorn -c gunicorn.conf.py wsgi:app`), from the environment.

| variable | default | meaning |
|---|---|---|
| `BIND` | `0.0.0.0:8000` | address and port |
| `WEB_CONCURRENCY` | `2 × cores + 1`, at most 8 | worker processes |
| `GUNICORN_THREADS` | `4` | threads per worker (gthread): `/healthz` answers while one streams a trace |
| `GUNICORN_TIMEOUT` | `60` | seconds a request may run before its worker is restarted |
| `LOG_FORMAT` | `text` | `json` writes every line, access lines too, as one JSON object |

Long work (publishing, regrading, pool top-ups) runs in the job queue, not in a request, so the
timeout bounds only a request's own work: the largest trace a token may ask for (10⁶ rows).
Keep `WORKERS × THREADS × servers` within `DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW` per
worker and PostgreSQL's `max_connections` (README, Configuration).
"""
import multiprocessing
import os


def _whole(name: str, default: int) -> int:
    value = int(os.environ.get(name) or default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = _whole("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "gthread"
threads = _whole("GUNICORN_THREADS", 4)
timeout = _whole("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, so not all at once): a slow leak
# cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Every line (gunicorn's own, access lines) in LOG_FORMAT, access lines with the request id.
logger_class = "exercises.logs.GunicornLogger"
# X-Forwarded-* are the app's business (ProxyFix with TRUSTED_PROXIES), not gunicorn's.
secure_scheme_headers: dict = {}
# gunicorn ≥ 25.1's control socket would be written under $HOME, shared by every server on a
# machine and impossible on a read-only filesystem; nothing here uses it.
control_socket_disable = True
