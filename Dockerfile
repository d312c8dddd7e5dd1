# kamerwacht service image: `kamerwacht run --role …` (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY replay ./replay
COPY scrapers ./scrapers
COPY state ./state
COPY templates ./templates
RUN pip install . && useradd --create-home --uid 1000 kamerwacht && mkdir -p /data && chown kamerwacht /data
USER kamerwacht
VOLUME ["/data"]
ENV KAMERWACHT_DATABASE_URL=sqlite:////data/kamerwacht.db
EXPOSE 8080
HEALTHCHECK --interval=60s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('KAMERWACHT_WEB_PORT','8080'), timeout=4)" || exit 1
CMD ["kamerwacht", "run"]
