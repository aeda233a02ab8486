"""Generation: from a contract's rules to cases.

- :mod:`.values` compiles a request schema into Hypothesis strategies of valid values
  (ECMA-262 patterns confirmed by ``regress``);
- :mod:`.boundaries` builds, for every rule, the valid and invalid values on both sides of it
  and the near misses of every pattern;
- :mod:`.wire` builds malformed bodies, other media types and signature tricks;
- :mod:`.mutations` draws random invalid bodies.

Every body meant as invalid is confirmed invalid by the contract's validator (and every
valid one valid) before it becomes a case, so a rejection is never a false alarm.
"""
