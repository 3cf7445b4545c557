FROM python:3.11-slim
WORKDIR /srv/dlgrade
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make .venv/.installed
ENTRYPOINT ["make", "run"]
