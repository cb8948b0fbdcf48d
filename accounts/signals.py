"""Signals other apps listen to."""

from django.dispatch import Signal

# Sent inside the transaction that turns an invitation into an account, with `invitation` and
# `user`: an app that invited someone for its own purpose (an expert into a network) links the
# new account there.
invitation_accepted = Signal()
