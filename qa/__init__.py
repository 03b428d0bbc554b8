"""Quality assurance tools: speed and memory figures, fuzzing, reference scores."""
