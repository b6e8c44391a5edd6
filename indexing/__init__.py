"""Parse, chunk, embed and store: everything that turns the corpus into something searchable."""
