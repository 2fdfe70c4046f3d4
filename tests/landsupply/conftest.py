# Fixtures of the apps' suites that the cross-app upload tests use.
from tests.assessments.conftest import worked_example  # noqa: F401
from tests.parcels.conftest import beijing, celery_eager, upload_ledger, write_ledger  # noqa: F401
