"""The only code that runs SQL: one repository per aggregate, each over the pool and the named statements of
its folder in sql/queries/. Repositories know nothing of HTTP; they raise the domain errors of app.errors."""
