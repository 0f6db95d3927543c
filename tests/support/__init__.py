"""What the test folders share, so that no folder imports another's conftest.

- :mod:`tests.support.stores`: the backends under test, fresh stores on them, PostgreSQL
  administration, and counting the events a store holds;
- :mod:`tests.support.driver`: the sample roster and journals, its people, the ``at`` time
  helper, and :class:`~tests.support.driver.Disputes`, which runs ``disputes …`` through click's
  CliRunner (``catch_exceptions=False``) and checks the exit code;
- :mod:`tests.support.model`: the lists of every event and every verb, read off the model.
"""
