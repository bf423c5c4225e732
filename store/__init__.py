"""The sessions journal: SQLAlchemy tables, Alembic migrations and the queries on them.

It sits below both app/ and model/ and imports neither: the callers validate what they store
(the API's schemas, the data contract) and shape what they read.
"""
