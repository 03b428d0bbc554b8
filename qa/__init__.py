"""Quality assurance tools: speed, memory and capacity figures, fuzzing, reference scores, the README's
engine snippets run on local clusters, and the report's pages in a headless browser."""
