"""What other parts of Vigil may react to, without the register knowing them (Django signals)."""

import django.dispatch

# Sent after the transaction that stored them committed: ids of signals created or changed.
signals_written = django.dispatch.Signal()
