"""The PostgreSQL job queue (pgqueuer, pinned): the JobDispatcher of production deployments and
the worker that runs what it dispatches."""

from videoforge.adapters.pgqueuer.dispatcher import (
    PgQueuerDispatcher,
    QueueNotInstalledError,
    install_queue,
    queue_settings,
)
from videoforge.adapters.pgqueuer.worker import PgQueuerWorker, WorkerSettings

__all__ = ["PgQueuerDispatcher", "PgQueuerWorker", "QueueNotInstalledError", "WorkerSettings", "install_queue",
           "queue_settings"]
