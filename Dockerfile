# Palabra's image: the `palabra` command on a slim Python 3.11, runtime dependencies only,
# run as an unprivileged user.  `docker-compose.yml` runs it as the API and as the worker.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY projections ./projections
COPY api ./api
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 palabra
COPY --from=build /install /usr/local
USER palabra
WORKDIR /home/palabra
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')" || exit 1
ENTRYPOINT ["palabra"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
