"""Email: double opt-in, digests assembled and sent over one SMTP pool, signed links in mails."""
