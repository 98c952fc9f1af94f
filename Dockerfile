# caseroom: build the wheels, then install them in a slim image that runs as an
# unprivileged user. See docs/deploying.md.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
# The project's wheel and every dependency's, so that the final stage installs
# from wheels only and needs no compiler.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# DejaVu for PDF transcripts; pg_dump and pg_restore for `caseroom backup`.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/caseroom --create-home caseroom \
    && mkdir -p /var/lib/caseroom/data \
    && chown caseroom:caseroom /var/lib/caseroom/data
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-index --find-links /tmp/wheels caseroom \
    && rm -rf /tmp/wheels
COPY deploy/entrypoint.sh /usr/local/bin/caseroom-entrypoint

ENV PYTHONUNBUFFERED=1 \
    CASEROOM_HOST=0.0.0.0 \
    CASEROOM_PORT=8000 \
    CASEROOM_DATA_DIR=/var/lib/caseroom/data \
    CASEROOM_DATABASE_URL=sqlite:////var/lib/caseroom/data/caseroom.db

USER caseroom
WORKDIR /var/lib/caseroom
VOLUME ["/var/lib/caseroom/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
ENTRYPOINT ["caseroom-entrypoint"]
CMD ["serve"]
