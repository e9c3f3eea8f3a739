"""The query API as data: each query kind's tidy frame, chart and actors rule."""
