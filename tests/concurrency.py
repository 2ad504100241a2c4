"""Real races for the PostgreSQL-only tests: one thread per caller, each on its own database connection,
all released at once by a barrier."""
import threading

from django.db import connection


def run_concurrently(function, arguments: list, *, timeout: float = 120) -> list:
    """Call function(argument) in one thread per argument, all released together; results or raised errors."""
    barrier = threading.Barrier(len(arguments))
    results: list = [None] * len(arguments)

    def worker(index, argument):
        try:
            barrier.wait(timeout=30)
            results[index] = function(argument)
        except Exception as error:  # the race's loser: returned to the test, not lost in the thread
            results[index] = error
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=worker, args=(index, argument)) for index, argument in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return results
