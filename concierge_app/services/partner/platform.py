"""Who issues partner documents and where transfers go: the platform's details, from settings.
Below billing/, money/ and views/, which all print them."""

from __future__ import annotations

from concierge_app.domain.documents import PlatformDetails
from concierge_app.settings import get_settings


def platform_details() -> PlatformDetails:
    """Who issues partner documents and where transfers go (from settings)."""
    s = get_settings()
    return PlatformDetails(
        name=s.platform_name,
        legal_name=s.platform_legal_name,
        address=s.platform_address,
        vat_id=s.platform_vat_id,
        email=s.platform_email,
        bank_name=s.platform_bank_name,
        iban=s.platform_iban,
        bic=s.platform_bic,
    )
