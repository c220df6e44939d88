"""`field__any=[…]`: the values as one PostgreSQL array, `field = ANY(%s)`, where `__in` writes one parameter each
(registered by the access app, the bottom layer, whose scope is what needs it).

The access scope of a lead names his people twice (their accounts, the prospects they created): a division lead's
~70 people made 140 parameters in every query of every page he opens. Django prepared each and psycopg bound each
into the text, and PostgreSQL turned the IN list into the very same `= ANY(array)` anyway. As one array, building,
compiling and binding his list's query went from 1.74 to 1.54 ms (median of 400 alternating, bench/README, issue
16); his list page writes the scope three times. Other databases (the SQLite demo) get the plain IN.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, lookups
from django.db.models.fields.related import ForeignObject
from django.utils.datastructures import OrderedSet


class AnyOf(lookups.In):
    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():  # a subquery: as __in
            return super().as_sql(compiler, connection)
        field = self.lhs.output_field
        values = [
            field.get_db_prep_value(v, connection, prepared=True)
            for v in OrderedSet(self.rhs)
            if v is not None
        ]
        if not values:
            raise EmptyResultSet  # as __in=[]: matches nothing
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::{field.cast_db_type(connection)}[])", (*lhs_params, values)


# A foreign key looks its lookups up on the related-field classes only, hence both.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
