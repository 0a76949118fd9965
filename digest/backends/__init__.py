"""Model adapters: one file per way of running a model, behind the interfaces of
`digest.embed` (`Embedder.embed`) and `digest.generate` (`Generator.generate`).

- `onnx_embedder`: all-MiniLM-L6-v2 as the int8 ONNX model `digest prepare` makes (CPU).
- `sentence_transformers_embedder`: any sentence-transformers folder, on torch (CPU or GPU).
- `llama_cpp_generator`: a GGUF file through llama.cpp (llama-cpp-python, CPU).
- `transformers_generator`: a Hugging Face causal-LM folder through transformers (CPU or GPU).

The heavy imports (torch, transformers, sentence-transformers, onnxruntime, llama_cpp) happen
only here, inside the adapters, when a model is first used; the factories that choose one
(`digest.embed.make_embedder`, `digest.generate.make_generator`) import them lazily. A new
adapter is a new file here plus a branch in its factory.
"""
