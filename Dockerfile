# Focus Meditation Agent: a multi-stage image.
#   builder  installs the pinned requirements into /opt/venv, installs the project, then
#            trains and gates the model (a failing quality gate fails the build); it trusts
#            the build machine's extra CA certificates (BUILD_CA_CERTS) for pip, and carries
#            the label the build removes it by (BUILD_ID), so no untagged image stays behind;
#   runtime  the venv, the trained artifact, the dataset that seeds the journal and the
#            Gunicorn config, run by a numeric non-root user; works with --read-only --tmpfs /tmp.
#            It starts again from the base: no build-time CA certificate reaches it.
#            The journal (SQLite) lives in /app/instance: mount a volume there to keep it
#            (docker run -v focus-journal:/app/instance ...), or set DATABASE_URL to PostgreSQL.
#            Where else it writes: /tmp (the metrics of every worker, PROMETHEUS_MULTIPROC_DIR)
#            and /dev/shm (Gunicorn's heartbeats); both in memory, see deploy/k8s/.
# Build:  make image   (or: docker build -t focus-meditation-agent:dev .)
# PYTHON_IMAGE lets air-gapped machines point every stage at a mirror or a local base.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# The build machine's extra CA certificates (PEM text, e.g. a proxy's), which pip needs to reach
# the package index there: trusted in this stage only.
ARG BUILD_CA_CERTS=""
RUN if [ -n "$BUILD_CA_CERTS" ]; then \
        printf '%s\n' "$BUILD_CA_CERTS" > /usr/local/share/ca-certificates/build-extra.crt \
        && update-ca-certificates \
        && printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > /etc/pip.conf; \
    fi

RUN python3 -m venv /opt/venv

WORKDIR /src

# Requirements first: this layer is rebuilt only when requirements.txt changes. The libraries'
# own test suites (about 100 MB, never imported) are dropped.
COPY requirements.txt ./
RUN pip install -r requirements.txt \
    && find /opt/venv/lib -depth -type d -name tests -path '*/site-packages/*' \
        -exec rm -rf {} +

# The project's code: app/, model/ and store/ only (the delivery tool drives builds from
# outside and is not shipped, so its console script goes too). pip is not needed at run time.
COPY setup.cfg pyproject.toml README.md ./
COPY app/ app/
COPY model/ model/
COPY store/ store/
RUN pip install --no-deps . \
    && rm -f /opt/venv/bin/focus-delivery \
    && python -m pip uninstall --yes --quiet pip setuptools

# Train and gate from the bundled dataset. REVISION becomes the manifest's git_commit.
# The model is signed with an Ed25519 key made for this build alone: its private half lives
# only during this RUN (created and deleted in it, so in no layer), its public half is shipped
# and the runtime refuses any model without a valid signature (docs/model.md).
ARG REVISION=""
COPY data/group_01/meditation_sessions.csv data/group_01/
RUN mkdir -p /out/keys \
    && focus-agent signing-key --private /tmp/build-signing.pem --public /out/keys/build.pub \
    && GIT_COMMIT="${REVISION}" MODEL_SIGNING_KEY_FILE=/tmp/build-signing.pem focus-agent train \
        --data data/group_01/meditation_sessions.csv --artifacts /out/model/artifacts \
    && rm /tmp/build-signing.pem \
    && cp data/group_01/meditation_sessions.csv /out/ \
    && chmod -R a+rX,go-w /out /opt/venv

COPY gunicorn.conf.py /out/
RUN chmod a+r,go-w /out/gunicorn.conf.py

# Last, so that a new BUILD_ID (one per build) leaves every cached layer above reusable.
ARG BUILD_ID=""
LABEL org.focus-meditation-agent.builder="${BUILD_ID}"


FROM ${PYTHON_IMAGE} AS runtime

ARG VERSION=dev
ARG REVISION=""
ARG CREATED=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="focus-meditation-agent" \
      org.opencontainers.image.description="Predicts the mood after a meditation session; JSON API served by Gunicorn." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}"

# A fixed numeric UID/GID so volume permissions and `USER` checks are predictable.
RUN groupadd --gid 10001 focus \
    && useradd --no-log-init --uid 10001 --gid 10001 --home-dir /home/focus --create-home \
        --shell /usr/sbin/nologin focus

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PORT=5000 \
    WORKER_CLASS=gthread \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/focus-metrics \
    MODEL_DIR=/app/model/artifacts \
    DATA_PATH=/app/data/group_01/meditation_sessions.csv \
    MODEL_VERIFY_KEY_FILE=/app/keys/build.pub \
    REQUIRE_SIGNED_MODEL=1 \
    DATABASE_URL=sqlite:////app/instance/focus.db

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY --from=builder /out/gunicorn.conf.py ./
COPY --from=builder /out/model/artifacts/ model/artifacts/
COPY --from=builder /out/keys/ keys/
COPY --from=builder /out/meditation_sessions.csv data/group_01/
# The journal's folder, writable by the server's user; a volume mounted here keeps the data.
RUN install -d -o 10001 -g 10001 -m 0750 /app/instance

USER 10001:10001
EXPOSE 5000

HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '5000') + '/health', timeout=2)"]

# `focus-agent serve` migrates the journal, seeds it when empty, then execs Gunicorn.
CMD ["focus-agent", "serve"]
