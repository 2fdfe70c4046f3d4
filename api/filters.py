"""The pages' FilterSets, given the caller's districts (as the list pages give them)."""

from assessments.filters import ContractFilter
from parcels.filters import ParcelFilter
from parcels.selectors import district_list_for_user


class ApiParcelFilter(ParcelFilter):
    def __init__(self, *args, request=None, **kwargs):
        districts = district_list_for_user(user=request.user) if request else None
        super().__init__(*args, districts=districts, request=request, **kwargs)


class ApiContractFilter(ContractFilter):
    def __init__(self, *args, request=None, **kwargs):
        districts = district_list_for_user(user=request.user) if request else None
        super().__init__(*args, districts=districts, request=request, **kwargs)
