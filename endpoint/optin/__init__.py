"""Mailing lists: sign-up pages, the embeddable form, the links in the mail, the lists API and
its sign-up limits."""
