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

COPY . /src
# The pinned contexts are fetched once, at build time, and checked against the manifest's
# digests; the running service never fetches a context.
RUN pip install --no-cache-dir /src \
    && vcservice contexts install \
    && rm -rf /src

USER vcservice
WORKDIR /var/lib/vcservice
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
ENTRYPOINT ["vcservice"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
