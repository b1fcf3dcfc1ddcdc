# The ALMA service image; it expects ALMA_DATABASE_URL (see compose.yaml).
FROM python:3.11-slim
WORKDIR /srv/alma
COPY pyproject.toml README.md ./
COPY app ./app
COPY sql ./sql
COPY alembic ./alembic
RUN pip install --no-cache-dir . && useradd --system alma
USER alma
ENV ALMA_HOST=0.0.0.0 ALMA_PORT=8765 ALMA_MIGRATE_ON_START=true
EXPOSE 8765
HEALTHCHECK --interval=10s --timeout=3s --retries=5 --start-period=20s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8765/ready', timeout=2)"
CMD ["alma", "serve"]
