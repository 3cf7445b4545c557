# KaTeX for the web pages, from the npm registry, pinned by web/package-lock.json.
FROM node:22-slim AS katex
WORKDIR /build
COPY web/package.json web/package-lock.json web/
RUN npm ci --prefix web --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim
WORKDIR /srv/dlgrade
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
COPY . .
COPY --from=katex /build/web/node_modules/katex/dist web/node_modules/katex/dist
# The CPU build of torch by default: the grader needs no CUDA libraries. A GPU worker's image
# is built with other pip arguments for torch (compose.yaml), and a machine that cannot reach
# the index passes its own (.ci/container.sh).
ARG TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
RUN make .venv/.installed TORCH_PIP_ARGS="$TORCH_PIP_ARGS"
# The service runs as its own user, who may write only the data directory.
RUN useradd --system --uid 10001 --no-create-home dlgrade \
    && mkdir -p /srv/dlgrade/data \
    && chown dlgrade /srv/dlgrade/data
USER dlgrade
# The user has no home: the derivation cache is kept in the data volume, and matplotlib
# writes its configuration under /tmp.
ENV DLGRADE_HOST=0.0.0.0 \
    DLGRADE_PORT=8000 \
    DLGRADE_DATA_DIR=/srv/dlgrade/data \
    DLGRADE_CACHE_DIR=/srv/dlgrade/data/cache \
    MPLCONFIGDIR=/tmp/matplotlib \
    PYTHONUNBUFFERED=1
VOLUME /srv/dlgrade/data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['DLGRADE_PORT'] + '/healthz', timeout=4)"]
# make passes SIGTERM on to the server, which finishes the requests in flight before it exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["make", "run"]
