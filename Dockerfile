FROM python:3.11-slim
WORKDIR /srv/dlgrade
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# The CPU build of torch: the grader needs no CUDA libraries.
RUN make .venv/.installed TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
ENTRYPOINT ["make", "run"]
