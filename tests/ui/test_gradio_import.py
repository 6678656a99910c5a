"""Gradio imported for the server skips its `.pyi` stub writer and works as usual."""

import subprocess
import sys
import textwrap

from tests.conftest import REPO


def _in_fresh_interpreter(code: str) -> str:
    # Gradio may already be imported in this process; the hook only acts on a first import.
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_stub_writer_is_skipped_and_components_keep_their_events():
    out = _in_fresh_interpreter(
        """
        import sys
        from ui.gradio_import import gradio_without_stub_writer
        with gradio_without_stub_writer():
            import gradio as gr
        import gradio.blocks_events
        import gradio.component_meta as meta
        assert meta.create_or_modify_pyi.__name__ == "_skip_stub", meta.create_or_modify_pyi
        assert gradio.blocks_events.create_or_modify_pyi is meta.create_or_modify_pyi
        assert not any(type(f).__name__ == "_StubWriterFinder" for f in sys.meta_path)  # hook removed
        with gr.Blocks() as demo:
            box = gr.Textbox()
            box.submit(lambda s: s, box, box)  # event listeners are made before the stub writer ran
        print(len(demo.fns))
        """
    )
    assert out == "1"


def test_without_the_hook_gradio_still_runs_its_stub_writer():
    # The check above would pass vacuously if Gradio no longer had the function.
    out = _in_fresh_interpreter(
        """
        import gradio.component_meta as meta
        print(meta.create_or_modify_pyi.__name__)
        """
    )
    assert out == "create_or_modify_pyi"
