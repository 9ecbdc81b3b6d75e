"""Sending each customer its own report, exactly once: Microsoft Graph mail or SMTP, and a delivery ledger."""
