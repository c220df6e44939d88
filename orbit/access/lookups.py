"""`field__any=[…]`: the values as one PostgreSQL array, `field = ANY(%s)`, where `__in` writes one parameter each
(registered by the access app, the bottom layer, whose scope is what needs it).

The access scope of a lead names his people twice (their accounts, the prospects they created): a division lead's
~70 people made 140 parameters in every query of every page he opens. Django prepared each, psycopg split the long
text to bind them (too long for its cache), and PostgreSQL turned the IN list into the very same `= ANY(array)`.
As one array: ~2 ms less Python on his account list (bench/README, issue 16). Other databases (the SQLite demo)
get the plain IN.
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
