"""`in` on integer columns (primary keys included) leaves out numbers the column cannot hold.

They can match no row, and SQLite's driver refuses them outright ("Python int too large to
convert to SQLite INTEGER": a 500 where a form should say the choice is not valid, seen with
services=99999999999999999999 on the services-before/after form). Django does the same for
exact, gt, gte, lt and lte (django.db.models.lookups.IntegerFieldOverflow), not for `in`."""

from __future__ import annotations

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
