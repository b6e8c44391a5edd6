"""The measures catalogue: every task of every document labelled with whom it concerns and
what it is for them (labels.toml), by cue words (cues.toml), the embedder where they are
silent, and the reviewer's overrides (corpus/measures.csv)."""
