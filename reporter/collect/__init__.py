"""Collecting a snapshot from Microsoft Graph: auth, HTTP, paging, parsing."""
