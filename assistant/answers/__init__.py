"""One composer per kind of answer. Each takes the parsed structure and a Query and returns an
Answer whose facts (clause numbers, agencies, counts, dates) come from the structure only."""
