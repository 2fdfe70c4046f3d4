"""gunicorn settings for bin/serve-production, from the environment.

PORT or GUNICORN_BIND   where to listen (default 127.0.0.1:8000: the TLS proxy sits in front)
WEB_CONCURRENCY         worker processes (default 2 × cores + 1, at most 8)
GUNICORN_TIMEOUT        seconds a request may take before its worker is replaced (default 60)
FORWARDED_ALLOW_IPS     proxies whose X-Forwarded-* headers gunicorn trusts (default 127.0.0.1)
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced after about a thousand requests, so slow leaks cannot grow for ever.
max_requests = 1000
max_requests_jitter = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
