"""Microsoft Graph as the partner's app: settings, sign-in with msal, the HTTP client, retries, and requests.

Shared by collection (``reporter.collect``) and sending (``reporter.send``).
"""
