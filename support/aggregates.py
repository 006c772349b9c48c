"""Database aggregates the ORM lacks, shared by every app that reports figures."""
from django.db.models import Aggregate, FloatField


class Percentile(Aggregate):
    """Postgres percentile_cont: the interpolated percentile (0.5 = median) of the expression's values."""

    function = "percentile_cont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile, **extra):
        super().__init__(expression, percentile=percentile, **extra)
