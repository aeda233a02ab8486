"""Generation: from a contract's rules to cases.

- :mod:`.values` compiles a request schema into Hypothesis strategies of valid values
  (ECMA-262 patterns confirmed by ``regress``);
- :mod:`.boundaries` builds, for every rule, the valid and invalid values on both sides of it
  (:mod:`.largest`: the largest valid body; :mod:`.far`: values far past each maximum and
  numbers past every machine width; :mod:`.patterns`: quantifier bounds and near misses of
  every pattern);
- :mod:`.wire` builds malformed bodies, bodies past a parser's limits, other media types and
  signature tricks;
- :mod:`.mutations` draws random invalid bodies.

Every body meant as invalid is confirmed invalid by the contract's validator (and every
valid one valid) before it becomes a case, so a rejection is never a false alarm.
"""
