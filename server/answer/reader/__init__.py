"""The learned reader: a MiniLM fine-tuned here (evals/training) that reads a question with one candidate
sentence and its neighbours, and says how likely the sentence answers, where the answer span lies in it,
and, for a yes/no question, whether it says yes, no or neither. Served from an ONNX file; no torch."""
