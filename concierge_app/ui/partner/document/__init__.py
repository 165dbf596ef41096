"""`/partner/invoices/[number]`: one document, its reservation statement, CSV and PDF."""
