"""A second Ctrl-C stops a deferred run at once, with KeyboardInterrupt, never by recursing in its handler."""

import _thread
import signal
import time

import pytest

from experiments.running import interrupts


def test_the_first_request_is_recorded_and_the_second_raises_in_the_main_thread():
    with interrupts.deferred():
        interrupts._handler(signal.SIGINT, None)
        assert interrupts.requested()
        with pytest.raises(KeyboardInterrupt):
            interrupts._handler(signal.SIGINT, None)


def test_the_watchers_second_request_interrupts_the_main_thread_once():
    """``interrupt_main`` calls the SIGINT handler that is installed (Python >= 3.10): it must raise, not ask again."""
    with interrupts.deferred():
        interrupts._request()  # the watcher thread's first request
        with pytest.raises(KeyboardInterrupt):
            _thread.interrupt_main()  # what its second request does
            time.sleep(0.1)  # the handler runs at the main thread's next check
