"""The partner Extranet (finance)."""
