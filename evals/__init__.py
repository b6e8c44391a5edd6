"""The fixed question set and the evaluation harness."""
