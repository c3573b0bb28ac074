# vcservice: one image for the issuer, holder and verifier roles (`vcservice serve --role …`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VCSERVICE_CONTEXT_STORE=/opt/vcservice/contexts \
    VCSERVICE_DATA_DIR=/var/lib/vcservice \
    VCSERVICE_DEV_MODE=false

RUN useradd --system --home-dir /var/lib/vcservice --shell /usr/sbin/nologin vcservice \
    && mkdir -p /var/lib/vcservice /opt/vcservice \
    && chown vcservice /var/lib/vcservice

# Exactly the versions of uv.lock (hash-checked), through the pinned uv, into one venv; the
# project itself as a regular (non-editable) install, with the PKCS#11 extra for HSMs.
ENV UV_PROJECT_ENVIRONMENT=/opt/vcservice/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/vcservice/venv/bin:$PATH
COPY . /src
# The pinned contexts are fetched once, at build time, and checked against the manifest's
# digests; the running service never fetches a context.
RUN pip install --no-cache-dir --require-hashes --no-deps -r /src/scripts/uv-requirements.txt \
    && cd /src \
    && uv sync --locked --no-editable --no-cache --extra hsm \
    && pip uninstall --yes uv \
    && vcservice contexts install \
    && cd / && rm -rf /src

USER vcservice
WORKDIR /var/lib/vcservice
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
ENTRYPOINT ["vcservice"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
