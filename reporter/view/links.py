"""Where each fix is made: admin-portal and documentation links.

Portal links carry the tenant (``#@tenant``) so a partner signed in with GDAP,
or the customer's own administrator, lands in the right directory.
"""

from __future__ import annotations

from urllib.parse import quote

_PORTAL = "https://portal.azure.com/#@{tenant}/view/"

CONDITIONAL_ACCESS = "Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies"
SECURITY_DEFAULTS = "Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/~/Properties"
REGISTRATION_DETAILS = "Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/UserRegistrationDetails"
AUTH_METHODS = "Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/AdminAuthMethods"

DOC_SECURITY_DEFAULTS = "https://learn.microsoft.com/entra/fundamentals/security-defaults"
DOC_CA_MFA_ALL_USERS = "https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-mfa-strong"
DOC_CA_MFA_ADMINS = "https://learn.microsoft.com/entra/identity/conditional-access/policy-old-require-mfa-admin"
DOC_PER_USER_MFA = "https://learn.microsoft.com/entra/identity/authentication/howto-mfa-userstates"
PARTNER_CUSTOMERS = "https://partner.microsoft.com/dashboard/v2/customers/list"
PARTNER_SECURITY_ALERTS = "https://partner.microsoft.com/dashboard/v2/security/alerts"
DOC_PARTNER_SECURITY_REQUIREMENTS = "https://learn.microsoft.com/partner-center/security/partner-security-requirements"


def portal(tenant: str, blade: str) -> str:
    """A link to ``blade`` of the Azure portal, signed in to ``tenant`` (domain or id)."""
    return _PORTAL.format(tenant=quote(tenant, safe=".-")) + blade
