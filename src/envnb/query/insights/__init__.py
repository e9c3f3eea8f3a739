"""Every insight kind's answer as a tidy frame, and the people behind its numbers.

One module per kind (``trends``, ``funnels``, ``retention``, ``paths``, ``stickiness``,
``lifecycle``), the actors rules in ``actors``, saved insights in ``saved``; which kind uses
which is the entry in ``..kinds.QUERY_KINDS``.
"""
