import pytest

from landsupply.seed import seed_jurisdictions
from parcels.seed import seed_land_use_categories


@pytest.fixture
def reference_data(db):
    """Beijing and Zhengzhou with rings and districts, and the land-use categories."""
    jurisdictions = seed_jurisdictions()
    categories = seed_land_use_categories()
    return {"jurisdictions": jurisdictions, "categories": categories}
