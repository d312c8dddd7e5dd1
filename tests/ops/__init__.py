"""Operations tests: faults, fuzzed input, security, and the running service."""
