# Backprop Lab's app image: the wheel built from this checkout (catalogs compiled, migrations
# inside) on python:3.11-slim, run by an unprivileged user; the same image serves the web
# (gunicorn, the default command), migrates (flask --app wsgi db upgrade) and runs the job
# worker (flask --app wsgi worker). compose.yaml puts them together; README "Scale-out".

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md wsgi.py ./
COPY tracer tracer
COPY exercises exercises
COPY migrations migrations
# setup.py's build step compiles the translation catalogs (Babel) and packs migrations/.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
# The versions CI ran with (make lock), then the app itself without re-resolving them.
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock && rm /tmp/requirements.lock
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin backprop
WORKDIR /app
COPY gunicorn.conf.py /app/gunicorn.conf.py
USER backprop
EXPOSE 8000
# Configuration comes from the environment (DATABASE_URL, SECRET_KEY, REDIS_URL, ...): nothing
# is written to the image's filesystem, so it may run read-only (compose.yaml does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py", "wsgi:app"]
